import { describe, it, expect } from 'vitest';
import { partitionRange, partitionsBetween, partitionsInUpdateWindow } from './refresh-schedule.ts';

describe('refresh schedule', () => {
  it('splits a build range into month partitions, both ends included', () => {
    const keys = partitionsBetween(Date.UTC(2023, 10, 20), Date.UTC(2024, 1, 3), 'month');
    expect(keys).toEqual(['2023-11-01T00:00:00', '2023-12-01T00:00:00', '2024-01-01T00:00:00', '2024-02-01T00:00:00']);
  });

  it('gives each partition an inclusive date range', () => {
    expect(partitionRange('2024-02-01T00:00:00', 'month')).toEqual(['2024-02-01T00:00:00.000', '2024-02-29T23:59:59.999']);
    expect(partitionRange('2024-01-01T00:00:00', 'day')).toEqual(['2024-01-01T00:00:00.000', '2024-01-01T23:59:59.999']);
  });

  it('rebuilds only partitions inside the update window', () => {
    const keys = partitionsBetween(Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 10), 'day');
    const now = Date.UTC(2024, 0, 10, 12);
    expect(partitionsInUpdateWindow(keys, 'day', '2 days', now)).toEqual(['2024-01-08T00:00:00', '2024-01-09T00:00:00', '2024-01-10T00:00:00']);
  });
});
