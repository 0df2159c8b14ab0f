import { describe, expect, it } from 'vitest';
import type { PartitionInfo } from './preagg-store.ts';
import { stampRanges } from './lambda-boundary.ts';

const partition = (start: string, changeStamp: string): PartitionInfo => ({
  partition: start,
  table: `t_${start}`,
  builtAt: changeStamp,
  rowCount: 1,
  refreshKeyValue: '1',
  watermark: start,
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

  it('widens its tolerance until at most twelve ranges remain, each with the oldest stamp it holds', () => {
    // Every partition rebuilt a minute after the previous one: 200 distinct stamps.
    const partitions = Array.from({ length: 200 }, (_, h) => partition(hour(h), new Date(Date.UTC(2026, 10, 22) + h * 60_000).toISOString().slice(0, 23)));
    const ranges = stampRanges(partitions);
    expect(ranges.length).toBeLessThanOrEqual(12);
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
