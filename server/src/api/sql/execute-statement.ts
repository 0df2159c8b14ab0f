/**
 * Runs one classified statement for one connection and encodes its rows in the formats the
 * client asked for: session commands in our layer, catalog SELECTs in the catalog database,
 * model SELECTs through the semantic engine.
 */
import type { RequestContext, SemanticEngine } from '../../engine/engine-types.ts';
import type { CatalogDatabase } from './catalog/catalog-database.ts';
import { bindSessionValues } from './catalog/bind-session-values.ts';
import type { ModelTable } from './catalog/model-tables.ts';
import { runSessionCommand, SqlStateError } from './session/session-commands.ts';
import { runCursorCommand } from './session/cursor-commands.ts';
import { sessionTimeoutMs, withStatementTimeout } from './session/statement-timeout.ts';
import type { SessionState } from './session/session-state.ts';
import { StatementClock } from './session/session-clock.ts';
import { formatFor, type StatementResult } from './session/statement-types.ts';
import type { ClassifiedStatement } from './translate/classify-statement.ts';
import { answerModelSelect, collectResult } from './translate/answer-model-select.ts';
import { isStreamed, type ModelResult } from './translate/run-model-query.ts';
import { StreamedRows } from './wire/streamed-rows.ts';
import type { ParamValue } from './wire/decode-param.ts';
import { encodeRows } from './wire/encode-rows.ts';
import { OID, typeSize } from './wire/pg-types.ts';

/** What statement execution needs from the server. */
export interface ExecutionDeps {
  readonly engine: SemanticEngine;
  readonly catalog: CatalogDatabase;
  readonly findTable: (schema: string | undefined, name: string) => ModelTable | undefined;
  readonly maxScanRows: number;
  /** BackendKeyData process id of the connection (pg_backend_pid()). */
  readonly processId?: number;
}

/** One statement with its bound parameters (raw for the catalog, decoded for the translator). */
export interface BoundStatement {
  readonly statement: ClassifiedStatement;
  readonly paramTypes: readonly number[];
  readonly rawParams: readonly (Buffer | null)[];
  readonly paramFormats: readonly number[];
  readonly params: readonly ParamValue[];
  readonly resultFormats: readonly number[];
  /** Gather a streamed model result into one (a cursor keeps its rows to move over them). */
  readonly collect?: boolean;
}

export async function executeStatement(deps: ExecutionDeps, session: SessionState, bound: BoundStatement, ctx: RequestContext): Promise<StatementResult> {
  const { statement } = bound;
  if (session.transactionStatus === 'E' && !(statement.kind === 'session' && statement.type === 'TransactionStmt')) {
    throw new SqlStateError('25P02', 'current transaction is aborted, commands ignored until end of transaction block');
  }
  switch (statement.kind) {
    case 'empty':
      return { rows: [], tag: '' };
    case 'refused':
      throw new SqlStateError(statement.sqlState, statement.message);
    case 'session':
      return runSessionCommand(session, statement.type, statement.node, bound.resultFormats);
    case 'cursor':
      return runCursorCommand(statement, session, bound.resultFormats, {
        isModelTable: (schema, name) => deps.findTable(schema, name) !== undefined,
        runQuery: (query) => executeStatement(deps, session, { ...bound, statement: query, resultFormats: [], collect: true }, ctx),
      });
    case 'catalog': {
      const sql = bindSessionValues(statement.sql, statement.stmt, session, deps.processId ?? 0);
      const catalogSession = { database: session.database, timeZone: StatementClock.of(session.settings).timeZone };
      const r = await deps.catalog.execute(sql, bound.paramTypes, bound.rawParams, bound.paramFormats, bound.resultFormats, ctx.signal, sessionTimeoutMs(session), catalogSession);
      return { fields: r.fields, rows: r.rows, tag: r.tag };
    }
    case 'model': {
      const clock = StatementClock.of(session.settings);
      const result = await withStatementTimeout(session, ctx, async (c) => {
        const r = await answerModelSelect(statement, bound.params, deps, c, clock);
        return bound.collect ? await collectResult(r) : r;
      });
      return encodeResult(printTimestamptzIn(result, clock), bound.resultFormats);
    }
  }
}

/**
 * timestamptz columns printed in the session's time zone, as Postgres prints them (the sandbox
 * computes in UTC). Only residual results have such columns; streamed ones come from the engine.
 */
function printTimestamptzIn(result: ModelResult, clock: StatementClock): ModelResult {
  if (isStreamed(result) || !result.columns.some((c) => c.oid === OID.timestamptz)) return result;
  const data = result.data.map((values, i) => (result.columns[i]!.oid === OID.timestamptz ? values.map((v) => (typeof v === 'string' ? clock.printTimestamptz(v) : v)) : values));
  return { ...result, data };
}

/**
 * RowDescription fields and DataRow messages of a typed columnar result; a streamed one is encoded
 * chunk by chunk as the connection writes it (its tag counts the rows once they are all sent).
 */
export function encodeResult(result: ModelResult, resultFormats: readonly number[]): StatementResult {
  const formats = result.columns.map((_, i) => formatFor(resultFormats, i));
  const fields = result.columns.map((c, i) => ({ name: c.name, typeOid: c.oid, typeSize: typeSize(c.oid), typeModifier: -1, format: formats[i]! }));
  const oids = result.columns.map((c) => c.oid);
  if (isStreamed(result)) return { fields, rows: new StreamedRows(result.chunks, oids, formats), tag: 'SELECT' };
  const rows = encodeRows(result.data, oids, formats, result.rowCount);
  return { fields, rows, tag: `SELECT ${result.rowCount}` };
}
