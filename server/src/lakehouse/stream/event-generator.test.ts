import { describe, expect, it } from 'vitest';
import { EventGenerator } from './event-generator.ts';
import { parseEventRecord } from './parse-event-record.ts';
import type { StreamEvent } from './event-types.ts';

describe('EventGenerator', () => {
  const events = new EventGenerator({ seed: 5 }).take(5_000);
  const bySession = new Map<string, StreamEvent[]>();
  for (const e of events) bySession.set(e.session_id, [...(bySession.get(e.session_id) ?? []), e]);

  it('emits only events the consumer accepts', () => {
    expect(events.every((e) => parseEventRecord(Buffer.from(JSON.stringify(e))).ok)).toBe(true);
    expect(new Set(events.map((e) => e.event_id)).size).toBe(events.length);
  });

  it('builds funnels: landing page view first, purchases only after a checkout, one order per session', () => {
    for (const session of bySession.values()) {
      expect(session[0]!.event_type).toBe('page_view');
      const types = session.map((e) => e.event_type);
      const firstPurchase = types.indexOf('purchase');
      if (firstPurchase >= 0) expect(types.indexOf('checkout_start')).toBeLessThan(firstPurchase);
      expect(new Set(session.filter((e) => e.order_id).map((e) => e.order_id)).size).toBeLessThanOrEqual(1);
      expect(new Set(session.map((e) => e.anonymous_id)).size).toBe(1);
    }
  });

  it('mixes tagged and untagged sessions, site and app, and every funnel step', () => {
    const landings = [...bySession.values()].map((s) => s[0]!);
    const tagged = landings.filter((e) => e.utm_campaign).length / landings.length;
    expect(tagged).toBeGreaterThan(0.5);
    expect(tagged).toBeLessThan(0.95);
    expect(new Set(events.map((e) => e.channel))).toEqual(new Set(['site', 'app']));
    expect(new Set(events.map((e) => e.event_type)).size).toBe(6);
  });
});
