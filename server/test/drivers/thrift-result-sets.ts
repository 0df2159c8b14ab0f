/**
 * Result sets as a Databricks SQL warehouse sends them over TCLIService: the Hive schema
 * (`TTableSchema`), and rows either column-based (`TRowSet.columns`, one typed value list and null
 * bitmap per column) or as Arrow IPC record batches (`TRowSet.arrowBatches`, with the Arrow schema
 * in the result metadata), built with the Thrift structs and the Arrow library the client reads.
 */
import { arrow, Int64, T } from './thrift-cli-codec.ts';

/** The SQL types the fake warehouse answers with (the ones our drivers distinguish). */
export type FakeColumnType = 'INT' | 'BIGINT' | 'DOUBLE' | 'DECIMAL' | 'STRING' | 'BOOLEAN' | 'DATE' | 'TIMESTAMP';

export interface FakeColumn {
  readonly name: string;
  readonly type: FakeColumnType;
  /** DECIMAL only. */
  readonly precision?: number;
  readonly scale?: number;
}

/**
 * A value as the warehouse holds it: numbers for INT/DOUBLE, `bigint` or decimal text for
 * BIGINT/DECIMAL (exact), 'YYYY-MM-DD' for DATE, 'YYYY-MM-DD HH:MM:SS[.ffffff]' (UTC) for TIMESTAMP.
 */
export type FakeValue = string | number | bigint | boolean | null;

const TYPE_IDS: Readonly<Record<FakeColumnType, string>> = {
  INT: 'INT_TYPE', BIGINT: 'BIGINT_TYPE', DOUBLE: 'DOUBLE_TYPE', DECIMAL: 'DECIMAL_TYPE', STRING: 'STRING_TYPE', BOOLEAN: 'BOOLEAN_TYPE', DATE: 'DATE_TYPE', TIMESTAMP: 'TIMESTAMP_TYPE',
};

/** The Hive schema of the result (positions from 1, as Databricks numbers them). */
export function tableSchema(columns: readonly FakeColumn[]): unknown {
  return new T.TTableSchema({
    columns: columns.map((c, i) => new T.TColumnDesc({
      columnName: c.name,
      position: i + 1,
      typeDesc: new T.TTypeDesc({ types: [new T.TTypeEntry({ primitiveEntry: new T.TPrimitiveTypeEntry({
        type: T.TTypeId[TYPE_IDS[c.type]],
        ...(c.type === 'DECIMAL' ? { typeQualifiers: new T.TTypeQualifiers({ qualifiers: {
          precision: new T.TTypeQualifierValue({ i32Value: c.precision ?? 38 }),
          scale: new T.TTypeQualifierValue({ i32Value: c.scale ?? 0 }),
        } }) } : {}),
      }) })] }),
    })),
  });
}

/** Rows `[from, to)` as a column-based `TRowSet` (decimals, dates and timestamps as text, as Spark sends them). */
export function columnRowSet(columns: readonly FakeColumn[], rows: readonly (readonly FakeValue[])[], from: number, to: number): unknown {
  const slice = rows.slice(from, to);
  return new T.TRowSet({
    startRowOffset: new Int64(from),
    rows: [],
    columns: columns.map((c, j) => {
      const values = slice.map((r) => r[j] ?? null);
      const nulls = Buffer.alloc(Math.ceil(values.length / 8));
      values.forEach((v, i) => { if (v === null) nulls[i >> 3]! |= 1 << (i & 7); });
      const list = (fill: unknown, map: (v: FakeValue) => unknown): { values: unknown[]; nulls: Buffer } => ({ values: values.map((v) => (v === null ? fill : map(v))), nulls });
      switch (c.type) {
        case 'INT': return new T.TColumn({ i32Val: new T.TI32Column(list(0, Number)) });
        case 'BIGINT': return new T.TColumn({ i64Val: new T.TI64Column(list(new Int64(0), (v) => int64(BigInt(v as bigint)))) });
        case 'DOUBLE': return new T.TColumn({ doubleVal: new T.TDoubleColumn(list(0, Number)) });
        case 'BOOLEAN': return new T.TColumn({ boolVal: new T.TBoolColumn(list(false, Boolean)) });
        default: return new T.TColumn({ stringVal: new T.TStringColumn(list('', String)) });
      }
    }),
  });
}

function int64(value: bigint): unknown {
  const buffer = Buffer.alloc(8);
  buffer.writeBigInt64BE(value);
  return new (Int64 as unknown as new (b: Buffer) => unknown)(buffer);
}

function arrowType(c: FakeColumn): unknown {
  switch (c.type) {
    case 'INT': return new arrow.Int32();
    case 'BIGINT': return new arrow.Int64();
    case 'DOUBLE': return new arrow.Float64();
    case 'DECIMAL': return new arrow.Decimal(c.scale ?? 0, c.precision ?? 38, 128);
    case 'STRING': return new arrow.Utf8();
    case 'BOOLEAN': return new arrow.Bool();
    case 'DATE': return new arrow.DateDay();
    case 'TIMESTAMP': return new arrow.TimestampMicrosecond('Etc/UTC');
  }
}

