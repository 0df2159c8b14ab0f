/**
 * The BI suites' SQL client: the `bi` user (the internal team's security context) of a stack's SQL
 * API (support/stack.ts with `serve: { sql: BI_SQL }`, over the hand-built gold star schema), a
 * node-postgres client that keeps every value as the text the server sent, one statement run
 * without throwing on an ErrorResponse, and the comparisons with the independent sides: REST
 * `/load`, hand-written SQL over the gold file, and `MEASURE()` through the SQL API itself.
 */
import pg from 'pg';
import { queryDuckDb, queryDuckDbRows, type StackSqlOptions } from '../../support/stack.ts';
import { INTERNAL_CONTEXT } from '../../engine/gold-fixture.ts';

export const BI_USER = 'bi';
export const BI_PASSWORD = 'bi-password';

/** The SQL API of a BI stack: user `bi` as the internal team (sees every member and row). */
export const BI_SQL: StackSqlOptions = {
  users: { [BI_USER]: { password: BI_PASSWORD, securityContext: INTERNAL_CONTEXT } },
  onInternalError: () => {},
};

/** What a statement gave: rows (values as pg's text, so nothing is rounded by a parser) or an ErrorResponse. */
export type Outcome =
  | { readonly ok: true; readonly fields: readonly string[]; readonly rows: readonly (readonly (string | null)[])[]; readonly command: string }
  | { readonly ok: false; readonly code: string; readonly message: string };

/** A node-postgres client that keeps every value as the text the server sent. */
export async function connectBi(port: number): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: BI_USER, password: BI_PASSWORD, database: 'db', types: { getTypeParser: () => (v: string) => v } });
  await client.connect();
  return client;
}

/** How a statement is sent: the simple protocol (default), or Parse/Bind/Execute as Npgsql and pgjdbc send it. */
export interface RunOptions {
  readonly extended?: boolean;
  readonly params?: readonly unknown[];
}

/**
 * Runs one statement and returns its rows or its error, never throwing on an ErrorResponse. A
 * simple query holding several statements gives the last one's result, as psqlODBC reads it.
 */
export async function run(client: pg.Client, text: string, options: RunOptions = {}): Promise<Outcome> {
  const extended = options.extended || (options.params?.length ?? 0) > 0;
  try {
    const r = await client.query({ text, rowMode: 'array', ...(extended ? { queryMode: 'extended' as const, values: [...(options.params ?? [])] } : {}) });
    const result = Array.isArray(r) ? r[r.length - 1] : r;
    return { ok: true, fields: (result.fields ?? []).map((f: { name: string }) => f.name), rows: (result.rows ?? []) as (string | null)[][], command: result.command ?? '' };
  } catch (e) {
    const err = e as { code?: string; message: string };
    if (!err.code) throw e;
    return { ok: false, code: err.code, message: err.message };
  }
}

/** A statement's rows (values as the server's text); an ErrorResponse fails with its SQLSTATE and the statement. */
export async function answered(client: pg.Client, text: string): Promise<(string | null)[][]> {
  const got = await run(client, text);
  if (!got.ok) throw new Error(`${got.code} ${got.message}\n${text}`);
  return got.rows.map((r) => [...r]);
}

/** A statement's ErrorResponse; rows instead fail, showing the first of them. */
export async function refusal(client: pg.Client, text: string): Promise<{ code: string; message: string }> {
  const got = await run(client, text);
  if (got.ok) throw new Error(`expected a refusal for\n${text}\ngot ${JSON.stringify(got.rows.slice(0, 3))}`);
  return got;
}

/** Rows of hand-written SQL over the gold tables (the independent answer). */
export function hand(duckdbPath: string, text: string): Promise<Record<string, unknown>[]> {
  return queryDuckDb(duckdbPath, text);
}

/** The same as `hand`, rows as arrays (columns may share a name). */
export function handRows(duckdbPath: string, text: string): Promise<unknown[][]> {
  return queryDuckDbRows(duckdbPath, text);
}

/** Numbers compare with a relative tolerance; NULL only equals NULL; anything else as text. */
export function sameValue(got: unknown, want: unknown): boolean {
  if (got === null || got === undefined || want === null || want === undefined) return (got ?? null) === (want ?? null);
  const a = Number(got);
  const b = Number(want);
  if (typeof got !== 'boolean' && String(got).trim() !== '' && String(want).trim() !== '' && !Number.isNaN(a) && !Number.isNaN(b)) {
    return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
  }
  return String(got) === String(want);
}

/**
 * A value as comparable text: numbers to 9 significant digits, timestamps as `YYYY-MM-DD HH:MM:SS`
 * (REST's `T`, `Z` and zero fractions dropped), NULL as `null`, anything else as its text.
 */
export function canonical(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  const text = String(value);
  const ts = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(\.\d+)?Z?$/.exec(text);
  if (ts) return `${ts[1]} ${ts[2]}${ts[3] && Number(ts[3]) !== 0 ? ts[3].replace(/0+$/, '') : ''}`;
  if (typeof value !== 'boolean' && /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text.trim())) return String(Number(Number(text).toPrecision(9)));
  return text;
}

/** Rows as sorted (or, when `ordered`, in order) canonical JSON lines, for equality checks with a readable diff. */
export function rowLines(rows: readonly (readonly unknown[])[], ordered = false): string[] {
  const lines = rows.map((r) => JSON.stringify(r.map(canonical)));
  return ordered ? lines : lines.sort();
}

/** Maps rows of [key, value] by key (text), for comparisons that ignore row order. */
export function byKey(rows: readonly (readonly unknown[])[]): Map<string, unknown> {
  return new Map(rows.map((r) => [String(r[0] ?? 'NULL'), r[1] ?? null]));
}
