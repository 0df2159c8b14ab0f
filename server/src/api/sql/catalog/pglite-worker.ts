/**
 * Worker-thread entry of `PgliteThread` (pglite-thread.ts): hosts one PGlite so that its start
 * (seconds of synchronous WASM work: initdb, Postgres startup) and every catalog statement run
 * off the server's event loop.
 *
 * workerData: `{ setupSql, dataDir?, wantDataDir?, memoryBytes? }` — `dataDir` is a tarball of an
 * initialized, empty cluster (`dumpDataDir`) to start from instead of running initdb (≈ 0.5 s
 * instead of 2–3 s). When `wantDataDir` is set and no `dataDir` was given, the fresh cluster is
 * dumped before `setupSql` runs and sent back in a SharedArrayBuffer, so the parent can start the
 * next catalog (or a replacement thread) from it without copying it.
 * `memoryBytes` bounds PGlite's WASM memory (an allocation past it is Postgres' own 53200 "out of
 * memory", and PGlite goes on); a quarter of it bounds one statement's temporary files, which
 * PGlite keeps in memory (temp_file_limit, 53400), and another quarter one answer's size (past it
 * the worker says `{ id, tooLarge }` at once and the parent stops it). Catalog answers and sorts
 * take kilobytes; the quarters keep the worst case near 1.5 × `memoryBytes`.
 *
 * Messages: `{ id, message }` with raw frontend protocol bytes; answered `{ id, reply }` with the
 * raw backend bytes (errors travel as ErrorResponse messages inside them), or `{ id, error }`.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

interface StartData {
  readonly setupSql: string;
  readonly dataDir?: Uint8Array;
  readonly wantDataDir?: boolean;
  readonly memoryBytes?: number;
}

const port = parentPort!;
const start = workerData as StartData;
const WASM_PAGE = 65_536;

/**
 * Caps the maximum of every WebAssembly memory this thread creates. PGlite creates its memory
 * itself with a 2 GiB maximum and no option to lower it; a smaller maximum is a valid import for
 * its module, and Postgres then meets the bound as a failed malloc, which it reports as an error.
 * The worker hosts nothing else, so the change reaches no other code.
 */
function limitWasmMemory(bytes: number): void {
  const maxPages = Math.floor(bytes / WASM_PAGE);
  const Unbounded = WebAssembly.Memory;
  class BoundedMemory extends Unbounded {
    constructor(descriptor: WebAssembly.MemoryDescriptor) {
      super({ ...descriptor, maximum: Math.min(descriptor.maximum ?? maxPages, maxPages) });
    }
  }
  WebAssembly.Memory = BoundedMemory;
}

/**
 * Lowers this thread's CPU priority (nice 10), so that a statement running until it is stopped
 * (at most the statement timeout) yields the CPU to the server's event loop — REST, health checks,
 * logins — when cores are busy. Linux schedules threads as tasks with their own nice value; the
 * thread's id is read from /proc/thread-self. Elsewhere, or if refused, the thread keeps the
 * process's priority.
 */
function yieldToServer(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 10);
  } catch {
    // Not Linux, or not allowed: the same priority as the server.
  }
}

async function open(): Promise<{ db: PGlite; dataDir?: Uint8Array }> {
  // A copy of the shared tarball, in this thread (PGlite reads it as a Blob).
  if (start.dataDir) return { db: await PGlite.create({ loadDataDir: new Blob([start.dataDir.slice()]) }) };
  const db = await PGlite.create();
  if (!start.wantDataDir) return { db };
  const dump = new Uint8Array(await (await db.dumpDataDir('none')).arrayBuffer());
  // Shared memory: later threads get it without a copy on the server's thread (≈ 50 ms for 40 MB).
  const dataDir = new Uint8Array(new SharedArrayBuffer(dump.length));
  dataDir.set(dump);
  return { db, dataDir };
}

/** Runs one unit; answers its bytes, or `tooLarge` as soon as they pass `limit` (the rest is dropped). */
async function answer(db: PGlite, id: number, message: Uint8Array, limit: number): Promise<void> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let tooLarge = false;
  await db.execProtocolRawStream(message, {
    syncToFs: false,
    onRawData: (data) => {
      if (tooLarge) return;
      size += data.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        port.postMessage({ id, tooLarge: size });
        return;
      }
      // A copy: `data` is a view of PGlite's own memory, reused for the next chunk.
      chunks.push(data.slice());
    },
  });
  if (tooLarge) return;
  const reply = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    reply.set(chunk, at);
    at += chunk.length;
  }
  port.postMessage({ id, reply }, [reply.buffer]);
}

try {
  const quarter = start.memoryBytes ? Math.floor(start.memoryBytes / 4) : undefined;
  if (start.memoryBytes) limitWasmMemory(start.memoryBytes);
  const { db, dataDir } = await open();
  if (quarter) await db.exec(`SET temp_file_limit = '${Math.floor(quarter / 1024)}kB'`);
  await db.exec(start.setupSql);
  // Every catalog unit runs in a read-only transaction of its own (shared-catalog-database.ts);
  // anything else sent later is read-only too, unless it opens a READ WRITE transaction itself.
  await db.exec('SET default_transaction_read_only = on');
  // Only once it is up: at nice 10 on busy cores, creating the cluster took 80 s instead of 2.
  yieldToServer();
  port.on('message', (m: { id: number; message: Uint8Array }) => {
    answer(db, m.id, m.message, quarter ?? Number.POSITIVE_INFINITY).catch((error: unknown) => port.postMessage({ id: m.id, error: error instanceof Error ? error.message : String(error) }));
  });
  port.postMessage({ ready: true, dataDir });
} catch (error) {
  port.postMessage({ ready: false, error: error instanceof Error ? error.message : String(error) });
}
