/**
 * Athena's `ExecutionParameters` are SQL literals (`'O''Hara'`, `42`, `NULL`, `true`) that take
 * the place of the statement's `?` markers in order. The local Athena endpoint reads each literal
 * into a value and binds it to DuckDB as a parameter, so nothing is spliced into the SQL text.
 */

/** A literal read into a value DuckDB can bind; `undefined` when the text is not a plain literal. */
export function readAthenaLiteral(text: string): string | number | bigint | boolean | null | undefined {
  const t = text.trim();
  if (/^null$/i.test(t)) return null;
  if (/^true$/i.test(t)) return true;
  if (/^false$/i.test(t)) return false;
  if (/^-?\d+$/.test(t)) return BigInt(t);
  if (/^-?(\d+\.\d*|\.\d+|\d+)(e[-+]?\d+)?$/i.test(t)) return Number(t);
  const quoted = /^'((?:[^']|'')*)'$/s.exec(t);
  return quoted ? quoted[1]!.replace(/''/g, "'") : undefined;
}
