/**
 * Evaluates residual SQL safely: a DuckDB in memory of its own (never the lakehouse's), created
 * with external access off (no files, COPY, ATTACH, INSTALL/LOAD), no extension auto-install or
 * auto-load, bounded memory, one thread, no spilling to disk, then its configuration locked.
 * Each evaluation gets a fresh connection whose temp tables hold that statement's semantic results
 * and nothing else; the SQL is checked on PostgreSQL's parse tree first (`check-residual-sql.ts`),
 * DuckDB must read it as the same single SELECT, and the connection is interrupted on timeout or
 * cancel. https://duckdb.org/docs/stable/operations_manual/securing_duckdb/overview
 */
import { DuckDBInstance, StatementType, type DuckDBConnection } from '@duckdb/node-api';
import { loadModule } from 'libpg-query';
import { UserError } from '../../../errors/user-error.ts';
import { checkResidualSql } from './check-residual-sql.ts';
import { loadSandboxTables } from './load-sandbox-tables.ts';
import { readSandboxResult } from './read-sandbox-result.ts';
import { memoryBytes, readSandboxOptions, type SandboxOptions } from './sandbox-options.ts';
import type { EvaluateRequest, ResidualSandbox, SandboxResult } from './sandbox-types.ts';
import { Slots } from './slots.ts';

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
  const instance = await DuckDBInstance.create(':memory:', sandboxInstanceSettings(options));
  const slots = new Slots(options.maxConcurrent);
  return {
    evaluate: (request) => evaluate(instance, slots, options, budget, request),
    async close() {
      instance.closeSync();
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

async function evaluate(instance: DuckDBInstance, slots: Slots, options: SandboxOptions, budget: number, request: EvaluateRequest): Promise<SandboxResult> {
  checkResidualSql(request.sql, new Set(request.tables.map((t) => t.name)));
  const stopped = new AbortController();
  let connection: DuckDBConnection | undefined;
  const halt = (why: Stop): void => {
    if (stopped.signal.aborted) return;
    stopped.abort(why);
    connection?.interrupt();
  };
  const timer = setTimeout(() => halt('timeout'), options.timeoutMs);
  const onAbort = (): void => halt('cancel');
  if (request.signal?.aborted) halt('cancel');
  request.signal?.addEventListener('abort', onAbort, { once: true });
  const check = (): void => {
    if (stopped.signal.aborted) throw stopError(stopped.signal.reason as Stop, options);
  };
  let release: (() => void) | undefined;
  try {
    release = await slots.acquire(stopped.signal);
    connection = await instance.connect();
    check();
    await loadSandboxTables(connection, request.tables, check);
    const extracted = await connection.extractStatements(request.sql);
    if (extracted.count !== 1) throw new UserError('UNSUPPORTED', 'the post-processing step of a query over cubes and views must be a single SELECT');
    const prepared = await extracted.prepare(0);
    if (prepared.statementType !== StatementType.SELECT) throw new UserError('UNSUPPORTED', 'the post-processing step of a query over cubes and views must be a single SELECT');
    check();
    const result = await prepared.stream();
    return await readSandboxResult(result, budget, options.memoryLimit);
  } catch (error) {
    if (stopped.signal.aborted) throw stopError(stopped.signal.reason as Stop, options, error);
    throw duckDbError(error);
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener('abort', onAbort);
    connection?.closeSync();
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

/** DuckDB's errors by kind: memory → 53200, permission → 42501, the rest → 0A000 naming DuckDB's reason. */
function duckDbError(error: unknown): unknown {
  if (error instanceof UserError || !(error instanceof Error)) return error;
  // DuckDB says what went wrong as "<Kind> Error: …", at times after a prefix of the binding's
  // ("Failed to extract statements: Parser Error: …"); an error without that is a bug of ours.
  const reason = /\b([A-Z][A-Za-z ]* Error: .*)/.exec(error.message.split('\n')[0]!)?.[1];
  if (reason === undefined) return error;
  if (reason.startsWith('Out of Memory Error')) {
    return new UserError('OUT_OF_MEMORY', `the SQL API's sandbox ran out of memory evaluating this query: ${reason}`, {
      cause: error,
      hint: 'filter or aggregate further, or raise CUBEJS_SQL_API_SANDBOX_MEMORY_LIMIT',
    });
  }
  if (reason.startsWith('Permission Error')) return new UserError('ACCESS_DENIED', `not allowed in the SQL API: ${reason}`, { cause: error });
  return new UserError('UNSUPPORTED', `cannot evaluate this query over the semantic layer's result: ${reason}`, { cause: error });
}
