/**
 * A PGlite (Postgres in WASM) running in its own worker thread, driven with raw frontend
 * protocol bytes. PGlite is synchronous WASM: in the server's thread its start blocks the event
 * loop for 1.5–3 s (initdb, then Postgres' startup) and every catalog statement for its whole run;
 * in a worker the server keeps answering REST, health checks and other SQL clients meanwhile.
 *
 * The worker is TypeScript like the rest of the server: it registers tsx's loader before loading
 * `pglite-worker.ts`, so it starts the same way under `tsx` and under vitest. It keeps the process
 * alive only while a start or a request is pending.
 */
import { Worker } from 'node:worker_threads';

/** How a PGlite thread starts. */
export interface PgliteThreadOptions {
  /** A tarball of an initialized empty cluster (`dataDirOf` of an earlier thread): skips initdb. */
  readonly dataDir?: Uint8Array;
  /** Keep a tarball of the fresh cluster (before `setupSql`) for later starts. */
  readonly wantDataDir?: boolean;
  /** Called once if the worker stops on its own (a WASM abort): pending and later requests fail. */
  readonly onExit?: (error: Error) => void;
}

type WorkerMessage =
  | { ready: true; dataDir?: Uint8Array }
  | { ready: false; error: string }
  | { id: number; reply: Uint8Array }
  | { id: number; error: string };

function spawnWorker(workerData: object): Worker {
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./pglite-worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, execArgv: [], workerData });
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
    worker.on('message', (m: WorkerMessage) => {
      if (!('id' in m)) return;
      const request = this.pending.get(m.id);
      if (!request) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) worker.unref();
      if ('reply' in m) request.resolve(m.reply);
      else request.reject(new Error(`catalog database: ${m.error}`));
    });
    const stop = (error: Error): void => {
      if (this.failure) return;
      this.failure = error;
      for (const request of this.pending.values()) request.reject(error);
      this.pending.clear();
      onExit?.(error);
    };
    worker.on('error', (error) => stop(error instanceof Error ? error : new Error(String(error))));
    worker.on('exit', (code) => stop(new Error(`catalog database thread stopped (exit code ${code})`)));
    worker.unref();
  }

  /** Starts the worker, PGlite in it, and runs `setupSql`; rejects if any of them fails. */
  static start(setupSql: string, options: PgliteThreadOptions = {}): Promise<PgliteThread> {
    const worker = spawnWorker({ setupSql, dataDir: options.dataDir, wantDataDir: options.wantDataDir && !options.dataDir });
    return new Promise<PgliteThread>((resolve, reject) => {
      const fail = (error: unknown): void => {
        worker.off('message', onReady);
        void worker.terminate();
        reject(error instanceof Error ? error : new Error(String(error)));
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

  /** Stops the worker (and frees its memory); pending requests fail. */
  async close(): Promise<void> {
    if (!this.failure) this.failure = new Error('the catalog database is closed');
    for (const request of this.pending.values()) request.reject(this.failure);
    this.pending.clear();
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}
