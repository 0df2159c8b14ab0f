import kinesalite from 'kinesalite';
import type { AddressInfo } from 'node:net';

/** A running in-process kinesalite server. */
export interface LocalKinesis {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts kinesalite in this process on a free port (or `port`). Without `path` the store is in
 * memory (memdown); with `path` it is a LevelDB folder that survives restarts. Stream state
 * changes are made near-instant so tests and `npm start` need not wait half a second each.
 */
export async function startKinesalite(options: { port?: number; path?: string } = {}): Promise<LocalKinesis> {
  const server = kinesalite({ path: options.path, createStreamMs: 10, deleteStreamMs: 10, updateStreamMs: 10, shardLimit: 50 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
