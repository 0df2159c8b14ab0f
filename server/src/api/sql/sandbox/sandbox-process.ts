/**
 * One sandbox process seen from the server: started under an operating-system data limit
 * (`ulimit -d`, so a runaway string allocation fails there and not in the server), asked one
 * evaluation at a time, interrupted on timeout or cancel, and killed when it does not stop. A
 * process that died (killed, or out of memory past the limit) is replaced on next use.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../../errors/user-error.ts';
import type { WorkerReply, WorkerRequest, WorkerSetup } from './sandbox-protocol.ts';
import type { SandboxResult, SandboxTable } from './sandbox-types.ts';

const WORKER = fileURLToPath(new URL('./sandbox-worker.ts', import.meta.url));
/** The worker is TypeScript, as every module here: the child loads it through tsx, as `npm start` does. */
const TSX_LOADER = import.meta.resolve('tsx');
const SHELL = '/bin/sh';

export interface SandboxProcessOptions {
  readonly setup: WorkerSetup;
  /** The process's data limit (heap and every allocation), bytes. */
  readonly dataLimitBytes: number;
}

/** How an evaluation ended when the process did not answer it (`starting`: it never came up). */
export class SandboxProcessGone extends Error {
  constructor(message: string, readonly starting = false) {
    super(message);
  }
}

export class SandboxProcess {
  private readonly child: ChildProcess;
  private readonly ready: Promise<void>;
  private pending?: { readonly id: number; resolve(result: SandboxResult): void; reject(error: unknown): void };
  private nextId = 1;
  private exited = false;

  constructor(private readonly options: SandboxProcessOptions) {
    const env = { ...process.env, SQL_API_SANDBOX_SETUP: JSON.stringify(options.setup) };
    const node = [process.execPath, '--import', TSX_LOADER, WORKER];
    // `ulimit -d` (KiB) bounds the process's data: malloc past it fails inside the sandbox.
    const limited = existsSync(SHELL) && process.platform !== 'win32';
    this.child = limited
      ? spawn(SHELL, ['-c', `ulimit -d ${Math.ceil(options.dataLimitBytes / 1024)} && exec "$0" "$@"`, ...node], { env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'advanced' })
      : spawn(node[0]!, node.slice(1), { env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'advanced' });
    this.ready = new Promise((resolve, reject) => {
      const onReady = (message: WorkerReply): void => {
        if (message.kind !== 'ready') return;
        this.child.off('message', onReady);
        resolve();
      };
      this.child.on('message', onReady);
      this.child.once('exit', (code, signal) => reject(new SandboxProcessGone(`the sandbox process exited while starting (${signal ?? `code ${code}`})`, true)));
    });
    this.ready.catch(() => undefined);
    this.child.on('message', (message: WorkerReply) => this.onReply(message));
    this.child.once('exit', (code, signal) => {
      this.exited = true;
      this.pending?.reject(new SandboxProcessGone(`the sandbox process stopped (${signal ?? `exit code ${code}`})`));
      this.pending = undefined;
    });
    this.idle();
  }

  get alive(): boolean {
    return !this.exited;
  }

  /** Evaluates one request; rejects with the worker's error, or SandboxProcessGone if the process died. */
  async evaluate(tables: readonly SandboxTable[], sql: string): Promise<SandboxResult> {
    if (this.pending) throw new Error('a sandbox process evaluates one request at a time');
    await this.ready;
    if (this.exited) throw new SandboxProcessGone('the sandbox process has stopped');
    const id = this.nextId++;
    this.busy();
    try {
      return await new Promise<SandboxResult>((resolve, reject) => {
        this.pending = { id, resolve, reject };
        this.send({ kind: 'evaluate', id, tables, sql });
      });
    } finally {
      this.pending = undefined;
      this.idle();
    }
  }

  /** Asks the running evaluation to stop (DuckDB's interrupt); it then rejects as interrupted. */
  interrupt(): void {
    if (this.pending) this.send({ kind: 'interrupt', id: this.pending.id });
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  private send(message: WorkerRequest): void {
    this.child.send(message, (error) => {
      if (error) this.kill();
    });
  }

  private onReply(message: WorkerReply): void {
    if (message.kind === 'ready' || !this.pending || message.id !== this.pending.id) return;
    if (message.kind === 'result') this.pending.resolve(message.result);
    else {
      const { code, message: text, hint } = message.error;
      this.pending.reject(code ? new UserError(code, text, hint !== undefined ? { hint } : {}) : new Error(text));
    }
  }

  // An idle process must not keep the server running: its handle and channel are unreferenced
  // between evaluations (it exits on its own when the channel closes).
  private idle(): void {
    this.child.unref();
    (this.child.channel as { unref?: () => void } | undefined)?.unref?.();
  }

  private busy(): void {
    this.child.ref();
    (this.child.channel as { ref?: () => void } | undefined)?.ref?.();
  }
}
