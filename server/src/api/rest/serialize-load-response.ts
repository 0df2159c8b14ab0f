/**
 * Writes /v1/load responses as JSON text straight from the engine's columnar result: each row's
 * JSON is concatenated from pre-encoded keys and encoded values, never materialised as an object
 * per row. Shape and key order follow Cube's gateway (`query`, `data`, `lastRefreshTime`, ...,
 * `total`), with `{queryType, results, pivotQuery, slowQuery}` around it when the client asked
 * for `queryType=multi`.
 */
import type { LoadResponse, LoadResult } from '../../engine/engine-types.ts';
import { blendingPivotQuery } from './blend-queries.ts';

/** Per-request values echoed into each result. */
export interface SerializeOptions {
  readonly requestId: string;
  /** `compact`: `data` is `{members, dataset}` (rows as arrays), as Cube's responseFormat. */
  readonly responseFormat?: string;
}

export function serializeLoadResponse(response: LoadResponse, multi: boolean, options: SerializeOptions): string {
  return loadResponseSegments(response, multi, options.responseFormat).join(JSON.stringify(options.requestId));
}

/**
 * The response text around its request ids: the body is `segments.join(JSON.stringify(requestId))`.
 * Segments of one engine answer are kept (the engine hands out the same immutable answer for
 * repeated queries), so a repeated query is written without encoding its rows again.
 */
export function loadResponseSegments(response: LoadResponse, multi: boolean, responseFormat?: string): readonly string[] {
  const variant = `${multi ? 'multi' : 'single'}:${responseFormat ?? ''}`;
  let variants = segmentCache.get(response);
  const known = variants?.get(variant);
  if (known) return known;
  const segments = buildSegments(response, multi, responseFormat);
  if (!variants) {
    variants = new Map();
    segmentCache.set(response, variants);
  }
  variants.set(variant, segments);
  return segments;
}

const segmentCache = new WeakMap<LoadResponse, Map<string, readonly string[]>>();
const bufferCache = new WeakMap<readonly string[], readonly Buffer[]>();

/** The response body as bytes: the answer's encoded segments joined by the request id. */
export function loadResponseBody(response: LoadResponse, multi: boolean, options: SerializeOptions): Buffer {
  const segments = loadResponseSegments(response, multi, options.responseFormat);
  let buffers = bufferCache.get(segments);
  if (!buffers) {
    buffers = segments.map((segment) => Buffer.from(segment, 'utf8'));
    bufferCache.set(segments, buffers);
  }
  const id = Buffer.from(JSON.stringify(options.requestId), 'utf8');
  const parts: Buffer[] = [];
  buffers.forEach((buffer, i) => {
    if (i > 0) parts.push(id);
    parts.push(buffer);
  });
  return Buffer.concat(parts);
}

function buildSegments(response: LoadResponse, multi: boolean, responseFormat?: string): string[] {
  if (!multi) return resultSegments(response.results[0]!, responseFormat);
  const segments: string[] = [];
  let open = '{"queryType":' + JSON.stringify(response.queryType) + ',"results":[';
  response.results.forEach((result, i) => {
    const [head, tail] = resultSegments(result, responseFormat) as [string, string];
    segments.push(open + (i > 0 ? ',' : '') + head);
    open = tail;
  });
  const slowQuery = response.results.some((r) => r.slowQuery);
  segments.push(open + '],"pivotQuery":' + JSON.stringify(pivotQuery(response)) + ',"slowQuery":' + String(slowQuery) + '}');
  return segments;
}

export function serializeLoadResult(result: LoadResult, options: SerializeOptions): string {
  return resultSegments(result, options.responseFormat).join(JSON.stringify(options.requestId));
}

