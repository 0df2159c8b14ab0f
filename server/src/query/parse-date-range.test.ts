import { describe, expect, it } from 'vitest';
import { parseDateRange } from './parse-date-range.ts';

// Saturday 2024-06-15 12:00 UTC = 09:00 in São Paulo.
const NOW = new Date('2024-06-15T12:00:00Z');
const range = (r: unknown, tz = 'UTC') => parseDateRange(r, tz, NOW, 'x.y');

describe('parseDateRange', () => {
  it('makes a date-only end inclusive of the whole day', () => {
    expect(range(['2024-01-01', '2024-01-31'])).toEqual(['2024-01-01T00:00:00.000', '2024-01-31T23:59:59.999']);
  });

  it('says a reversed pair ends before it starts (both dates parse)', () => {
    expect(() => range(['2024-03-01', '2024-02-01'])).toThrow('Date range ["2024-03-01","2024-02-01"] ends before it starts');
  });

  it('reads one date as that whole day, as Cube reads [d]', () => {
    expect(range(['2024-01-01'])).toEqual(['2024-01-01T00:00:00.000', '2024-01-01T23:59:59.999']);
  });

  it("reads instants with Z or an offset on the query time zone's wall clock (the values GraphQL returns)", () => {
    // 2024-03-01T00:00Z is 2024-02-29 21:00 in São Paulo (UTC−3); 12:00−03:00 is 15:00 UTC.
    expect(range(['2024-03-01T00:00:00.000Z', '2024-03-02T12:00:00-03:00'], 'America/Sao_Paulo')).toEqual(['2024-02-29T21:00:00.000', '2024-03-02T12:00:00.000']);
    expect(range(['2024-03-01T00:00:00Z', '2024-03-02T12:00:00-0300'])).toEqual(['2024-03-01T00:00:00.000', '2024-03-02T15:00:00.000']);
    expect(range('from 2024-03-01T00:00:00Z to 2024-03-01T06:00:00Z', 'Asia/Tokyo')).toEqual(['2024-03-01T09:00:00.000', '2024-03-01T15:00:00.000']);
  });

  it('keeps explicit times', () => {
    expect(range(['2024-01-01T10:00:00', '2024-01-01 12:30'])).toEqual(['2024-01-01T10:00:00.000', '2024-01-01T12:30:00.000']);
  });

  it.each([
    ['today', '2024-06-15T00:00:00.000', '2024-06-15T23:59:59.999'],
    ['yesterday', '2024-06-14T00:00:00.000', '2024-06-14T23:59:59.999'],
    ['tomorrow', '2024-06-16T00:00:00.000', '2024-06-16T23:59:59.999'],
    ['this week', '2024-06-10T00:00:00.000', '2024-06-16T23:59:59.999'],
    ['this month', '2024-06-01T00:00:00.000', '2024-06-30T23:59:59.999'],
    ['this quarter', '2024-04-01T00:00:00.000', '2024-06-30T23:59:59.999'],
    ['this year', '2024-01-01T00:00:00.000', '2024-12-31T23:59:59.999'],
    ['last 7 days', '2024-06-08T00:00:00.000', '2024-06-14T23:59:59.999'],
    ['last 2 weeks', '2024-05-27T00:00:00.000', '2024-06-09T23:59:59.999'],
    ['last 3 months', '2024-03-01T00:00:00.000', '2024-05-31T23:59:59.999'],
    ['last 2 quarters', '2023-10-01T00:00:00.000', '2024-03-31T23:59:59.999'],
    ['last 1 year', '2023-01-01T00:00:00.000', '2023-12-31T23:59:59.999'],
    ['last week', '2024-06-03T00:00:00.000', '2024-06-09T23:59:59.999'],
    ['last month', '2024-05-01T00:00:00.000', '2024-05-31T23:59:59.999'],
    ['last quarter', '2024-01-01T00:00:00.000', '2024-03-31T23:59:59.999'],
    ['last year', '2023-01-01T00:00:00.000', '2023-12-31T23:59:59.999'],
    ['next month', '2024-07-01T00:00:00.000', '2024-07-31T23:59:59.999'],
    ['next 2 days', '2024-06-16T00:00:00.000', '2024-06-17T23:59:59.999'],
    ['from 3 months ago to now', '2024-03-15T00:00:00.000', '2024-06-15T23:59:59.999'],
    ['from 7 days ago to now', '2024-06-08T00:00:00.000', '2024-06-15T23:59:59.999'],
    ['from 2024-01-01 to 2024-02-01', '2024-01-01T00:00:00.000', '2024-02-01T23:59:59.999'],
    ['Last 7 Days', '2024-06-08T00:00:00.000', '2024-06-14T23:59:59.999'],
  ])('"%s" → [%s, %s]', (text, from, to) => {
    expect(range(text)).toEqual([from, to]);
  });

  it('computes relative ranges in the query time zone', () => {
    // 2024-06-15 01:00 UTC is still the 14th in São Paulo.
    expect(parseDateRange('today', 'America/Sao_Paulo', new Date('2024-06-15T01:00:00Z'), 'x.y')).toEqual(['2024-06-14T00:00:00.000', '2024-06-14T23:59:59.999']);
  });

  it('reads years before 100 as written (not 19xx)', () => {
    expect(range(['0050-03-01', '0050-03-02'])).toEqual(['0050-03-01T00:00:00.000', '0050-03-02T23:59:59.999']);
    expect(range('from 2000 years ago to now')).toEqual(['0024-06-15T00:00:00.000', '2024-06-15T23:59:59.999']);
  });

  it.each([['from 10000 years ago to now'], ['from now to 8000 years from now'], ['last 99999999999999 days'], ['next 9000000 quarters'], [['0000-01-01', '2024-01-01']]])(
    'rejects %j, which leaves the years 0001–9999, with INVALID_DATE_RANGE',
    (bad) => {
      expect(() => range(bad)).toThrow(expect.objectContaining({ code: 'INVALID_DATE_RANGE' }));
    },
  );

  it.each([['someday'], [['2024-02-30', '2024-03-01']], [['2024-03-01', '2024-02-01']], [42], [['2024-01-01', '2024-01-02', '2024-01-03']], [['2024-03-01T00:00:00+25:00', '2024-03-02']], ['last -1 days']])('rejects %j with INVALID_DATE_RANGE', (bad) => {
    expect(() => range(bad)).toThrow(expect.objectContaining({ code: 'INVALID_DATE_RANGE' }));
  });
});
