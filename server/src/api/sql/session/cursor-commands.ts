/**
 * DECLARE, FETCH and MOVE, answered per connection (psqlODBC with UseDeclareFetch, hence Excel and
 * Tableau, psycopg's server-side cursors). DECLARE runs the cursor's query once through the same
 * path as any statement (`runQuery`: the semantic engine for model tables, the catalog otherwise)
 * and keeps its rows; FETCH hands them out and MOVE moves over them, as Postgres positions a
 * portal. CLOSE and the end of transactions are in session-commands.ts.
 * https://www.postgresql.org/docs/current/sql-declare.html
 */
import * as msg from '../wire/backend-messages.ts';
import { StreamedRows } from '../wire/streamed-rows.ts';
import { encodeValue } from '../wire/encode-value.ts';
import { readDataRow } from '../wire/frontend-builders.ts';
import { OID } from '../wire/pg-types.ts';
import { classifyStatement, splitStatements, type ClassifiedStatement } from '../translate/classify-statement.ts';
import { SqlText } from '../translate/sql-text.ts';
import type { AstNode } from '../translate/walk-ast.ts';
import { Cursor, CURSOR_OPTION, type FetchDirection } from './cursor.ts';
import type { SessionState } from './session-state.ts';
import { SqlStateError } from './sql-state-error.ts';
import { formatFor, type StatementResult } from './statement-types.ts';

/** A cursor statement as classified: DECLARE or FETCH/MOVE, with its parse tree. */
export interface CursorStatement {
  readonly type: 'DeclareCursorStmt' | 'FetchStmt';
  readonly node: AstNode;
  readonly sql: string;
}

/** What cursor commands need from the statement runner. */
export interface CursorDeps {
  readonly isModelTable: (schema: string | undefined, name: string) => boolean;
  /** Runs the cursor's query with the DECLARE's parameters; rows come back in text format. */
  readonly runQuery: (query: ClassifiedStatement) => Promise<StatementResult>;
}

/** Types whose text form FETCH can re-encode in binary (what the model and clients' catalog reads use). */
const BINARY_FROM_TEXT = new Set<number>([OID.bool, OID.int2, OID.int4, OID.int8, OID.oid, OID.float4, OID.float8, OID.numeric, OID.date, OID.timestamp, OID.text, OID.varchar, OID.name, OID.bpchar]);

export async function runCursorCommand(statement: CursorStatement, session: SessionState, resultFormats: readonly number[], deps: CursorDeps): Promise<StatementResult> {
  return statement.type === 'DeclareCursorStmt' ? declare(statement, session, deps) : fetch(statement.node, session, resultFormats);
}

async function declare(statement: CursorStatement, session: SessionState, deps: CursorDeps): Promise<StatementResult> {
  const name = String(statement.node.portalname ?? '');
  const options = Number(statement.node.options ?? 0);
  if (session.cursors.has(name)) throw new SqlStateError('42P03', `cursor "${name}" already exists`);
  if (!(options & CURSOR_OPTION.hold) && session.transactionStatus === 'I') {
    throw new SqlStateError('25P01', 'DECLARE CURSOR can only be used in transaction blocks');
  }
  const query = cursorQuery(statement.sql, deps.isModelTable);
  const result = await deps.runQuery(query);
  if (result.rows instanceof StreamedRows) throw new Error('a cursor query must be run with collect'); // see execute-statement.ts
  session.cursors.set(name, new Cursor(name, result.fields ?? [], result.rows, options, session.transactionStatus !== 'I'));
  return { rows: [], tag: 'DECLARE CURSOR' };
}

/** The cursor's query (the text after `CURSOR … FOR`), classified like any statement. */
function cursorQuery(sql: string, isModelTable: CursorDeps['isModelTable']): ClassifiedStatement {
  const text = new SqlText(sql);
  const tokens = text.tokens;
  // Token 0 is DECLARE, token 1 the name (which may itself be the unreserved word `cursor`).
  let i = 2;
  while (i < tokens.length && tokens[i]!.text.toUpperCase() !== 'CURSOR') i++;
  while (i < tokens.length && tokens[i]!.text.toUpperCase() !== 'FOR') i++;
  const splits = splitStatements(text.slice(tokens[i]?.end ?? text.bytes.length, text.bytes.length));
  if (splits.length !== 1) throw new SqlStateError('42601', 'DECLARE CURSOR needs exactly one query');
  const query = classifyStatement(splits[0]!, isModelTable);
  if (query.kind === 'refused') throw new SqlStateError(query.sqlState, query.message);
  if (query.kind !== 'model' && query.kind !== 'catalog') throw new SqlStateError('42601', 'DECLARE CURSOR must be followed by a SELECT');
  return query;
}

function fetch(node: AstNode, session: SessionState, resultFormats: readonly number[]): StatementResult {
  const name = String(node.portalname ?? '');
  const cursor = session.cursors.get(name);
  if (!cursor) throw new SqlStateError('34000', `cursor "${name}" does not exist`);
  const indices = cursor.move(String(node.direction ?? 'FETCH_FORWARD') as FetchDirection, Number(node.howMany ?? 0));
  if (node.ismove) return { rows: [], tag: `MOVE ${indices.length}` };
  // The FETCH's own result formats decide (extended protocol); without any, a BINARY cursor answers in binary.
  const formats = cursor.fields.map((_, i) => (resultFormats.length > 0 ? formatFor(resultFormats, i) : cursor.binary ? 1 : 0));
  const fields = cursor.fields.map((f, i) => ({ ...f, format: formats[i]! }));
  const rows = formats.every((f) => f === 0) ? cursor.dataRows(indices) : indices.map((i) => reencode(cursor.dataRow(i), cursor, formats));
  return { fields, rows, tag: `FETCH ${indices.length}` };
}

/** A text-format DataRow in the formats asked for. */
function reencode(row: Buffer, cursor: Cursor, formats: readonly number[]): Buffer {
  const values = readDataRow(row.subarray(5)).map((value, i) => {
    if (value === null || formats[i] === 0) return value;
    const oid = cursor.fields[i]!.typeOid;
    if (!BINARY_FROM_TEXT.has(oid)) throw new SqlStateError('0A000', `binary format for type OID ${oid} is not supported by FETCH; fetch column "${cursor.fields[i]!.name}" as text`);
    return encodeValue(value.toString('utf8'), oid, 1);
  });
  return msg.dataRow(values);
}
