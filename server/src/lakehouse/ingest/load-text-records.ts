import type { DuckDBConnection } from '@duckdb/node-api';
import type { LandingSource } from '../datagen/landing-layout.ts';
import { sqlString } from '../open-lakehouse.ts';
import { appendQuarantine, type QuarantineEntry } from './bronze-tables.ts';
import { batchRowsPerFile } from './batch-rows-per-file.ts';
import type { BatchContext } from './ingest-types.ts';
import type { LandingFile } from './landing-files.ts';
import { columnListSql, missingReasonSql } from './load-sql.ts';
import { numberedLinesSql } from './numbered-lines-sql.ts';
import { plainLinesSql } from './plain-lines-sql.ts';
import { rejectedLineNumbers } from './rejected-line-numbers.ts';
import { castTextSql } from './text-value-sql.ts';

/**
 * What a text format (CSV, JSON lines) makes of its lines: a SELECT over `lines`
 * (`_source, _line_no, _line`) that keeps those columns and adds, for the contract's i-th column
 * (1-based), `_t<i>` (its text, NULL when absent) and `_p<i>` (why the field is unusable before any
 * cast, e.g. a JSON type mismatch, else NULL), and `_malformed` (why the whole line is not a
 * record, else NULL).
 */
export type TextFieldsSql = (lines: string) => string;

/** How a text format is read: its fields from numbered lines, and from `plain` files by DuckDB's parallel CSV scan. */
export interface TextFormat {
  readonly header: boolean;
  readonly fieldsSql: TextFieldsSql;
  /** The same columns as `fieldsSql` gives (`_line_no` and `_line` may be NULL) for plain files; a record the scan skips must count as rejected. */
  readonly plainFieldsSql: (files: readonly LandingFile[], ctx: BatchContext) => string;
}

/** Most rejected records of one plain file numbered from their text (rejected-line-numbers.ts). */
const MAX_REJECTS_NUMBERED_FROM_TEXT = 10_000;

/** Names of the per-column staging columns. */
export const textColumn = (i: number) => `_t${i + 1}`;
export const problemColumn = (i: number) => `_p${i + 1}`;

/**
 * Loads text files line by line: every line becomes either one bronze row (all its values typed per
 * the contract) or one quarantine row with its file, line number, reason and raw text. Reasons, in
 * this order: the format's `_malformed`; else every missing required field, then each field's
 * problem (`_p<i>`, or `<column>: cannot parse '<text>' as <TYPE>`), joined by '; '.
 * Nothing here fails on what a line holds, so one bad record never stops the batch.
 *
 * One pass appends the good records: plain files through DuckDB's parallel CSV scan, the others
 * line-numbered by `read_text`. A record is good when it has no reason, tested as a boolean (`_good`)
 * so the reason's text is built only for rejected records. Rejected records are rare, so only the
 * files where fewer records landed than the file holds (`lineCount`, counted from its bytes) are
 * read again for the quarantine: numbered files by `read_text`, plain files by the parallel scan,
 * their rejected lines then numbered from their text (rejected-line-numbers.ts; up to
 * `MAX_REJECTS_NUMBERED_FROM_TEXT` per file, else by `read_text` too). Returns this
 * batch's accepted records per file (`batchRowsPerFile`), which the quarantine leaves as they are.
 */
