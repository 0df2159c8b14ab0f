/**
 * The sandbox's process (started by `sandbox-process.ts`, never imported): a DuckDB in memory of
 * its own, configured once (`sandboxInstanceSettings`), evaluating one request at a time sent over
 * the IPC channel. It runs under an operating-system data limit (`ulimit -d`): DuckDB's
 * `memory_limit` bounds its buffers but not the strings a scalar function builds (`repeat`,
 * `replace`, `printf` widths, concatenations of concatenations), and past the process limit an
 * allocation fails here (DuckDB answers "Out of Memory") or this process dies — never the server.
 * It exits when the server goes away (the channel closes).
 */
import { DuckDBInstance, StatementType, type DuckDBConnection } from '@duckdb/node-api';
import { UserError } from '../../../errors/user-error.ts';
import { loadSandboxTables } from './load-sandbox-tables.ts';
import { readSandboxResult } from './read-sandbox-result.ts';
import type { WorkerReply, WorkerRequest, WorkerSetup } from './sandbox-protocol.ts';
import type { SandboxTable } from './sandbox-types.ts';

const setup = JSON.parse(process.env.SQL_API_SANDBOX_SETUP ?? '{}') as WorkerSetup;
const instance = await DuckDBInstance.create(':memory:', setup.instanceSettings);
const running = new Map<number, DuckDBConnection>();
const interrupted = new Set<number>();

const reply = (message: WorkerReply): void => {
  process.send?.(message);
};

process.on('message', (message: WorkerRequest) => {
  if (message.kind === 'interrupt') {
    interrupted.add(message.id);
    running.get(message.id)?.interrupt();
    return;
  }
  void evaluate(message.id, message.tables, message.sql);
});
process.on('disconnect', () => process.exit(0));

async function evaluate(id: number, tables: readonly SandboxTable[], sql: string): Promise<void> {
  let connection: DuckDBConnection | undefined;
  const check = (): void => {
    if (interrupted.has(id)) throw new Error('Interrupted');
  };
  try {
    connection = await instance.connect();
    running.set(id, connection);
    check();
    await loadSandboxTables(connection, tables, check);
    const extracted = await connection.extractStatements(sql);
    if (extracted.count !== 1) throw new UserError('UNSUPPORTED', 'the post-processing step of a query over cubes and views must be a single SELECT');
    const prepared = await extracted.prepare(0);
    if (prepared.statementType !== StatementType.SELECT) throw new UserError('UNSUPPORTED', 'the post-processing step of a query over cubes and views must be a single SELECT');
    check();
    const result = await readSandboxResult(await prepared.stream(), setup.budgetBytes, setup.memoryLimit);
    reply({ kind: 'result', id, result });
  } catch (error) {
    reply({ kind: 'error', id, error: describeError(duckDbError(error)) });
  } finally {
    running.delete(id);
    interrupted.delete(id);
    connection?.closeSync();
  }
}

function describeError(error: unknown): (WorkerReply & { kind: 'error' })['error'] {
  if (error instanceof UserError) return { code: error.code, message: error.message, ...(error.hint !== undefined ? { hint: error.hint } : {}) };
  return { message: error instanceof Error ? error.message : String(error) };
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
      hint: 'filter or aggregate further, or raise CUBEJS_SQL_API_SANDBOX_MEMORY_LIMIT',
    });
  }
  if (reason.startsWith('Permission Error')) return new UserError('ACCESS_DENIED', `not allowed in the SQL API: ${reason}`);
  return new UserError('UNSUPPORTED', `cannot evaluate this query over the semantic layer's result: ${reason}`);
}

reply({ kind: 'ready' });
