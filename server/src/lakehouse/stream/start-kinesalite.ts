import kinesalite from 'kinesalite';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserError } from '../../errors/user-error.ts';

/** A running in-process kinesalite server. */
export interface LocalKinesis {
  readonly endpoint: string;
  /** The LevelDB folder holding the streams, or undefined when they live in memory. */
  readonly path?: string;
  /**
   * Calls `listener` after each PutRecord(s) this kinesalite answered, whoever sent it (this
   * process, `stream produce`, a test): the in-process consumer waits for data instead of polling.
   */
  onPut(listener: () => void): void;
  stop(): Promise<void>;
}

const PUT_TARGETS = new Set(['Kinesis_20131202.PutRecords', 'Kinesis_20131202.PutRecord']);

/**
 * Starts kinesalite in this process on a free port (or `port`). Without `path` the store is in
 * memory (memdown) and dies with the process; with `path` it is a LevelDB folder, so streams,
 * their records (24 h retention, like Kinesis) and their identity survive restarts and saved
 * checkpoints stay valid. Stream state changes are made near-instant so tests and `npm start`
 * need not wait half a second each.
 *
 * LevelDB comes with kinesalite as an optional native dependency; a folder another process holds
 * is refused with a clear error (kinesalite itself would crash the process on it).
 */
export async function startKinesalite(options: { port?: number; path?: string } = {}): Promise<LocalKinesis> {
  if (options.path) await claimLevelDb(options.path);
  const server = kinesalite({ path: options.path, createStreamMs: 10, deleteStreamMs: 10, updateStreamMs: 10, shardLimit: 50 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const putListeners: (() => void)[] = [];
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (!PUT_TARGETS.has(String(request.headers['x-amz-target']))) return;
    response.once('finish', () => {
      if (response.statusCode === 200) for (const listener of putListeners) listener();
    });
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    ...(options.path ? { path: options.path } : {}),
    onPut: (listener) => void putListeners.push(listener),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        // kinesalite's close also closes its LevelDB (releasing the folder's lock).
        server.close(() => resolve());
      }),
  };
}

/** Can kinesalite keep streams on disk here (LevelDB available)? */
export function supportsPersistentKinesalite(): boolean {
  return loadLevelDown() !== undefined;
}

type LevelDown = (path: string) => { open(cb: (error?: Error) => void): void; close(cb: (error?: Error) => void): void };

function loadLevelDown(): LevelDown | undefined {
  try {
    // Resolved from kinesalite's own folder: the copy it will load.
    return createRequire(createRequire(import.meta.url).resolve('kinesalite'))('leveldown') as LevelDown;
  } catch {
    return undefined;
  }
}

/** Opens and closes the LevelDB folder first, to turn "held by another process" into a UserError. */
async function claimLevelDb(path: string): Promise<void> {
  const leveldown = loadLevelDown();
  if (!leveldown) {
    throw new UserError('CONFIG_INVALID', `kinesalite cannot keep streams in ${path}: its optional dependency leveldown is not installed`, {
      hint: 'reinstall dependencies (npm ci) on a platform leveldown supports, or run the local stream in memory',
    });
  }
  await mkdir(path, { recursive: true });
  const db = leveldown(path);
  await new Promise<void>((resolve, reject) => {
    db.open((error) => {
      if (!error) return db.close(() => resolve());
      reject(new UserError('CONFIG_INVALID', `The local Kinesis data in ${path} is in use: ${error.message}`, {
        hint: 'another server (npm start) or `stream` command is running on the same lakehouse folder; stop it first',
      }));
    });
  });
}
