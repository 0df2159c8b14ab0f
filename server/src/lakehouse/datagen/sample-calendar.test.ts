import { describe, expect, it } from 'vitest';
import { MEAN_ORDER_LINES, MEAN_RECEIPT_LINES, blackFriday, buildCalendar } from './sample-calendar.ts';

describe('sample calendar', () => {
  it('finds Black Friday the day after the fourth Thursday of November', () => {
    expect(blackFriday(2024)).toBe('2024-11-29');
    expect(blackFriday(2025)).toBe('2025-11-28');
    expect(blackFriday(2026)).toBe('2026-11-27');
  });

  it('spreads ~1,000,000 sale lines over two years at scale 1', () => {
    const days = buildCalendar({ seed: 1, scale: 1, periodStart: '2024-10-01', from: '2024-10-01', to: '2026-09-30' });
    expect(days).toHaveLength(730);
    const lines = days.reduce((sum, d) => sum + d.onlineOrders * MEAN_ORDER_LINES + d.storeReceipts * MEAN_RECEIPT_LINES, 0);
    expect(lines).toBeGreaterThan(990_000);
    expect(lines).toBeLessThan(1_010_000);
  });

  it('gives Black Friday and December more orders than an ordinary day', () => {
    const days = buildCalendar({ seed: 1, scale: 1, periodStart: '2024-10-01', from: '2024-10-01', to: '2026-09-30' });
    const online = (day: string) => days.find((d) => d.day === day)!.onlineOrders;
    expect(online('2025-11-28')).toBeGreaterThan(4 * online('2025-10-14'));
    expect(online('2025-12-15')).toBeGreaterThan(1.4 * online('2025-10-14'));
  });

  it('gives a day the same counts whether generated alone or within the period', () => {
    const all = buildCalendar({ seed: 5, scale: 0.3, periodStart: '2024-10-01', from: '2024-10-01', to: '2026-09-30' });
    const alone = buildCalendar({ seed: 5, scale: 0.3, periodStart: '2024-10-01', from: '2025-06-01', to: '2025-06-01' });
    expect(alone[0]).toEqual(all.find((d) => d.day === '2025-06-01'));
  });
});
