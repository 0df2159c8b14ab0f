/**
 * Writes /v1/load responses as JSON text straight from the engine's columnar result: each row's
 * JSON is concatenated from pre-encoded keys and encoded values, never materialised as an object
 * per row. Shape and key order follow Cube's gateway (`query`, `data`, `lastRefreshTime`, ...,
 * `total`), with `{queryType, results, pivotQuery, slowQuery}` around it when the client asked
 * for `queryType=multi`.
 */
import type { LoadResponse, LoadResult } from '../../engine/engine-types.ts';
import { blendingPivotQuery } from './blend-queries.ts';
import { keptJson } from '../../reuse/answer-key.ts';

/** Per-request values echoed into each result. */
export interface SerializeOptions {
  readonly requestId: string;
  /** `compact`: `data` is `{members, dataset}` (rows as arrays), as Cube's responseFormat. */
  readonly responseFormat?: string;
}

export function serializeLoadResponse(response: LoadResponse, multi: boolean, options: SerializeOptions): string {
  return loadResponseText(response, multi, options).text;
}

/**
 * The response text around its request ids (the body is `segments.join(JSON.stringify(requestId))`)
 * and the segments' length in UTF-8 bytes. Kept per engine answer (the engine hands out the same
 * immutable answer for repeated queries), so a repeated query is written without encoding its
 * rows again; a dev-mode copy of an answer (its own `annotation`) re-encodes only the part after
 * the request id.
 */
interface Segments {
  readonly segments: readonly string[];
  readonly bytes: number;
  /** One result's kept head (query, rows, ...) when the body has one result. */
  readonly head?: KeptHead;
}