/** One result's JSON before and after its request id. */
function resultSegments(result: LoadResult, responseFormat?: string): [string, string] {
  const data = encodedData(result, responseFormat);
  const head = [
    '{"query":', JSON.stringify(result.query),
    ',"data":', data,
    ',"lastRefreshTime":', JSON.stringify(result.lastRefreshTime),
    ',"usedPreAggregations":', JSON.stringify(result.usedPreAggregations),
    ',"requestId":',
  ].join('');
  const tail = [
    ',"annotation":', JSON.stringify(result.annotation),
    ',"dataSource":', JSON.stringify(result.dataSource),
    ',"dbType":', JSON.stringify(result.dbType),
    ',"extDbType":', JSON.stringify('duckdb'),
    ',"external":', String(result.external),
    ',"slowQuery":', String(result.slowQuery),
    ',"total":', result.total === undefined ? 'null' : encodeValue(result.total),
    '}',
  ].join('');
  return [head, tail];
}

/**
 * Cube's pivot query: the normalized query plus `queryType`; compare queries pivot on the range,
 * blending queries on `time` (see blend-queries.ts).
 */
export function pivotQuery(response: LoadResponse): Record<string, unknown> {
  if (response.queryType === 'blendingQuery') return blendingPivotQuery(response);
  const first = { ...(response.results[0]?.query ?? {}) } as Record<string, unknown>;
  if (response.queryType === 'compareDateRangeQuery') {
    const dimensions = Array.isArray(first.dimensions) ? (first.dimensions as unknown[]) : [];
    first.dimensions = ['compareDateRange', ...dimensions];
  }
  return { ...first, queryType: response.queryType };
}

/**
 * The rows' JSON, kept per answer's columns (data and column list): a dev-mode answer is a fresh copy per request (its
 * stage timings), yet shares the memoized answer's columns, so its rows are not encoded again.
 */
function encodedData(result: LoadResult, responseFormat?: string): string {
  const compact = responseFormat === 'compact';
  let known = dataCache.get(result.data);
  if (!known || known.columns !== result.columns) {
    known = { columns: result.columns };
    dataCache.set(result.data, known);
  }
  const text = compact ? known.compact : known.rows;
  if (text !== undefined) return text;
  if (compact) return (known.compact = compactData(result));
  return (known.rows = rowData(result));
}

const dataCache = new WeakMap<object, { readonly columns: LoadResult['columns']; rows?: string; compact?: string }>();

function rowData(result: LoadResult): string {
  const { columns, rowCount } = result;
  if (rowCount === 0) return '[]';
  const keys = columns.map((c, i) => (i === 0 ? '{' : ',') + JSON.stringify(c.name) + ':');
  // Encode column by column (each loop sees one value type), then interleave into one part list.
  const encoded = result.data.map(encodeColumn);
  const width = columns.length;
  const parts: string[] = [];
  for (let row = 0; row < rowCount; row++) {
    parts.push(row === 0 ? '[' : ',');
    if (width === 0) parts.push('{');
    for (let col = 0; col < width; col++) parts.push(keys[col]!, encoded[col]![row]!);
    parts.push('}');
  }
  parts.push(']');
  return parts.join('');
}

function encodeColumn(values: readonly unknown[]): string[] {
  const out = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = encodeValue(values[i]);
  return out;
}

function compactData(result: LoadResult): string {
  const { columns, data } = result;
  const parts: string[] = new Array<string>(result.rowCount);
  for (let row = 0; row < result.rowCount; row++) {
    let text = '[';
    for (let col = 0; col < columns.length; col++) text += (col === 0 ? '' : ',') + encodeValue(data[col]![row]);
    parts[row] = text + ']';
  }
  return `{"members":${JSON.stringify(columns.map((c) => c.name))},"dataset":[${parts.join(',')}]}`;
}

/** Characters JSON must escape, plus lone surrogates (which JSON.stringify writes as \u escapes). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON for one cell: drivers hand over primitives; int64 may arrive as bigint (written as a string, like Cube). */
export function encodeValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      // Most values (ids, names, ISO times, decimals) need no escaping: skip JSON.stringify for them.
      return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : '"' + value + '"';
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return `"${value.toString()}"`;
    case 'undefined':
      return 'null';
    default:
      return value === null ? 'null' : value instanceof Date ? JSON.stringify(value.toISOString().slice(0, 23)) : JSON.stringify(value) ?? 'null';
  }
}