export async function loadTextRecords(
  connection: DuckDBConnection, source: LandingSource, files: readonly LandingFile[], ctx: BatchContext,
  format: TextFormat,
): Promise<ReadonlyMap<string, number>> {
  const typed = source.columns.map(([name, type], i) => `${castTextSql(textColumn(i), type)} AS ${name}`);
  const unparsed = (name: string, i: number) => `${textColumn(i)} IS NOT NULL AND ${name} IS NULL`;
  const problems = source.columns.map(([name, type], i) => (type === 'VARCHAR' ? problemColumn(i)
    : `coalesce(${problemColumn(i)}, CASE WHEN ${unparsed(name, i)} THEN '${name}: cannot parse ''' || ${textColumn(i)} || ''' as ${type}' END)`));
  // The same verdict as `_reason IS NULL`, without building any text.
  const good = ['_malformed IS NULL', ...source.required.map((c) => `${textColumn(source.columns.findIndex(([n]) => n === c))} IS NOT NULL`),
    ...source.columns.map(([name, type], i) => `${problemColumn(i)} IS NULL${type === 'VARCHAR' ? '' : ` AND NOT (${unparsed(name, i)})`}`)];
  // For the unmaterialized INSERT of the good records (a materialized CTE is filtered after it is
  // computed), a volatile term (always true: random() is in [0, 1)) keeps DuckDB from pushing
  // `WHERE _good` below the projection that types the values: the pushed-down
  // copy ran every shape check and cast once for the filter and again for the row, ≈ 30 % of the
  // INSERT's CPU. The quarantine reads keep the pushdown: there it spares the reason's text on the
  // many good records.
  const records = (fields: string, verdictStaysUp = false) => `SELECT _source, _line_no, _line, ${columnListSql(source)},
      ${good.join(' AND ')}${verdictStaysUp ? ' AND random() >= 0' : ''} AS _good,
      coalesce(_malformed, nullif(concat_ws('; ', ${missingReasonSql(source, (_c, i) => textColumn(i))}, ${problems.join(', ')}), '')) AS _reason
    FROM (SELECT *, ${typed.join(', ')} FROM (${fields}))`;
  // Line-parsed fields come from one list per line, which a filter pushed below the casts would build
  // again: that path materializes its records. The scan's columns are cheap to read twice, and an
  // unmaterialized INSERT ... SELECT lets DuckDB write row groups straight to the file as it goes.
  const insertGood = (fields: string, materialized: boolean) => connection.run(`INSERT INTO bronze.${source.table} (${columnListSql(source)}, _ingested_at, _source, _batch_id)
    WITH r AS ${materialized ? '' : 'NOT '}MATERIALIZED (${records(fields, !materialized)})
    SELECT ${columnListSql(source)}, TIMESTAMP '${ctx.ingestedAt}', _source, ${sqlString(ctx.batchId)} FROM r WHERE _good`);
  const plain = files.filter((f) => f.plain);
  const numbered = files.filter((f) => !f.plain);
  if (plain.length > 0) await insertGood(format.plainFieldsSql(plain, ctx), false);
  if (numbered.length > 0) await insertGood(format.fieldsSql(`(${numberedLinesSql(numbered, ctx, { header: format.header })})`), true);
  const accepted = await batchRowsPerFile(connection, source.table, ctx);
  const withRejects = files.filter((f) => f.lineCount === null || (accepted.get(f.relativePath) ?? 0) < f.lineCount);
  if (withRejects.length === 0) return accepted;
  // Numbering from the text holds a file's rejected lines in memory: a plain file made mostly of
  // rejects (a wrong export) is numbered by read_text inside DuckDB like the others.
  const byText = (f: LandingFile) => f.plain && f.lineCount !== null && f.lineCount - (accepted.get(f.relativePath) ?? 0) <= MAX_REJECTS_NUMBERED_FROM_TEXT;
  const numberedRejects = withRejects.filter((f) => !byText(f));
  if (numberedRejects.length > 0) {
    await connection.run(`INSERT INTO bronze.quarantine
      WITH r AS MATERIALIZED (${records(format.fieldsSql(`(${numberedLinesSql(numberedRejects, ctx, { header: format.header })})`))})
      SELECT _source, ${sqlString(ctx.batchId)}, TIMESTAMP '${ctx.ingestedAt}', _line_no, _reason, _line
      FROM r WHERE NOT _good`);
  }
  const plainRejects = withRejects.filter(byText);
  if (plainRejects.length > 0) {
    const lines = `(${plainLinesSql(plainRejects, ctx, { header: format.header })})`;
    await quarantinePlainRejects(connection, plainRejects, ctx, format.header, records(format.fieldsSql(lines)));
  }
  return accepted;
}

/** The rejected records of plain files (`records` over their whole lines), numbered from their text and appended to the quarantine. */
async function quarantinePlainRejects(connection: DuckDBConnection, files: readonly LandingFile[], ctx: BatchContext, header: boolean, records: string): Promise<void> {
  const rejected = (await connection.runAndReadAll(`SELECT _source, _line, _reason FROM (${records}) WHERE NOT _good`)).getRows();
  const byFile = new Map<string, { texts: string[]; reasons: string[] }>();
  for (const [file, line, reason] of rejected) {
    const entry = byFile.get(String(file)) ?? { texts: [], reasons: [] };
    entry.texts.push(String(line));
    entry.reasons.push(String(reason));
    byFile.set(String(file), entry);
  }
  const entries: QuarantineEntry[] = [];
  for (const file of files) {
    const found = byFile.get(file.relativePath);
    if (!found) continue;
    const numbers = rejectedLineNumbers(file, found.texts, header);
    found.texts.forEach((raw, i) => entries.push({ source: file.relativePath, lineNo: numbers[i]!, reason: found.reasons[i]!, raw }));
  }
  entries.sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : a.lineNo - b.lineNo));
  await appendQuarantine(connection, ctx, entries);
}
