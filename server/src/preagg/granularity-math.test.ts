import { describe, it, expect } from 'vitest';
import { isAlignedRange, isDerivableGranularity, nextBucket, truncate } from './granularity-math.ts';

describe('granularity math', () => {
  it('derives coarser granularities only where buckets nest', () => {
    expect(isDerivableGranularity('month', 'day')).toBe(true);
    expect(isDerivableGranularity('year', 'month')).toBe(true);
    expect(isDerivableGranularity('week', 'day')).toBe(true);
    expect(isDerivableGranularity('month', 'week')).toBe(false); // weeks straddle months
    expect(isDerivableGranularity('day', 'month')).toBe(false);
    expect(isDerivableGranularity('day', 'day')).toBe(true);
  });

  it('accepts date ranges made of whole buckets only', () => {
    expect(isAlignedRange(['2024-01-01T00:00:00.000', '2024-03-31T23:59:59.999'], 'month')).toBe(true);
    expect(isAlignedRange(['2024-01-01T00:00:00.000', '2024-03-15T23:59:59.999'], 'month')).toBe(false);
    expect(isAlignedRange(['2024-01-01T00:00:00.000', '2024-03-15T23:59:59.999'], 'day')).toBe(true);
    expect(isAlignedRange(['2024-01-01T06:00:00.000', '2024-01-02T23:59:59.999'], 'day')).toBe(false);
  });

  it('truncates to ISO weeks starting on Monday', () => {
    const wednesday = Date.UTC(2024, 4, 15, 13);
    expect(new Date(truncate(wednesday, 'week')).toISOString()).toBe('2024-05-13T00:00:00.000Z');
    expect(new Date(nextBucket(wednesday, 'quarter')).toISOString()).toBe('2024-07-01T00:00:00.000Z');
  });
});
