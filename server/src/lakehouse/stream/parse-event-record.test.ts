import { describe, expect, it } from 'vitest';
import { EventGenerator } from './event-generator.ts';
import { parseEventRecord } from './parse-event-record.ts';

const bytes = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('parseEventRecord', () => {
  const sample = { ...new EventGenerator({ seed: 1 }).next(), event_type: 'add_to_cart', product_id: 'P000001', price: 9.9, quantity: 2 };

  it('accepts a well-formed event and parses its event time', () => {
    const parsed = parseEventRecord(bytes({ ...sample, event_time: '2024-05-01T10:00:00-03:00' }));
    expect(parsed).toMatchObject({ ok: true, eventTimeMs: Date.UTC(2024, 4, 1, 13, 0, 0) });
  });

  it.each([
    ['not json', 'invalid JSON'],
    [{ ...sample, session_id: undefined }, 'missing field session_id'],
    [{ ...sample, anonymous_id: 42 }, 'bad type for anonymous_id: expected a non-empty string, got number 42'],
    [{ ...sample, customer_id: 7 }, 'bad type for customer_id: expected a string or null, got number 7'],
    [{ ...sample, channel: 'tv' }, 'bad channel "tv"; expected site or app'],
    [{ ...sample, quantity: 1.5 }, 'bad type for quantity: expected an integer ≥ 1, got number 1.5'],
    [{ ...sample, price: -1 }, 'bad type for price: expected a number ≥ 0, got number -1'],
    [{ ...sample, product_id: null }, 'missing field product_id (required for add_to_cart)'],
    [{ ...sample, event_time: 'yesterday' }, 'bad event_time "yesterday": expected ISO-8601 with a time zone'],
  ])('rejects %j with a reason naming the field', (input, reason) => {
    const parsed = parseEventRecord(bytes(input));
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.reason).toContain(reason);
  });
});
