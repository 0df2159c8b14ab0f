/**
 * How a statement of the BI corpus (`bi-corpus/statements.json`) is judged, by the kind of its
 * `check`: a model query against `MEASURE()` through the SQL API, REST `/load` or SQL written by
 * hand on the gold tables; a catalog query by its columns and the rows it must (or must not)
 * list; a session command by succeeding or by its exact rows; DDL by a refusal with a SQLSTATE.
 * Returns the problem in one line, or undefined when the answer is right.
 */
import type pg from 'pg';
import { canonical, handRows, rowLines, run, type Outcome } from './bi-sql-client.ts';
import { loadRest } from '../../support/api-requests.ts';
import { namesMeasure } from './judge-visual.ts';

export type CorpusCheck =
  | { readonly kind: 'succeeds' }
  | { readonly kind: 'rows'; readonly rows: readonly (readonly string[])[] }
  | {
      readonly kind: 'catalog';
      readonly columns?: readonly string[];
      readonly containsRow?: Readonly<Record<string, string>>;
      readonly containsRows?: readonly Readonly<Record<string, string>>[];
      readonly excludesRow?: Readonly<Record<string, string>>;
      readonly rowCount?: number;
    }
  | {
      readonly kind: 'measure';
      readonly oracle: string;
      readonly ordered?: boolean;
      /** The statement may instead be refused with a message naming this measure. */
      readonly orRefusedNaming?: string;
      /** Oracle columns (0-based) the statement filters with `not … is null`: oracle rows where all are NULL are left out. */
      readonly dropIfNull?: readonly number[];
    }
  | { readonly kind: 'gold'; readonly sql: string; readonly ordered?: boolean }
  | { readonly kind: 'rest'; readonly query: object; readonly columns: readonly string[] }
  | { readonly kind: 'rowCount'; readonly gold: string }
  | { readonly kind: 'refused'; readonly sqlstates: readonly string[] };

/** One recorded statement. */
export interface CorpusStatement {
  readonly id: string;
  readonly tool: string;
  readonly purpose: string;
  readonly source: string;
  readonly session: string;
  readonly protocol: 'simple' | 'extended';
  readonly sql: string;
  readonly params?: readonly unknown[];
  /** Name under which the first value of the answer is kept, for `{{name}}` in later statements. */
  readonly capture?: string;
  readonly check: CorpusCheck;
}

/** What a check needs besides the answer: a client for `MEASURE()`, the REST URL, the gold file. */
export interface CheckContext {
  readonly oracle: pg.Client;
  readonly restUrl: string;
  readonly duckdbPath: string;
}

export async function checkCorpusStatement(check: CorpusCheck, got: Outcome, ctx: CheckContext): Promise<string | undefined> {
  if (check.kind === 'refused') {
    if (got.ok) return `answered (${got.rows.length} rows) where a refusal with ${check.sqlstates.join('/')} was expected`;
    return check.sqlstates.includes(got.code) ? undefined : `refused with ${got.code} (${got.message}), expected ${check.sqlstates.join('/')}`;
  }
  if (!got.ok) {
    if (check.kind === 'measure' && check.orRefusedNaming && got.code !== 'XX000' && namesMeasure(got.message, check.orRefusedNaming)) return undefined;
    return `${got.code} ${got.message}`;
  }
  switch (check.kind) {
    case 'succeeds':
      return undefined;
    case 'rows':
      return same(got.rows, check.rows, true);
    case 'catalog':
      return checkCatalog(check, got);
    case 'measure': {
      const want = await run(ctx.oracle, check.oracle);
      if (!want.ok) throw new Error(`the oracle failed: ${check.oracle}: ${want.code} ${want.message}`);
      const drop = check.dropIfNull;
      return same(got.rows, drop ? want.rows.filter((r) => !drop.every((i) => r[i] === null)) : want.rows, check.ordered);
    }
    case 'gold':
      return same(got.rows, await handRows(ctx.duckdbPath, check.sql), check.ordered);
    case 'rest': {
      const rest = await loadRest(ctx.restUrl, check.query);
      return same(got.rows, rest.map((r) => check.columns.map((c) => r[c] ?? null)));
    }
    case 'rowCount': {
      const [[want]] = (await handRows(ctx.duckdbPath, check.gold)) as [[unknown]];
      return got.rows.length === Number(want) ? undefined : `${got.rows.length} rows, expected ${String(want)}`;
    }
  }
}

function same(got: readonly (readonly unknown[])[], want: readonly (readonly unknown[])[], ordered = false): string | undefined {
  const g = rowLines(got, ordered);
  const w = rowLines(want, ordered);
  if (g.length === w.length && g.every((line, i) => line === w[i])) return undefined;
  const missing = w.filter((line) => !g.includes(line)).slice(0, 3);
  const extra = g.filter((line) => !w.includes(line)).slice(0, 3);
  return `wrong rows: ${g.length} rows, expected ${w.length}${missing.length ? `; expected but missing ${missing.join(' ')}` : ''}${extra.length ? `; got instead ${extra.join(' ')}` : ''}${!missing.length && !extra.length ? '; order differs' : ''}`;
}

function checkCatalog(check: Extract<CorpusCheck, { kind: 'catalog' }>, got: Extract<Outcome, { ok: true }>): string | undefined {
  const fields = got.fields.map((f) => f.toLowerCase());
  if (check.columns && JSON.stringify(fields) !== JSON.stringify(check.columns)) return `columns ${fields.join(', ')}, expected ${check.columns.join(', ')}`;
  if (check.rowCount !== undefined && got.rows.length !== check.rowCount) return `${got.rows.length} rows, expected ${check.rowCount}`;
  const matches = (want: Readonly<Record<string, string>>) =>
    got.rows.some((row) => Object.entries(want).every(([name, value]) => fields.includes(name) && canonical(row[fields.indexOf(name)]) === canonical(value)));
  for (const want of [...(check.containsRow ? [check.containsRow] : []), ...(check.containsRows ?? [])]) {
    if (!matches(want)) return `no row with ${JSON.stringify(want)} among ${got.rows.length} rows (columns ${fields.join(', ')})`;
  }
  if (check.excludesRow && matches(check.excludesRow)) return `lists ${JSON.stringify(check.excludesRow)}, which must not be listed`;
  return undefined;
}
