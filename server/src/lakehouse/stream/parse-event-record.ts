import { EVENT_TYPES, PRODUCT_EVENT_TYPES, type EventType, type StreamEvent } from './event-types.ts';

/** A valid event with its parsed event time (epoch ms). */
export interface ParsedEvent {
  readonly ok: true;
  readonly event: StreamEvent;
  readonly eventTimeMs: number;
}

/** A record that cannot become a bronze event, with the reason stored in quarantine. */
export interface MalformedRecord {
  readonly ok: false;
  readonly reason: string;
}

const EVENT_TYPE_SET: ReadonlySet<string> = new Set(EVENT_TYPES);
const REQUIRED_TEXT = ['event_id', 'event_type', 'event_time', 'session_id', 'anonymous_id', 'device', 'channel'] as const;
const OPTIONAL_TEXT = ['customer_id', 'utm_source', 'utm_medium', 'utm_campaign', 'product_id', 'order_id'] as const;
// ISO-8601 with a zone (Z or ±hh:mm): a timestamp without zone would be read in the server's zone.
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Validates one record (its bytes, or their UTF-8 text) as a StreamEvent. Every reason names the offending field and what
 * was expected, so the quarantine table tells the producer team what to fix.
 */
export function parseEventRecord(data: Uint8Array | string): ParsedEvent | MalformedRecord {
  let value: unknown;
  try {
    value = JSON.parse(typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'));
  } catch (error) {
    return malformed(`invalid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return malformed(`expected a JSON object, got ${describe(value)}`);
  const record = value as Record<string, unknown>;
  for (const field of REQUIRED_TEXT) {
    if (record[field] === undefined || record[field] === null) return malformed(`missing field ${field}`);
    if (typeof record[field] !== 'string' || record[field] === '') return malformed(`bad type for ${field}: expected a non-empty string, got ${describe(record[field])}`);
  }
  for (const field of OPTIONAL_TEXT) {
    if (record[field] != null && typeof record[field] !== 'string') return malformed(`bad type for ${field}: expected a string or null, got ${describe(record[field])}`);
  }
  const type = record.event_type as string;
  if (!EVENT_TYPE_SET.has(type)) return malformed(`unknown event_type ${JSON.stringify(type)}; expected one of ${EVENT_TYPES.join(', ')}`);
  if (record.channel !== 'site' && record.channel !== 'app') return malformed(`bad channel ${JSON.stringify(record.channel)}; expected site or app`);
  const eventTimeMs = ISO_WITH_ZONE.test(record.event_time as string) ? Date.parse(record.event_time as string) : NaN;
  if (Number.isNaN(eventTimeMs)) return malformed(`bad event_time ${JSON.stringify(record.event_time)}: expected ISO-8601 with a time zone`);
  const productProblem = checkProductFields(type as EventType, record);
  if (productProblem) return malformed(productProblem);
  return { ok: true, event: record as unknown as StreamEvent, eventTimeMs };
}

function checkProductFields(type: EventType, record: Record<string, unknown>): string | undefined {
  const { price, quantity } = record;
  if (price != null && (typeof price !== 'number' || !Number.isFinite(price) || price < 0)) return `bad type for price: expected a number ≥ 0, got ${describe(price)}`;
  if (quantity != null && (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1)) return `bad type for quantity: expected an integer ≥ 1, got ${describe(quantity)}`;
  if (!PRODUCT_EVENT_TYPES.has(type)) return undefined;
  if (record.product_id == null) return `missing field product_id (required for ${type})`;
  if (type === 'product_view') return undefined;
  if (price == null) return `missing field price (required for ${type})`;
  if (quantity == null) return `missing field quantity (required for ${type})`;
  if (type === 'purchase' && record.order_id == null) return 'missing field order_id (required for purchase)';
  return undefined;
}

function malformed(reason: string): MalformedRecord {
  return { ok: false, reason };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return `${typeof value} ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}
