/**
 * Evaluates residual SQL safely: in a process of its own (`sandbox-process.ts`, under an
 * operating-system data limit, so no statement can exhaust the server's memory), a DuckDB in memory
 * of its own (never the lakehouse's), created with external access off (no files, COPY, ATTACH,
 * INSTALL/LOAD), no extension auto-install or auto-load, bounded memory, one thread, no spilling to
 * disk, then its configuration locked. Each evaluation gets a fresh connection whose temp tables
 * hold that statement's semantic results and nothing else; the SQL is checked on PostgreSQL's parse
 * tree first (`check-residual-sql.ts`), DuckDB must read it as the same single SELECT, and the
 * evaluation is interrupted on timeout or cancel — its process killed if it does not stop.
 * https://duckdb.org/docs/stable/operations_manual/securing_duckdb/overview
 */
import { loadModule } from 'libpg-query';
import { UserError } from '../../../errors/user-error.ts';
import { checkResidualSql } from './check-residual-sql.ts';
import { memoryBytes, readSandboxOptions, type SandboxOptions } from './sandbox-options.ts';
import { SandboxProcess, SandboxProcessGone } from './sandbox-process.ts';
import type { EvaluateRequest, ResidualSandbox, SandboxResult } from './sandbox-types.ts';
import { Slots } from './slots.ts';

/** How long an interrupted evaluation may take to stop before its process is killed. */
const STOP_GRACE_MS = 1_000;

/**
 * The sandbox process's data limit: DuckDB's memory limit, as much again for the copies of the
 * input tables and of the result held in JavaScript (each bounded by the same figure), and room for
 * node itself.
 */
export function processDataLimitBytes(budgetBytes: number): number {
  return 2 * budgetBytes + 512 * 2 ** 20;
}
/** Settings applied in this order: temp_directory cannot change once external access is off. */
export function sandboxInstanceSettings(options: SandboxOptions): Record<string, string> {
  return {
    temp_directory: '',
    max_temp_directory_size: '0B',
    enable_external_access: 'false',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    allow_community_extensions: 'false',
    allow_unsigned_extensions: 'false',
    allow_persistent_secrets: 'false',
    memory_limit: options.memoryLimit,
    threads: '1',
    // NULLs sort as in PostgreSQL (last ascending, first descending) when the SQL does not say.
    default_null_order: 'nulls_last_on_asc_first_on_desc',
    lock_configuration: 'true',
  };
}

export async function createResidualSandbox(options: SandboxOptions): Promise<ResidualSandbox> {
  await loadModule();
  const budget = memoryBytes(options.memoryLimit);
  if (budget === undefined) throw new UserError('CONFIG_INVALID', `sandbox memory limit ${JSON.stringify(options.memoryLimit)} is not a memory size`);
  const processOptions = {
    setup: { instanceSettings: sandboxInstanceSettings(options), budgetBytes: budget, memoryLimit: options.memoryLimit },
    dataLimitBytes: processDataLimitBytes(budget),
  };
  // One process per slot, each evaluating one request at a time: a statement that exhausts its
  // process stops only itself. One is started now so the first statement does not wait for it.
  const idle: SandboxProcess[] = [new SandboxProcess(processOptions)];
  const all = new Set<SandboxProcess>(idle);
  const take = (): SandboxProcess => {
    for (let p = idle.pop(); p; p = idle.pop()) if (p.alive) return p;
    const started = new SandboxProcess(processOptions);
    all.add(started);
    return started;
  };
  const giveBack = (p: SandboxProcess): void => {
    if (p.alive) idle.push(p);
    else all.delete(p);
  };
  const slots = new Slots(options.maxConcurrent);
  return {
    evaluate: (request) => evaluate(slots, take, giveBack, options, request),
    async close() {
      for (const p of all) p.kill();
      all.clear();
      idle.length = 0;
    },
  };
}

let shared: Promise<ResidualSandbox> | undefined;

/** The process's sandbox, created on first use with the bounds of the environment (`sandbox-options.ts`). */
export function sharedResidualSandbox(): Promise<ResidualSandbox> {
  shared ??= createResidualSandbox(readSandboxOptions(process.env)).catch((error: unknown) => {
    shared = undefined;
    throw error;
  });
  return shared;
}

/** Why an evaluation stopped early, once it has. */
type Stop = 'timeout' | 'cancel';

async function evaluate(
  slots: Slots,
  take: () => SandboxProcess,
  giveBack: (p: SandboxProcess) => void,
  options: SandboxOptions,
  request: EvaluateRequest,
): Promise<SandboxResult> {
  checkResidualSql(request.sql, new Set(request.tables.map((t) => t.name)));
  const stopped = new AbortController();
  let worker: SandboxProcess | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const halt = (why: Stop): void => {
    if (stopped.signal.aborted) return;
    stopped.abort(why);
    worker?.interrupt();
    // An evaluation that does not stop when asked (a long native call) is stopped with its process.
    killTimer = setTimeout(() => worker?.kill(), STOP_GRACE_MS);
  };
  const timer = setTimeout(() => halt('timeout'), options.timeoutMs);
  const onAbort = (): void => halt('cancel');
  if (request.signal?.aborted) halt('cancel');
  request.signal?.addEventListener('abort', onAbort, { once: true });
  let release: (() => void) | undefined;
  try {
    release = await slots.acquire(stopped.signal);
    if (stopped.signal.aborted) throw stopError(stopped.signal.reason as Stop, options);
    worker = take();
    return await worker.evaluate(request.tables, request.sql);
  } catch (error) {
    if (stopped.signal.aborted) throw stopError(stopped.signal.reason as Stop, options, error);
    if (error instanceof SandboxProcessGone && !error.starting) {
      throw new UserError('OUT_OF_MEMORY', `the SQL API's sandbox stopped while evaluating this query: ${error.message}; it most likely needed more memory than the sandbox allows`, {
        cause: error,
        hint: 'filter or aggregate further, or raise CUBEJS_SQL_API_SANDBOX_MEMORY_LIMIT',
      });
    }
    throw error;
  } finally {
    clearTimeout(timer);
    clearTimeout(killTimer);
    request.signal?.removeEventListener('abort', onAbort);
    if (worker) giveBack(worker);
    release?.();
  }
}

function stopError(stop: Stop, options: SandboxOptions, cause?: unknown): UserError {
  return stop === 'timeout'
    ? new UserError('QUERY_TIMEOUT', 'canceling statement due to statement timeout', {
        cause,
        hint: `the post-processing of a query over cubes and views may take ${options.timeoutMs} ms (CUBEJS_SQL_API_STATEMENT_TIMEOUT)`,
      })
    : new UserError('QUERY_CANCELLED', 'canceling statement due to user request', { cause });
}
