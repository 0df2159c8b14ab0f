/**
 * Worker-thread entry of `PgliteThread` (pglite-thread.ts): hosts one PGlite so that its start
 * (seconds of synchronous WASM work: initdb, Postgres startup) and every catalog statement run
 * off the server's event loop.
 *
 * workerData: `{ setupSql, dataDir? }` — `dataDir` is a tarball of an initialized, empty cluster
 * (`dumpDataDir`) to start from instead of running initdb (≈ 0.4 s instead of 2–3 s). When
 * `wantDataDir` is set and no `dataDir` was given, the fresh cluster is dumped before `setupSql`
 * runs and sent back, so the parent can start the next catalog from it.
 *
 * Messages: `{ id, message }` with raw frontend protocol bytes; answered `{ id, reply }` with the
 * raw backend bytes (errors travel as ErrorResponse messages inside them), or `{ id, error }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

interface StartData {
  readonly setupSql: string;
  readonly dataDir?: Uint8Array<ArrayBuffer>;
  readonly wantDataDir?: boolean;
}

const port = parentPort!;
const start = workerData as StartData;

async function open(): Promise<{ db: PGlite; dataDir?: Uint8Array }> {
  if (start.dataDir) return { db: await PGlite.create({ loadDataDir: new Blob([start.dataDir]) }) };
  const db = await PGlite.create();
  if (!start.wantDataDir) return { db };
  const blob = await db.dumpDataDir('none');
  return { db, dataDir: new Uint8Array(await blob.arrayBuffer()) };
}

try {
  const { db, dataDir } = await open();
  await db.exec(start.setupSql);
  port.on('message', (m: { id: number; message: Uint8Array }) => {
    db.execProtocolRaw(m.message, { syncToFs: false }).then(
      (answer) => {
        // A copy: the answer may be a view of PGlite's own memory, which must not be transferred.
        const reply = answer.slice();
        port.postMessage({ id: m.id, reply }, [reply.buffer]);
      },
      (error: unknown) => port.postMessage({ id: m.id, error: error instanceof Error ? error.message : String(error) }),
    );
  });
  port.postMessage({ ready: true, dataDir }, dataDir ? [dataDir.buffer as ArrayBuffer] : []);
} catch (error) {
  port.postMessage({ ready: false, error: error instanceof Error ? error.message : String(error) });
}