function loadResponseSegments(response: LoadResponse, multi: boolean, responseFormat?: string): Segments {
  // A dev-mode answer is a copy made for one request (its own stage timings): nothing to keep.
  if (response.results[0]?.annotation.timings !== undefined) return buildSegments(response, multi, responseFormat);
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

const segmentCache = new WeakMap<LoadResponse, Map<string, Segments>>();

/** A response body: its text and its length in UTF-8 bytes (the Content-Length). */
export interface ResponseText {
  readonly text: string;
  readonly bytes: number;
}

/**
 * The response body: the answer's encoded segments joined by the request id, with its byte
 * length counted from the segments' kept lengths (no Buffer is made here: node writes the
 * headers and a string body together).
 */
export function loadResponseText(response: LoadResponse, multi: boolean, options: SerializeOptions): ResponseText {
  const { segments, bytes } = loadResponseSegments(response, multi, options.responseFormat);
  const id = JSON.stringify(options.requestId);
  const text = segments.length === 2 ? segments[0]! + id + segments[1]! : segments.join(id);
  return { text, bytes: bytes + (segments.length - 1) * Buffer.byteLength(id, 'utf8') };
}

/** A response body as the pieces to write, and its length in UTF-8 bytes (the Content-Length). */
export interface ResponseChunks {
  readonly chunks: readonly (string | Buffer)[];
  readonly bytes: number;
}

/**
 * The response body as pieces written back to back: for one result, the kept bytes of its head
 * (query and rows, encoded once per answer and shared by dev-mode copies), the request id and
 * the tail, so neither the rows' text nor their bytes are copied per request; several results:
 * the whole text.
 */
export function loadResponseChunks(response: LoadResponse, multi: boolean, options: SerializeOptions): ResponseChunks {
  const { segments, bytes, head } = loadResponseSegments(response, multi, options.responseFormat);
  const id = JSON.stringify(options.requestId);
  const total = bytes + (segments.length - 1) * Buffer.byteLength(id, 'utf8');
  if (!head) return { chunks: [segments.join(id)], bytes: total };
  return { chunks: [(head.buffer ??= Buffer.from(head.text, 'utf8')), id, segments[1]!], bytes: total };
}

function buildSegments(response: LoadResponse, multi: boolean, responseFormat?: string): Segments {
  if (!multi) {
    const { head, tail, bytes, kept } = resultSegments(response.results[0]!, responseFormat);
    return { segments: [head, tail], bytes, head: kept };
  }
  const segments: string[] = [];
  let bytes = 0;
  let open = '{"queryType":' + JSON.stringify(response.queryType) + ',"results":[';
  response.results.forEach((result, i) => {
    const { head, tail, headBytes } = resultSegments(result, responseFormat);
    const first = open + (i > 0 ? ',' : '');
    segments.push(first + head);
    bytes += Buffer.byteLength(first, 'utf8') + headBytes;
    open = tail;
  });
  const slowQuery = response.results.some((r) => r.slowQuery);
  const last = open + '],"pivotQuery":' + JSON.stringify(pivotQuery(response)) + ',"slowQuery":' + String(slowQuery) + '}';
  segments.push(last);
  bytes += Buffer.byteLength(last, 'utf8');
  return { segments, bytes };
}

export function serializeLoadResult(result: LoadResult, options: SerializeOptions): string {
  const { head, tail } = resultSegments(result, options.responseFormat);
  return head + JSON.stringify(options.requestId) + tail;
}

/** One result's JSON before and after its request id, and their UTF-8 byte lengths. */
function resultSegments(result: LoadResult, responseFormat?: string): { head: string; tail: string; headBytes: number; bytes: number; kept: KeptHead } {
  const head = resultHead(result, responseFormat);
  const tail = [
    ',"annotation":', annotationJson(result.annotation),
    ',"dataSource":', JSON.stringify(result.dataSource),
    ',"dbType":', JSON.stringify(result.dbType),
    ',"extDbType":', JSON.stringify('duckdb'),
    ',"external":', String(result.external),
    ',"slowQuery":', String(result.slowQuery),
    ',"total":', result.total === undefined ? 'null' : encodeValue(result.total),
    '}',
  ].join('');
  return { head: head.text, tail, headBytes: head.bytes, bytes: head.bytes + Buffer.byteLength(tail, 'utf8'), kept: head };
}

/**
 * The annotation's JSON, as JSON.stringify writes it, from the kept JSON of each of its member
 * maps: a dev-mode copy of a memoized answer shares them and differs only by its `timings`, so a
 * repeated query encodes only those (answers are never changed once made).
 */
function annotationJson(annotation: LoadResult['annotation']): string {
  let text = '';
  for (const key of Object.keys(annotation)) {
    const value = (annotation as unknown as Record<string, unknown>)[key];
    if (value === undefined) continue;
    text += (text === '' ? '{' : ',') + JSON.stringify(key) + ':' + (key === 'timings' ? JSON.stringify(value) : valueJson(value));
  }
  return text === '' ? '{}' : text + '}';
}

/** A value's JSON, an object's kept once per object (reuse/answer-key.ts). */
function valueJson(value: unknown): string {
  return value !== null && typeof value === 'object' ? keptJson(value) : JSON.stringify(value) ?? 'null';
}

/**
 * The result's JSON up to its request id (query, data, lastRefreshTime, usedPreAggregations),
 * kept with its rows' encoding: a dev-mode copy of a memoized answer shares these values.
 */
function resultHead(result: LoadResult, responseFormat?: string): KeptHead {
  const known = dataEntry(result);
  const compact = responseFormat === 'compact';
  const kept = compact ? known.compactHead : known.rowsHead;
  if (kept && kept.query === result.query && kept.lastRefreshTime === result.lastRefreshTime && kept.usedPreAggregations === result.usedPreAggregations) return kept;
  const text = [
    '{"query":', valueJson(result.query),
    ',"data":', encodedData(result, responseFormat),
    ',"lastRefreshTime":', JSON.stringify(result.lastRefreshTime),
    ',"usedPreAggregations":', JSON.stringify(result.usedPreAggregations),
    ',"requestId":',
  ].join('');
  const head: KeptHead = { query: result.query, lastRefreshTime: result.lastRefreshTime, usedPreAggregations: result.usedPreAggregations, text, bytes: Buffer.byteLength(text, 'utf8') };
  if (compact) known.compactHead = head;
  else known.rowsHead = head;
  return head;
}

interface KeptHead {
  readonly query: unknown;
  readonly lastRefreshTime: unknown;
  readonly usedPreAggregations: unknown;
  readonly text: string;
  readonly bytes: number;
  /** `text` in UTF-8, made when first written. */
  buffer?: Buffer;
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
  const known = dataEntry(result);
  const text = compact ? known.compact : known.rows;
  if (text !== undefined) return text;
  if (compact) return (known.compact = compactData(result));
  return (known.rows = rowData(result));
}

/** What is kept per answer's rows: their JSON in each format, and the heads around it. */
interface DataEntry {
  readonly columns: LoadResult['columns'];
  rows?: string;
  compact?: string;
  rowsHead?: KeptHead;
  compactHead?: KeptHead;
}

function dataEntry(result: LoadResult): DataEntry {
  let known = dataCache.get(result.data);
  if (!known || known.columns !== result.columns) {
    known = { columns: result.columns };
    dataCache.set(result.data, known);
  }
  return known;
}

const dataCache = new WeakMap<object, DataEntry>();

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
