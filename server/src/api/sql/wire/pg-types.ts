/**
 * Postgres type OIDs the SQL API produces, with their wire sizes, and the mapping from the
 * engine's logical column types. OIDs as in pg_type.dat of PostgreSQL.
 */
import type { ColumnType } from '../../../drivers/driver-types.ts';

export const OID = {
  bool: 16,
  bytea: 17,
  name: 19,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  oid: 26,
  json: 114,
  float4: 700,
  float8: 701,
  unknown: 705,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  interval: 1186,
  numeric: 1700,
} as const;

const TYPE_SIZES: Readonly<Record<number, number>> = {
  [OID.bool]: 1,
  [OID.int2]: 2,
  [OID.int4]: 4,
  [OID.int8]: 8,
  [OID.oid]: 4,
  [OID.float4]: 4,
  [OID.float8]: 8,
  [OID.date]: 4,
  [OID.time]: 8,
  [OID.timestamp]: 8,
  [OID.timestamptz]: 8,
  [OID.interval]: 16,
  [OID.name]: 64,
};

/** pg_type.typlen of a type: -1 for variable length. */
export function typeSize(oid: number): number {
  return TYPE_SIZES[oid] ?? -1;
}

/** The Postgres type a column of the engine's result is sent as. */
export function oidForColumnType(type: ColumnType): number {
  switch (type) {
    case 'string':
      return OID.text;
    case 'number':
      return OID.float8;
    case 'integer':
      return OID.int8;
    case 'decimal':
      return OID.numeric;
    case 'boolean':
      return OID.bool;
    case 'time':
      return OID.timestamp;
    case 'date':
      return OID.date;
    default:
      return OID.text;
  }
}

/** SQL type name for an OID, as used in DDL of the catalog tables. */
export function sqlTypeName(oid: number): string {
  switch (oid) {
    case OID.bool:
      return 'boolean';
    case OID.int2:
      return 'smallint';
    case OID.int4:
      return 'integer';
    case OID.int8:
      return 'bigint';
    case OID.float4:
      return 'real';
    case OID.float8:
      return 'double precision';
    case OID.numeric:
      return 'numeric';
    case OID.date:
      return 'date';
    case OID.timestamp:
      return 'timestamp';
    case OID.timestamptz:
      return 'timestamptz';
    default:
      return 'text';
  }
}
