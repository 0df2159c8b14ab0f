/** One statement of a SQL file and the 1-based line it starts on (for error locations). */
export interface SqlStatement {
  readonly sql: string;
  readonly line: number;
}

/**
 * Splits a SQL file into statements at semicolons that end a line, dropping `--` comment lines.
 * The streaming SQL files keep to that layout so the Databricks notebook (which runs one statement
 * per `spark.sql` call) can split them the same simple way.
 */
export function splitSqlStatements(text: string): SqlStatement[] {
  const statements: SqlStatement[] = [];
  let current: string[] = [];
  let start = 0;
  text.split('\n').forEach((line, index) => {
    if (line.trimStart().startsWith('--')) return;
    if (current.length === 0 && line.trim() === '') return;
    if (current.length === 0) start = index + 1;
    const end = /;\s*$/.test(line);
    current.push(end ? line.replace(/;\s*$/, '') : line);
    if (end) {
      statements.push({ sql: current.join('\n').trim(), line: start });
      current = [];
    }
  });
  const rest = current.join('\n').trim();
  if (rest) statements.push({ sql: rest, line: start });
  return statements;
}
