/**
 * DuckDB results as Athena's GetQueryResults carries them: every value as `VarCharValue` text in
 * the engine's own spelling (Trino: `2024-05-01 10:30:00.000`, `12.50`, `true`, Java's doubles),
 * NULL as a Datum without `VarCharValue`, and `ResultSetMetadata.ColumnInfo` with Athena's type
 * names, precision and scale. Part of the local Athena endpoint the driver tests run against.
 */
import { DuckDBTypeId, type DuckDBResultReader, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';

/** One `ColumnInfo` as Athena sends it. */
export interface AthenaColumnInfo {
  CatalogName: string;
  SchemaName: string;
  TableName: string;
  Name: string;
  Label: string;
  Type: string;
  Precision: number;
  Scale: number;
  Nullable: 'UNKNOWN';
  CaseSensitive: boolean;
}

/** One row: `Data` in column order. */
export interface AthenaRow {
  Data: { VarCharValue?: string }[];
}

/** A finished result: column metadata and the rows, the header row first. */
export interface AthenaResultText {
  columns: AthenaColumnInfo[];
  rows: AthenaRow[];
}

/**
 * Converts a DuckDB result. With `header` (a SELECT) the first row repeats the column names, as
 * Athena's does; SHOW / DESCRIBE results have no such row.
 */
export function athenaResultText(result: DuckDBResultReader, header: boolean): AthenaResultText {
  const types = result.columnTypes();
  const columns = result.columnNames().map((name, i) => columnInfo(name, types[i]!));
  const names: AthenaRow = { Data: result.columnNames().map((name) => ({ VarCharValue: name })) };
  const rows = result.getRows().map((row) => ({ Data: row.map((value, i) => datum(value, types[i]!)) }));
  return { columns, rows: header ? [names, ...rows] : rows };
}

function columnInfo(name: string, type: DuckDBType): AthenaColumnInfo {
  const [typeName, precision, scale] = athenaType(type);
  return {
    CatalogName: 'hive', SchemaName: '', TableName: '', Name: name, Label: name,
    Type: typeName, Precision: precision, Scale: scale, Nullable: 'UNKNOWN', CaseSensitive: typeName === 'varchar',
  };
}

function athenaType(type: DuckDBType): [string, number, number] {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN: return ['boolean', 0, 0];
    case DuckDBTypeId.TINYINT: return ['tinyint', 3, 0];
    case DuckDBTypeId.SMALLINT: return ['smallint', 5, 0];
    case DuckDBTypeId.INTEGER: return ['integer', 10, 0];
    case DuckDBTypeId.BIGINT: return ['bigint', 19, 0];
    case DuckDBTypeId.FLOAT: return ['float', 17, 0];
    case DuckDBTypeId.DOUBLE: return ['double', 17, 0];
    case DuckDBTypeId.DECIMAL: return ['decimal', type.width, type.scale];
    case DuckDBTypeId.DATE: return ['date', 0, 0];
    case DuckDBTypeId.TIMESTAMP: return ['timestamp', 3, 0];
    default: return ['varchar', 2147483647, 0];
  }
}

function datum(value: DuckDBValue, type: DuckDBType): { VarCharValue?: string } {
  if (value === null) return {};
  switch (type.typeId) {
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE: return { VarCharValue: javaDouble(value as number) };
    case DuckDBTypeId.TIMESTAMP: return { VarCharValue: millisTimestamp(String(value)) };
    default: return { VarCharValue: String(value) };
  }
}

/** Java's `Double.toString`, which Trino uses: `2.0`, `0.5`, `1.0E10`. */
function javaDouble(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  const magnitude = Math.abs(x);
  if (x === 0 || (magnitude >= 1e-3 && magnitude < 1e7)) return Number.isInteger(x) ? x.toFixed(1) : String(x);
  const [mantissa, exponent] = x.toExponential().split('e');
  return `${mantissa!.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

/** Athena engine v3 timestamps are timestamp(3): `2024-05-01 10:30:00.000`. */
function millisTimestamp(text: string): string {
  const m = /^(\S+ \d{2}:\d{2}:\d{2})(?:\.(\d+))?/.exec(text);
  return m ? `${m[1]}.${(m[2] ?? '').slice(0, 3).padEnd(3, '0')}` : text;
}
