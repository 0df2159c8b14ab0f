import type { BatchContext } from './ingest-types.ts';
import type { LandingFile } from './landing-files.ts';
import { fileListSql, relativeSourceSql } from './load-sql.ts';

/**
 * `SELECT _source, _line_no, _line` over text files: one row per physical line with its 1-based
 * number, one trailing CR removed (CRLF files), a byte-order mark removed from line 1, empty lines
 * left out (they are not records) and, with `header`, line 1 left out. Each line is one record: a
 * quoted CSV value cannot span lines, so one bad line (an unterminated quote, say) never swallows
 * the lines after it. These are the records `landing-files.ts` counts from the bytes, and the lines
 * the Spark ingestion numbers (notebooks/landing_ingest.py, `_parse_text`).
 */
export function numberedLinesSql(files: readonly LandingFile[], ctx: BatchContext, options: { header: boolean }): string {
  return `SELECT _source, _line_no, _line FROM (
      SELECT ${relativeSourceSql(ctx, 'filename')} AS _source, _line_no,
        CASE WHEN _line_no = 1 THEN ltrim(l, chr(65279)) ELSE l END AS _line
      FROM (
        SELECT filename, _line_no, CASE WHEN ends_with(l, chr(13)) THEN left(l, length(l) - 1) ELSE l END AS l
        FROM (SELECT filename, unnest(lines) AS l, generate_subscripts(lines, 1) AS _line_no
              FROM (SELECT filename, string_split(content, chr(10)) AS lines FROM read_text(${fileListSql(files)})))))
    WHERE _line <> ''${options.header ? ' AND _line_no > 1' : ''}`;
}
