/**
 * BI tools and Cube's own SQL API (sqlparser-rs) accept reserved words as bare column names in
 * lists, e.g. `GROUP BY ROLLUP(row, order)` where `order` is an output alias; PostgreSQL's
 * grammar rejects them. Only after the real parser fails, a reserved word standing alone as a
 * list item (between `(`/`,` and `,`/`)`) is quoted as the identifier PostgreSQL would fold it
 * to, and the text is parsed again. Text that parses is never changed.
 */
import { scanSync } from 'libpg-query';

/** Keyword kinds of libpg-query's scanner that the grammar may refuse as a bare column name. */
const COL_NAME_KEYWORD = 2;

/** Words that are values or expressions on their own, never columns. */
const VALUE_WORDS = new Set([
  'null', 'true', 'false', 'default', 'current_date', 'current_time', 'current_timestamp', 'localtime', 'localtimestamp',
  'current_user', 'current_role', 'current_catalog', 'current_schema', 'session_user', 'user', 'all', 'distinct',
]);

/** The text with lone keyword list items quoted, or undefined when there is none. */
export function quoteKeywordListItems(sql: string): string | undefined {
  let tokens: { start: number; end: number; text: string; keywordKind: number }[];
  try {
    tokens = scanSync(sql).tokens;
  } catch {
    return undefined;
  }
  const bytes = Buffer.from(sql, 'utf8');
  const parts: string[] = [];
  let pos = 0;
  for (let i = 1; i + 1 < tokens.length; i++) {
    const t = tokens[i]!;
    const before = tokens[i - 1]!.text;
    const after = tokens[i + 1]!.text;
    const alone = (before === '(' || before === ',') && (after === ',' || after === ')');
    if (!alone || t.keywordKind < COL_NAME_KEYWORD || VALUE_WORDS.has(t.text.toLowerCase())) continue;
    parts.push(bytes.toString('utf8', pos, t.start), `"${t.text.toLowerCase()}"`);
    pos = t.end;
  }
  if (parts.length === 0) return undefined;
  parts.push(bytes.toString('utf8', pos));
  return parts.join('');
}
