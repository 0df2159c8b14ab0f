import type { BatchContext } from './ingest-types.ts';
import type { LandingFile } from './landing-files.ts';
import { fileListSql, relativeSourceSql } from './load-sql.ts';

/**
 * `SELECT _source, _line_no, _line` over `plain` text files (landing-files.ts), as
 * `numberedLinesSql` gives them but through DuckDB's CSV reader, which scans the files in parallel
 * (the line-splitting of `read_text` runs on one thread). The reader is told to see each whole line
 * as one column, with nothing quoted or escaped; plain files have no unit-separator byte, no CR,
 * no blank line and no byte-order mark, so its rows are exactly the file's records. The reader does
 * not number lines: `_line_no` is NULL here, and a rejected record gets its number when its file is
 * read again by `numberedLinesSql` for the quarantine.
 */
export function plainLinesSql(files: readonly LandingFile[], ctx: BatchContext, options: { header: boolean }): string {
  return `SELECT ${relativeSourceSql(ctx, 'filename')} AS _source, NULL::BIGINT AS _line_no, _line
    FROM read_csv(${fileListSql(files)}, columns = {'_line': 'VARCHAR'}, header = ${options.header}, auto_detect = false,
      delim = '\x1f', quote = '', escape = '', new_line = '\\n', filename = true)`;
}
