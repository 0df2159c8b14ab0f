import { describe, expect, it } from 'vitest';
import type { PartitionInfo } from './preagg-store.ts';
import { stampRanges } from './lambda-boundary.ts';

const partition = (start: string, changeStamp: string): PartitionInfo => ({
  partition: start,
  table: `t_${start}`,
  builtAt: changeStamp,
  rowCount: 1,
  refreshKeyValue: '1',
  // The last minute bucket of the hour.
  watermark: `${start.slice(0, 14)}59:00.000`,
  changeStamp,
});
const hour = (h: number): string => new Date(Date.UTC(2026, 10, 20) + h * 3_600_000).toISOString().slice(0, 19);

describe('stampRanges', () => {
  it('keeps partitions left behind by the update window apart from the ones rebuilt since', () => {
    // 48 hourly partitions built at start-up, then the last two rebuilt three hours later.
    const partitions = Array.from({ length: 50 }, (_, h) => partition(hour(h), h < 48 ? '2026-11-22T00:00:00.000' : '2026-11-22T03:00:00.000'));
    expect(stampRanges([...partitions].reverse())).toEqual([
      { from: '', stamp: '2026-11-22T00:00:00.000' },
      { from: hour(48), stamp: '2026-11-22T03:00:00.000' },
    ]);
  });

  it('after a day of hourly refreshes, lets a partition share an older stamp only when that stamp was read after its last bucket', () => {
    // 48 h of history built at start-up (T0), then every hour a refresh rebuilds the last 2 hours.
    const T0 = Date.UTC(2026, 10, 22);
    const iso = (ms: number) => new Date(ms).toISOString().slice(0, 23);
    const byStart = new Map<string, PartitionInfo>();
    const build = (h: number, at: number) => byStart.set(hour(h), { ...partition(hour(h), iso(at)), watermark: iso(Date.UTC(2026, 10, 20) + h * 3_600_000 + 59 * 60_000) });
    for (let h = 0; h < 48; h++) build(h, T0);
    for (let k = 1; k <= 24; k++) for (let h = 48 + k - 2; h <= 48 + k; h++) build(h, T0 + k * 3_600_000);
    const partitions = [...byStart.values()];
    const ranges = stampRanges(partitions);
    // The history is one range; the hours left behind form a few more, not one each.
    expect(ranges.length).toBeLessThan(partitions.length / 4);
    for (const [i, range] of ranges.entries()) {
      const end = ranges[i + 1]?.from ?? '9999';
      const inside = partitions.filter((p) => (range.from === '' || p.partition >= range.from) && p.partition < end);
      expect(range.stamp).toBe(inside.map((p) => p.changeStamp).sort()[0]);
      // No partition pays for sharing: its own stamp, or one read after its last bucket began.
      for (const p of inside) expect(p.changeStamp === range.stamp || range.stamp >= p.watermark, p.partition).toBe(true);
    }
  });

  it('past 96 ranges, widens a tolerance until they fit, each with the oldest stamp it holds', () => {
    // Every partition rebuilt a minute after the previous one, each after its own hour: none merges for free.
    const partitions = Array.from({ length: 300 }, (_, h) => partition(hour(h), new Date(Date.UTC(2026, 10, 20) + h * 3_600_000 + 3_600_000).toISOString().slice(0, 23)));
    const ranges = stampRanges(partitions);
    expect(ranges.length).toBeLessThanOrEqual(96);
    expect(ranges.length).toBeGreaterThan(1);
    expect(ranges[0]!.from).toBe('');
    for (const [i, range] of ranges.entries()) {
      const end = ranges[i + 1]?.from ?? '9999';
      const inside = partitions.filter((p) => (range.from === '' || p.partition >= range.from) && p.partition < end);
      expect(inside.length).toBeGreaterThan(0);
      expect(range.stamp).toBe(inside.map((p) => p.changeStamp).sort()[0]);
    }
  });

  it('falls back to one range with the oldest stamp when stamps are not times', () => {
    expect(stampRanges([partition(hour(0), 'v7'), partition(hour(1), 'v3')])).toEqual([{ from: '', stamp: 'v3' }]);
  });
});
