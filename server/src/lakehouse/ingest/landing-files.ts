import { isUtf8 } from 'node:buffer';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { UserError } from '../../errors/user-error.ts';
import { fileExtension, type LandingSource } from '../datagen/landing-layout.ts';

/** A landing file not ingested yet, with what the ingest log will remember of it. */
export interface LandingFile {
  readonly absolutePath: string;
  /** Path relative to the landing root: the bronze `_source`. */
  readonly relativePath: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly checksum: string;
  /** Records in the file counted from its bytes (data lines of CSV / JSON lines); Parquet counts come from metadata. */
  readonly lineCount: number | null;
  /**
   * A text file DuckDB's CSV reader splits into the same records (and CSV fields) as the line parser:
   * LF endings only (no CR anywhere), no blank line, no byte-order mark, no unit-separator byte (the
   * reader's column delimiter when it reads whole lines), no line longer than `PLAIN_MAX_LINE` and,
   * for CSV, no double quote (so no field is quoted). Machine exports are; such files load through
   * the reader's parallel scan.
   */
  readonly plain: boolean;
}

/** Longest line a plain file may hold: DuckDB's CSV reader refuses lines past its `max_line_size` (2 MiB by default). */
export const PLAIN_MAX_LINE = 1 << 20;

/**
 * Lists the files of a source under `<landing>/<folder>/dt=YYYY-MM-DD/` that the ingest log does
 * not know yet. A file is known when its path, size and mtime match a log row (no read needed) or
 * its path and SHA-256 match (touched but unchanged). A changed file is ingested again as a new version.
 */
export function findNewFiles(landingDir: string, source: LandingSource, logged: LoggedFiles): { files: LandingFile[]; skipped: number } {
  const folder = path.join(landingDir, source.folder);
  if (!fs.existsSync(folder)) return { files: [], skipped: 0 };
  const pattern = new RegExp(`^${source.prefix}_\\d{8}\\.${fileExtension(source.format)}$`);
  const log = logged.get(source.table) ?? new Map<string, LoggedFile[]>();
  const files: LandingFile[] = [];
  let skipped = 0;
  for (const partition of fs.readdirSync(folder).filter((p) => /^dt=\d{4}-\d{2}-\d{2}$/.test(p)).sort()) {
    for (const name of fs.readdirSync(path.join(folder, partition)).filter((n) => pattern.test(n)).sort()) {
      const absolutePath = path.join(folder, partition, name);
      const relativePath = path.relative(landingDir, absolutePath).split(path.sep).join('/');
      const stat = fs.statSync(absolutePath);
      const known = log.get(relativePath) ?? [];
      if (known.some((k) => k.size === stat.size && k.mtimeMs === Math.trunc(stat.mtimeMs))) { skipped++; continue; }
      const bytes = fs.readFileSync(absolutePath);
      const checksum = crypto.createHash('sha256').update(bytes).digest('hex');
      if (known.some((k) => k.checksum === checksum)) { skipped++; continue; }
      const text = source.format === 'parquet' ? null : scanLines(bytes, source.format === 'csv');
      files.push({ absolutePath, relativePath, size: stat.size, mtimeMs: Math.trunc(stat.mtimeMs), checksum, lineCount: text?.records ?? null, plain: text?.plain ?? false });
      if (source.format !== 'parquet') checkUtf8(bytes, relativePath);
      if (source.format === 'csv') checkCsvHeader(bytes, relativePath, source);
    }
  }
  return { files, skipped };
}

/** A landing file the ingest log remembers (one path may have several versions). */
export interface LoggedFile { readonly size: number; readonly mtimeMs: number; readonly checksum: string }
/** Bronze table → landing-relative path → the versions ingested. */
export type LoggedFiles = ReadonlyMap<string, ReadonlyMap<string, readonly LoggedFile[]>>;