/** The Arrow schema the warehouse sends in `TGetResultSetMetadataResp.arrowSchema` (native types). */
export function arrowSchema(columns: readonly FakeColumn[]): { fields: { type: unknown }[] } {
  return new arrow.Schema(columns.map((c) => new arrow.Field(c.name, arrowType(c), true)));
}

/** Serialized schema message alone (an IPC stream of no batches, without its end marker). */
export function arrowSchemaBytes(columns: readonly FakeColumn[]): Buffer {
  const writer = new arrow.RecordBatchStreamWriter();
  writer.reset(undefined, arrowSchema(columns));
  writer.finish();
  return withoutEndMarker(Buffer.from(writer.toUint8Array(true)));
}

/** Rows `[from, to)` as one Arrow record batch message, the way `TSparkArrowBatch.batch` carries it. */
export function arrowRowSet(columns: readonly FakeColumn[], rows: readonly (readonly FakeValue[])[], from: number, to: number): unknown {
  const slice = rows.slice(from, to);
  const schema = arrowSchema(columns);
  const children = columns.map((c, j) => arrowData(c, schema.fields[j]!.type, slice.map((r) => r[j] ?? null)));
  const batch = new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: slice.length, children }));
  const writer = new arrow.RecordBatchStreamWriter();
  writer.write(batch);
  writer.finish();
  const stream = withoutEndMarker(Buffer.from(writer.toUint8Array(true)));
  const message = stream.subarray(arrowSchemaBytes(columns).length);
  return new T.TRowSet({ startRowOffset: new Int64(from), rows: [], arrowBatches: [new T.TSparkArrowBatch({ batch: message, rowCount: new Int64(slice.length) })] });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function arrowData(c: FakeColumn, type: any, values: readonly FakeValue[]): unknown {
  const length = values.length;
  const nullBitmap = new Uint8Array(Math.ceil(length / 8));
  values.forEach((v, i) => { if (v !== null) nullBitmap[i >> 3]! |= 1 << (i & 7); });
  const nullCount = values.filter((v) => v === null).length;
  const base = { type, length, nullCount, nullBitmap };
  switch (c.type) {
    case 'INT': return arrow.makeData({ ...base, data: Int32Array.from(values, (v) => Number(v ?? 0)) });
    case 'DOUBLE': return arrow.makeData({ ...base, data: Float64Array.from(values, (v) => Number(v ?? 0)) });
    case 'BIGINT': return arrow.makeData({ ...base, data: BigInt64Array.from(values, (v) => BigInt(v ?? 0)) });
    case 'DECIMAL': {
      const words = new Uint32Array(length * 4);
      values.forEach((v, i) => {
        let unscaled = v === null ? 0n : unscaledDecimal(String(v), c.scale ?? 0);
        for (let w = 0; w < 4; w++) {
          words[i * 4 + w] = Number(BigInt.asUintN(32, unscaled));
          unscaled >>= 32n;
        }
      });
      return arrow.makeData({ ...base, data: words });
    }
    case 'BOOLEAN': {
      const bits = new Uint8Array(Math.ceil(length / 8));
      values.forEach((v, i) => { if (v === true) bits[i >> 3]! |= 1 << (i & 7); });
      return arrow.makeData({ ...base, data: bits });
    }
    case 'DATE': return arrow.makeData({ ...base, data: Int32Array.from(values, (v) => (v === null ? 0 : Date.parse(`${String(v)}T00:00:00Z`) / 86_400_000)) });
    case 'TIMESTAMP': return arrow.makeData({ ...base, data: BigInt64Array.from(values, (v) => (v === null ? 0n : timestampMicros(String(v)))) });
    case 'STRING': {
      const encoded = values.map((v) => Buffer.from(v === null ? '' : String(v), 'utf8'));
      const valueOffsets = new Int32Array(length + 1);
      encoded.forEach((b, i) => (valueOffsets[i + 1] = valueOffsets[i]! + b.length));
      return arrow.makeData({ ...base, valueOffsets, data: new Uint8Array(Buffer.concat(encoded)) });
    }
  }
}

/** '-12.5' at scale 2 → -1250n (two's complement is applied by the word split above). */
function unscaledDecimal(text: string, scale: number): bigint {
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = text.replace(/^[-+]/, '').split('.');
  const digits = BigInt(whole + fraction.padEnd(scale, '0').slice(0, scale));
  return negative ? -digits : digits;
}

function timestampMicros(text: string): bigint {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?$/.exec(text);
  if (!m) throw new Error(`bad timestamp ${text}`);
  return BigInt(Date.parse(`${m[1]}T${m[2]}Z`)) * 1000n + BigInt((m[3] ?? '').padEnd(6, '0'));
}

/** An IPC stream ends with a continuation marker and a zero length; a lone message must not. */
function withoutEndMarker(stream: Buffer): Buffer {
  return stream.length >= 8 && stream.readUInt32LE(stream.length - 8) === 0xffffffff && stream.readUInt32LE(stream.length - 4) === 0 ? stream.subarray(0, stream.length - 8) : stream;
}
