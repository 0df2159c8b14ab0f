/** One statement of a SQL file; `line` is where its first code character sits (1-based). */
export interface SqlStatement {
  readonly index: number;
  readonly line: number;
  readonly sql: string;
}

/**
 * Splits a SQL file into statements: a statement ends at a `;` outside quotes and comments, and
 * chunks made only of comments or blanks are dropped. notebooks/lakehouse_sql.py implements the
 * same rules for Spark, so both engines run exactly the same statements.
 */
export function splitSqlFile(text: string): SqlStatement[] {
  const statements: SqlStatement[] = [];
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === "'" || ch === '"') i = skipQuoted(text, i, ch);
    else if (text.startsWith('--', i)) i = endOfLine(text, i);
    else if (text.startsWith('/*', i)) i = endOfBlock(text, i);
    else if (ch === ';') {
      pushStatement(statements, text, start, i);
      start = i + 1;
      i += 1;
    } else i += 1;
  }
  pushStatement(statements, text, start, text.length);
  return statements;
}

function skipQuoted(text: string, from: number, quote: string): number {
  // A doubled quote inside a quoted string is an escaped quote, not the end.
  let j = from + 1;
  while (j < text.length) {
    if (text[j] === quote) {
      if (text[j + 1] === quote) { j += 2; continue; }
      return j + 1;
    }
    j += 1;
  }
  return j;
}

function endOfLine(text: string, from: number): number {
  const end = text.indexOf('\n', from);
  return end < 0 ? text.length : end;
}

function endOfBlock(text: string, from: number): number {
  const end = text.indexOf('*/', from + 2);
  return end < 0 ? text.length : end + 2;
}

function pushStatement(statements: SqlStatement[], text: string, start: number, end: number): void {
  const chunk = text.slice(start, end);
  const offset = firstCodeOffset(chunk);
  if (offset === undefined) return;
  const line = countNewlines(text, start + offset) + 1;
  statements.push({ index: statements.length + 1, line, sql: chunk.trim() });
}

function firstCodeOffset(chunk: string): number | undefined {
  let i = 0;
  while (i < chunk.length) {
    if (/\s/.test(chunk[i]!)) i += 1;
    else if (chunk.startsWith('--', i)) i = endOfLine(chunk, i);
    else if (chunk.startsWith('/*', i)) i = endOfBlock(chunk, i);
    else return i;
  }
  return undefined;
}

function countNewlines(text: string, end: number): number {
  let count = 0;
  for (let i = 0; i < end; i += 1) if (text.charCodeAt(i) === 10) count += 1;
  return count;
}