/** Every landing file the ingest log remembers, read in one query for all sources. */
export async function loggedFiles(connection: DuckDBConnection): Promise<LoggedFiles> {
  const reader = await connection.runAndReadAll('SELECT target_table, path, size, mtime_ms, checksum FROM bronze._ingest_log WHERE checksum IS NOT NULL');
  const byTable = new Map<string, Map<string, LoggedFile[]>>();
  for (const [table, p, size, mtime, checksum] of reader.getRows()) {
    let byPath = byTable.get(String(table));
    if (!byPath) byTable.set(String(table), (byPath = new Map()));
    const versions = byPath.get(String(p)) ?? [];
    versions.push({ size: Number(size), mtimeMs: Number(mtime), checksum: String(checksum) });
    byPath.set(String(p), versions);
  }
  return byTable;
}

/**
 * Non-empty lines, minus the header of a CSV, counted from the bytes (with `indexOf`, fast on large
 * files) so reconciliation does not trust the loader; and whether the file is `plain` (see LandingFile).
 */
function scanLines(bytes: Buffer, csv: boolean): { records: number; plain: boolean } {
  if (bytes.length === 0) return { records: 0, plain: false };
  let newlines = 0;
  let longest = 0;
  let start = 0;
  for (let at = bytes.indexOf(0x0a); at !== -1; at = bytes.indexOf(0x0a, at + 1)) {
    newlines++;
    longest = Math.max(longest, at - start);
    start = at + 1;
  }
  longest = Math.max(longest, bytes.length - start);
  const unterminated = bytes[bytes.length - 1] !== 0x0a ? 1 : 0;
  const occurrences = (needle: string) => {
    let n = 0;
    for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + 1)) n++;
    return n;
  };
  const hasCr = bytes.indexOf(0x0d) !== -1;
  const blank = occurrences('\n\n') + (hasCr ? occurrences('\n\r\n') : 0) + (bytes[0] === 0x0a ? 1 : 0);
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const plain = !hasCr && blank === 0 && !bom && bytes.indexOf(0x1f) === -1 && longest <= PLAIN_MAX_LINE && !(csv && bytes.indexOf(0x22) !== -1);
  return { records: Math.max(0, newlines + unterminated - blank - (csv ? 1 : 0)), plain };
}

/**
 * Text landing files are UTF-8 (the contract). A file in another encoding (a Latin-1 export, say)
 * would have every accented line wrong, so it fails the batch naming its first bad line, before
 * anything is written, rather than quarantining lines one by one.
 */
function checkUtf8(bytes: Buffer, relativePath: string): void {
  if (isUtf8(bytes)) return;
  let line = 1;
  for (let start = 0; start < bytes.length; line++) {
    const end = bytes.indexOf(0x0a, start);
    const stop = end === -1 ? bytes.length : end;
    if (!isUtf8(bytes.subarray(start, stop))) break;
    start = stop + 1;
  }
  throw new UserError('PIPELINE_INPUT', `${relativePath}:${line}: not valid UTF-8 text`, {
    location: { file: relativePath, line }, hint: 'Export the file as UTF-8 and put it in the landing folder again; nothing was ingested.' });
}

/** A CSV whose header is not the contract's columns cannot be loaded safely: fail the batch naming the file. */
function checkCsvHeader(bytes: Buffer, relativePath: string, source: LandingSource): void {
  const end = bytes.indexOf(0x0a);
  const header = bytes.subarray(0, end === -1 ? bytes.length : end).toString('utf8').replace(/\r$/, '').replace(/^\uFEFF/, '');
  const found = header.split(',').map((h) => h.trim().replace(/^"|"$/g, ''));
  const expected = source.columns.map(([name]) => name);
  if (found.join(',') !== expected.join(',')) {
    const missing = expected.filter((c) => !found.includes(c));
    const extra = found.filter((c) => !expected.includes(c));
    throw new UserError('PIPELINE_INPUT',
      `${relativePath}:1: CSV header does not match ${source.table}: expected ${expected.join(',')}; found ${found.join(',')}` +
      `${missing.length ? ` (missing: ${missing.join(', ')})` : ''}${extra.length ? ` (unexpected: ${extra.join(', ')})` : ''}`,
      { location: { file: relativePath, line: 1 }, hint: 'Fix the export or the landing file; nothing was ingested.' });
  }
}
