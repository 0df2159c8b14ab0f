import net from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

/** A TCP endpoint in front of an in-process PGlite so the real `pg` client can reach it. */
export interface PgliteWireServer {
  readonly port: number;
  close(): Promise<void>;
}

const SSL_REQUEST_CODE = 80877103;
const GSS_REQUEST_CODE = 80877104;

/**
 * Serves PGlite over the Postgres wire protocol on 127.0.0.1 (port 0 → a free port). PGlite takes
 * protocol messages itself (startup included), so this only frames messages and refuses TLS; calls
 * are chained because PGlite handles one message at a time.
 * Protocol framing: https://www.postgresql.org/docs/current/protocol-overview.html#PROTOCOL-MESSAGE-CONCEPTS
 */
export async function startPgliteWireServer(db: PGlite): Promise<PgliteWireServer> {
  let queue: Promise<unknown> = Promise.resolve();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    // One query is several protocol messages, each answered by its own write: with Nagle's algorithm
    // on, a small write waits for the client's delayed ACK, ≈ 40 ms per extended query.
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending = Buffer.alloc(0);
    let started = false;
    const forward = (message: Buffer) => {
      queue = queue
        .then(() => db.execProtocolRaw(new Uint8Array(message)))
        .then((reply) => { if (!socket.destroyed) socket.write(reply); })
        .catch(() => socket.destroy());
    };
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        if (!started) {
          if (pending.length < 8 || pending.length < pending.readInt32BE(0)) return;
          const message = pending.subarray(0, pending.readInt32BE(0));
          pending = pending.subarray(message.length);
          const code = message.readInt32BE(4);
          if (code === SSL_REQUEST_CODE || code === GSS_REQUEST_CODE) { socket.write('N'); continue; }
          started = true;
          forward(message);
          continue;
        }
        if (pending.length < 5 || pending.length < pending.readInt32BE(1) + 1) return;
        const message = pending.subarray(0, pending.readInt32BE(1) + 1);
        pending = pending.subarray(message.length);
        if (message[0] === 0x58 /* Terminate: PGlite's session outlives the socket */) { socket.end(); return; }
        forward(message);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queue.catch(() => undefined);
    },
  };
}
