/**
 * A PGlite (Postgres in WASM) running in its own worker thread, driven with raw frontend
 * protocol bytes. PGlite is synchronous WASM: in the server's thread its start blocks the event
 * loop for 1.5–3 s (initdb, then Postgres' startup) and every catalog statement for its whole run;
 * in a worker the server keeps answering REST, health checks and other SQL clients meanwhile.
 *
 * The worker is TypeScript like the rest of the server: it registers tsx's loader before loading
 * `pglite-worker.ts`, so it starts the same way under `tsx` and under vitest. It keeps the process
 * alive only while a start or a request is pending.
 *
 * A thread can be stopped at any moment (`close`), even inside a statement that never ends: that
 * is how a catalog statement is timed out or cancelled. Its memory is bounded (`memoryBytes` for
 * PGlite's WASM memory and one answer, a fixed JS heap); a thread that runs out of JS heap, or
 * whose answer grows past the bound, stops, and its pending request fails with 53200. On Linux
 * the thread runs at nice 10, so a statement burning CPU until its timeout yields to the event loop.
 */
import { Worker } from 'node:worker_threads';
import { UserError } from '../../../errors/user-error.ts';

/** How a PGlite thread starts. */
export interface PgliteThreadOptions {
  /** A tarball of an initialized empty cluster (`dataDirOf` of an earlier thread): skips initdb. */
  readonly dataDir?: Uint8Array;
  /** Keep a tarball of the fresh cluster (before `setupSql`) for later starts, in a SharedArrayBuffer. */
  readonly wantDataDir?: boolean;
  /**
   * Bound of PGlite's WASM memory, of its temporary files and of one answer's size, in bytes
   * (default: PGlite's own 2 GiB memory maximum and no bound on answers).
   */
  readonly memoryBytes?: number;
  /** Called once if the worker stops on its own (a WASM abort, out of memory): pending and later requests fail. */
  readonly onExit?: (error: Error) => void;
}

type WorkerMessage =
  | { ready: true; dataDir?: Uint8Array }
  | { ready: false; error: string }
  | { id: number; reply: Uint8Array }
  | { id: number; tooLarge: number }
  | { id: number; error: string };

/**
 * The worker's JS heap. It holds tsx, PGlite's JavaScript and the messages in flight (answers and
 * the cluster tarball are ArrayBuffers outside it); 256 MB is several times what it uses.
 */
const WORKER_HEAP_MB = 256;

function spawnWorker(workerData: object): Worker {
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./pglite-worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, execArgv: [], workerData, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
}

function outOfMemory(what: string, cause?: unknown): UserError {
  return new UserError('OUT_OF_MEMORY', `the SQL API's catalog database ran out of memory: ${what}`, {
    cause,
    hint: 'query less of pg_catalog or information_schema at once, or raise CUBEJS_SQL_API_CATALOG_MEMORY_LIMIT',
  });
}

/** Why the worker stopped, as the error its pending requests get. */
function workerError(error: unknown): Error {
  if ((error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY') return outOfMemory('its JavaScript heap is full', error);
  return error instanceof Error ? error : new Error(String(error));
}

export class PgliteThread {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (reply: Uint8Array) => void; reject: (error: Error) => void }>();
  private failure?: Error;

  private constructor(
    private readonly worker: Worker,
    /** The fresh cluster's tarball when `wantDataDir` was set. */
    readonly dataDir: Uint8Array | undefined,
    onExit: ((error: Error) => void) | undefined,
  ) {
    const stop = (error: Error): void => {
      if (this.failure) return;
      this.failure = error;
      for (const request of this.pending.values()) request.reject(error);
      this.pending.clear();
      onExit?.(error);
    };
    worker.on('message', (m: WorkerMessage) => {
      if (!('id' in m)) return;
      const request = this.pending.get(m.id);
      if (!request) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) worker.unref();
      if ('reply' in m) return request.resolve(m.reply);
      if ('error' in m) return request.reject(new Error(`catalog database: ${m.error}`));
      // The statement goes on producing rows nobody will read: stop the thread now.
      const error = outOfMemory(`the answer passed ${m.tooLarge} bytes`);
      request.reject(error);
      stop(error);
      void worker.terminate();
    });
    worker.on('error', (error) => stop(workerError(error)));
    worker.on('exit', (code) => stop(new Error(`catalog database thread stopped (exit code ${code})`)));
    worker.unref();
  }

  /** Starts the worker, PGlite in it, and runs `setupSql`; rejects if any of them fails. */
  static start(setupSql: string, options: PgliteThreadOptions = {}): Promise<PgliteThread> {
    const worker = spawnWorker({ setupSql, dataDir: options.dataDir, wantDataDir: options.wantDataDir && !options.dataDir, memoryBytes: options.memoryBytes });
    return new Promise<PgliteThread>((resolve, reject) => {
      const fail = (error: unknown): void => {
        worker.off('message', onReady);
        void worker.terminate();
        reject(workerError(error));
      };
      const onReady = (m: WorkerMessage): void => {
        if (!('ready' in m)) return;
        worker.off('message', onReady).off('error', fail).off('exit', onEarlyExit);
        if (!m.ready) return fail(new Error(`catalog database did not start: ${m.error}`));
        resolve(new PgliteThread(worker, m.dataDir, options.onExit));
      };
      const onEarlyExit = (code: number): void => fail(new Error(`catalog database thread exited (code ${code}) before it was ready`));
      worker.on('message', onReady).once('error', fail).once('exit', onEarlyExit);
    });
  }

  /** Sends raw frontend messages; resolves with the raw backend messages PGlite answered. */
  send(message: Uint8Array): Promise<Uint8Array> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<Uint8Array>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage({ id, message });
    });
  }

  /**
   * Stops the worker now, whatever it is running (and frees its memory); pending and later
   * requests fail with `reason`.
   */
  async close(reason: Error = new Error('the catalog database is closed')): Promise<void> {
    this.failure ??= reason;
    for (const request of this.pending.values()) request.reject(this.failure);
    this.pending.clear();
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}
