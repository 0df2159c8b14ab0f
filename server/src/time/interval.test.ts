import { describe, expect, it } from 'vitest';
import { intervalBucket, intervalMillis, isInterval, readInterval } from './interval.ts';

describe('Cube interval text', () => {
  it('reads one or several parts, negative amounts and unbounded', () => {
    expect(readInterval('3 month 3 days 3 hours')).toEqual([
      { amount: 3, unit: 'month' },
      { amount: 3, unit: 'day' },
      { amount: 3, unit: 'hour' },
    ]);
    expect(readInterval('-1 day')).toEqual([{ amount: -1, unit: 'day' }]);
    expect(readInterval(' Unbounded ')).toBe('unbounded');
    expect(readInterval('soon')).toBeUndefined();
    expect(readInterval('1 day and more')).toBeUndefined();
    expect(isInterval('2 weeks')).toBe(true);
    expect(isInterval('unbounded')).toBe(false);
  });

  it('gives schedules a nominal length', () => {
    expect(intervalMillis('1 hour')).toBe(3_600_000);
    expect(intervalMillis('30 seconds')).toBe(30_000);
    expect(intervalMillis('2 days')).toBe(172_800_000);
    expect(intervalMillis('1 day 2 hours')).toBe(93_600_000);
    expect(() => intervalMillis('soon')).toThrow(/Cannot read the interval "soon"/);
    expect(() => intervalMillis('-1 hour')).toThrow(/Cannot read the interval/);
  });

  it('changes a refresh key `every` once per interval', () => {
    const t = Date.UTC(2024, 0, 1, 10, 15);
    expect(intervalBucket('1 hour', t)).toBe(intervalBucket('1 hour', t + 40 * 60_000));
    expect(intervalBucket('1 hour', t)).not.toBe(intervalBucket('1 hour', t + 50 * 60_000));
  });
});
