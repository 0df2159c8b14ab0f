/**
 * How a text value of a landing record becomes its contract type, in DuckDB SQL. The text must have
 * the shape of the type before it is cast: DuckDB's cast alone is lax (it rounds '3.7' to the
 * INTEGER 4 and reads '1e2' as 100), and a value that does not fit is a type mismatch to quarantine,
 * not to coerce. The Spark ingestion (notebooks/landing_ingest.py, `_TEXT_SHAPES`) checks the same
 * shapes, so both engines accept the same values.
 */
const TEXT_SHAPES: Readonly<Record<string, string>> = {
  INTEGER: String.raw`\s*[+-]?[0-9]+\s*`,
  DATE: String.raw`\s*[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}\s*`,
  TIMESTAMP: String.raw`\s*[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?)?\s*(Z|[+-][0-9]{2}(:?[0-9]{2})?)?\s*`,
  DECIMAL: String.raw`\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)\s*`,
};

function shapeOf(type: string): string | null {
  if (type === 'VARCHAR') return null;
  const shape = TEXT_SHAPES[type.replace(/\(.*\)$/, '')];
  if (!shape) throw new Error(`No text shape for contract type ${type}`);
  return shape;
}

/** `text` (a VARCHAR expression) as `type`, or NULL when it is NULL, has not the type's shape or does not cast. */
export function castTextSql(text: string, type: string): string {
  const shape = shapeOf(type);
  if (shape === null) return text;
  return `CASE WHEN regexp_full_match(${text}, '${shape}') THEN TRY_CAST(${text} AS ${type}) END`;
}

/**
 * The JSON kinds (DuckDB `json_type` names) a landing JSON field may hold for a contract type:
 * text types (VARCHAR, DATE, TIMESTAMP) come as JSON strings, INTEGER as a JSON integer, DECIMAL as
 * any JSON number. JSON null stands for a missing value everywhere.
 */
export function jsonKindsFor(type: string): { kinds: readonly string[]; expected: string } {
  if (type === 'INTEGER') return { kinds: ['BIGINT', 'UBIGINT'], expected: 'a JSON integer' };
  if (type.startsWith('DECIMAL')) return { kinds: ['BIGINT', 'UBIGINT', 'DOUBLE'], expected: 'a JSON number' };
  shapeOf(type);
  return { kinds: ['VARCHAR'], expected: 'a JSON string' };
}
