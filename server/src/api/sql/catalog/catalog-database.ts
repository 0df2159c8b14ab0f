/**
 * The catalog: a real Postgres (PGlite, in WASM) holding one empty table per cube and view, with
 * comments from titles and descriptions and a `measure(anyelement)` aggregate, so pg_catalog and
 * information_schema queries of every client are answered exactly as Postgres answers them.
 *
 * This file holds what a connection sees of it (`CatalogDatabase`), the answers and errors, and
 * the DDL of the tables; `shared-catalog-database.ts` runs the PGlite behind it.
 */
import type { ModelTable } from './model-tables.ts';
import { sqlTypeName } from '../wire/pg-types.ts';
import { buildBind, buildDescribe, buildExecute, buildParse, buildSync, readErrorFields, readRowDescription, type BackendFrame } from '../wire/frontend-builders.ts';
import type { FieldDescription } from '../wire/backend-messages.ts';

/** An error answered by the catalog database, with its SQLSTATE fields. */
export class CatalogError extends Error {
  constructor(readonly fields: Readonly<Record<string, string>>) {
    super(fields.M ?? 'catalog query failed');
  }
}

/** Rows of one catalog statement: RowDescription fields, raw DataRow messages, command tag. */
export interface CatalogResult {
  readonly fields?: readonly FieldDescription[];
  readonly rows: readonly Buffer[];
  readonly tag: string;
}

/** Parameter and result types of a statement, as Describe (statement) reports them. */
export interface CatalogDescription {
  readonly paramTypes: readonly number[];
  readonly fields?: readonly FieldDescription[];
}

/**
 * The catalog as one connection's caller may see it. Only read-only statements are sent, each as
 * one complete Parse/Bind/Describe/Execute/Sync unit; session state (settings, transactions,
 * prepared statements) lives in the SQL API's own layer.
 */
/**
 * What a catalog statement must see of the connection's session: the database it connected to
 * (pg_database, information_schema's catalog names) and its TimeZone (now(), current_date,
 * 'today', how timestamptz prints). Absent: PGlite's own (`postgres`, UTC).
 */
export interface CatalogSession {
  readonly database: string;
  /** An IANA zone name (session-clock.ts has checked it). */
  readonly timeZone: string;
}

export interface CatalogDatabase {
  /**
   * Runs one statement with its bound parameters; rejects with CatalogError as Postgres answers,
   * or with 57014 past the statement timeout (the catalog's, or `timeoutMs`, the session's
   * statement_timeout, if smaller; counted from when the statement has the database) or once
   * `signal` (the connection's CancelRequest) is tripped, or 53200 past the catalog's memory bound.
   */
  execute(sql: string, paramTypes: readonly number[], params: readonly (Buffer | null)[], paramFormats: readonly number[], resultFormats: readonly number[], signal?: AbortSignal, timeoutMs?: number, session?: CatalogSession): Promise<CatalogResult>;
  /** Describe of a statement: parameter types (declared ones kept) and result columns; bounded as `execute`. */
  describe(sql: string, paramTypes: readonly number[], signal?: AbortSignal): Promise<CatalogDescription>;
}

/** The protocol messages of one `execute` unit. */
export function executeMessage(sql: string, paramTypes: readonly number[], params: readonly (Buffer | null)[], paramFormats: readonly number[], resultFormats: readonly number[]): Buffer {
  return Buffer.concat([buildParse('', sql, paramTypes), buildBind('', '', params, paramFormats, resultFormats), buildDescribe('P', ''), buildExecute('', 0), buildSync()]);
}

/** The protocol messages of one `describe` unit. */
export function describeMessage(sql: string, paramTypes: readonly number[]): Buffer {
  return Buffer.concat([buildParse('', sql, paramTypes), buildDescribe('S', ''), buildSync()]);
}

/** Reads the answer to an `execute` unit; throws its ErrorResponse as CatalogError. */
export function readExecuteAnswer(frames: readonly BackendFrame[]): CatalogResult {
  let fields: FieldDescription[] | undefined;
  const rows: Buffer[] = [];
  let tag = '';
  for (const f of frames) {
    if (f.type === 'E') throw new CatalogError(readErrorFields(f.body));
    if (f.type === 'T') fields = readRowDescription(f.body);
    else if (f.type === 'D') rows.push(Buffer.from(f.raw));
    else if (f.type === 'C') tag = f.body.toString('utf8', 0, f.body.length - 1);
  }
  return { fields, rows, tag };
}

/** Reads the answer to a `describe` unit; throws its ErrorResponse as CatalogError. */
export function readDescribeAnswer(frames: readonly BackendFrame[]): CatalogDescription {
  let paramTypes: number[] = [];
  let fields: FieldDescription[] | undefined;
  for (const f of frames) {
    if (f.type === 'E') throw new CatalogError(readErrorFields(f.body));
    if (f.type === 't') {
      const n = f.body.readInt16BE(0);
      paramTypes = Array.from({ length: n }, (_, i) => f.body.readUInt32BE(2 + 4 * i));
    } else if (f.type === 'T') fields = readRowDescription(f.body);
  }
  return { paramTypes, fields };
}

const quoteIdent = (s: string): string => `"${s.replace(/"/g, '""')}"`;
const quoteLiteral = (s: string): string => `'${s.replace(/'/g, "''")}'`;

function comment(title?: string, description?: string): string | undefined {
  if (title && description) return `${title}: ${description}`;
  return description ?? title;
}

/** DDL of the catalog: the `measure` aggregate and one commented table per cube/view (also used to build the oracle in tests). */
export function catalogSetupSql(tables: Iterable<ModelTable>): string {
  const statements = [
    // Cube's MEASURE(): an aggregate taking any type so clients can type-check `MEASURE(col)`. Its
    // step function is an implementation detail: in pg_catalog, so psql's \df lists only `measure`.
    `CREATE FUNCTION pg_catalog.sqlapi_measure_step(anyelement, anyelement) RETURNS anyelement LANGUAGE sql IMMUTABLE AS 'SELECT $2'`,
    `CREATE AGGREGATE public.measure(anyelement) (SFUNC = pg_catalog.sqlapi_measure_step, STYPE = anyelement)`,
  ];
  for (const table of tables) {
    const cols = table.columns.map((c) => `${quoteIdent(c.name)} ${sqlTypeName(c.oid)}`);
    statements.push(`CREATE TABLE public.${quoteIdent(table.name)} (${cols.join(', ')})`);
    const tableComment = comment(table.title, table.description);
    if (tableComment) statements.push(`COMMENT ON TABLE public.${quoteIdent(table.name)} IS ${quoteLiteral(tableComment)}`);
    for (const c of table.columns) {
      const text = comment(c.title, c.description);
      if (text) statements.push(`COMMENT ON COLUMN public.${quoteIdent(table.name)}.${quoteIdent(c.name)} IS ${quoteLiteral(text)}`);
    }
  }
  return `${statements.join(';\n')};`;
}
