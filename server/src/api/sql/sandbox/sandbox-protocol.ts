/**
 * Messages between the server and the sandbox's process (`sandbox-process.ts` ↔
 * `sandbox-worker.ts`), sent over node's IPC channel with V8 serialization: plain data only.
 */
import type { ErrorCode } from '../../../errors/error-codes.ts';
import type { SandboxResult, SandboxTable } from './sandbox-types.ts';

/** What the process is started with (environment `SQL_API_SANDBOX_SETUP`, JSON). */
export interface WorkerSetup {
  readonly instanceSettings: Record<string, string>;
  /** Bound of a result's estimated size in JavaScript, and its text for messages. */
  readonly budgetBytes: number;
  readonly memoryLimit: string;
}

export type WorkerRequest =
  | { readonly kind: 'evaluate'; readonly id: number; readonly tables: readonly SandboxTable[]; readonly sql: string }
  | { readonly kind: 'interrupt'; readonly id: number };

export type WorkerReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'result'; readonly id: number; readonly result: SandboxResult }
  | { readonly kind: 'error'; readonly id: number; readonly error: { readonly code?: ErrorCode; readonly message: string; readonly hint?: string } };
