import { describe, expect, it } from 'vitest';
import { UserError } from '../errors/user-error.ts';
import { parseCubeQuery } from './parse-cube-query.ts';

function refusal(value: unknown, options = { maxLimit: 50_000 }): UserError {
  try {
    parseCubeQuery(value, options);
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error(`expected ${JSON.stringify(value)} to be refused`);
}

const m = { measures: ['a.b'] };

describe('parseCubeQuery', () => {
  it('accepts every field of a full Cube query and returns it typed', () => {
    const query = {
      measures: ['a.b'], dimensions: ['a.c'], segments: ['a.s'],
      timeDimensions: [{ dimension: 'a.t', granularity: 'month', dateRange: ['2024-01-01', '2024-12-31'] }, { dimension: 'a.t', dateRange: 'last 7 days', compareDateRange: ['this year', ['2023-01-01', '2023-12-31']] }],
      filters: [{ or: [{ member: 'a.c', operator: 'equals', values: ['x', 1, true, null] }, { and: [{ dimension: 'a.c', operator: 'set' }] }] }, { and: [] }],
      order: { 'a.b': 'desc', 'a.c': 'asc' }, limit: 10, offset: 5, total: true, ungrouped: false, timezone: 'America/Sao_Paulo', renewQuery: true,
      responseFormat: 'compact', joinHints: [],
    };
    expect(parseCubeQuery(query)).toEqual(query);
    expect(Object.keys(parseCubeQuery(query).order as object)).toEqual(['a.b', 'a.c']);
  });

  it('reads what GET clients and Cube allow as their plain forms', () => {
    expect(parseCubeQuery({ ...m, limit: '10', offset: '0' })).toEqual({ ...m, limit: 10, offset: 0 });
    expect(parseCubeQuery({ ...m, limit: null, offset: null })).toEqual(m);
    expect(parseCubeQuery({ ...m, timeDimensions: [{ dimension: 'a.t', granularity: null, dateRange: null }] }).timeDimensions).toEqual([{ dimension: 'a.t' }]);
    expect(parseCubeQuery({ ...m, filters: [{ member: 'a.c', operator: 'set', values: null }] }).filters).toEqual([{ member: 'a.c', operator: 'set' }]);
  });

  it('reads rowLimit as limit, and refuses the two when they differ', () => {
    expect(parseCubeQuery({ ...m, rowLimit: 7 })).toEqual({ ...m, limit: 7 });
    expect(parseCubeQuery({ ...m, rowLimit: 7, limit: 7 })).toEqual({ ...m, limit: 7 });
    expect(refusal({ ...m, rowLimit: 7, limit: 8 }).message).toBe('Invalid query format: rowLimit: differs from limit; give one of the two');
  });

  it.each([
    [{ measures: 'a.b' }, 'measures: expected array, received string "a.b"'],
    [{ measures: [5] }, 'measures[0]: expected string, received number 5'],
    [{ measures: [''] }, 'measures[0]: must not be empty'],
    [{ ...m, filters: [{ member: 'a.c', operator: 'set' }, { member: 'a.c', operator: 'set' }, { member: 'a.c', operator: 'equals', values: ['x', {}] }] }, 'filters[2].values[1]: expected string, number, boolean or null, received object'],
    [{ ...m, filters: [{ and: [{ or: [{ member: 'a.c', operator: 'equals', values: [[1]] }] }] }] }, 'filters[0].and[0].or[0].values[0]: expected string, number, boolean or null, received array'],
    [{ ...m, filters: [{ or: 'a.c' }] }, 'filters[0].or: expected array, received string "a.c"'],
    [{ ...m, filters: [{ operator: 'set' }] }, 'filters[0]: needs "member" (or "and"/"or")'],
    [{ ...m, filters: [{ member: 'a.c' }] }, 'filters[0].operator: is required'],
    [{ ...m, filters: [{ member: 'a.c', operator: 'set', extra: 1 }] }, 'filters[0]: "extra" is not allowed'],
    [{ ...m, filters: [{ and: [], or: [] }] }, 'filters[0]: "or" is not allowed'],
    [{ ...m, timeDimensions: [{ dimension: 'a.t', dateRange: ['2024-01-01', '2024-01-02', '2024-01-03'] }] }, 'timeDimensions[0].dateRange: needs one date or a [from, to] pair'],
    [{ ...m, timeDimensions: [{ dimension: 'a.t', dateRange: 5 }] }, 'timeDimensions[0].dateRange: expected string or array, received number 5'],
    [{ ...m, timeDimensions: [{ dimension: 'a.t', compareDateRange: [] }] }, 'timeDimensions[0].compareDateRange: needs at least one date range'],
    [{ ...m, timeDimensions: [{ granularity: 'day' }] }, 'timeDimensions[0].dimension: is required'],
    [{ ...m, order: { 'a.b': 'up' } }, 'order["a.b"]: expected "asc" or "desc", received "up"'],
    [{ ...m, order: [['a.b', 'up']] }, 'order[0][1]: expected "asc" or "desc", received "up"'],
    [{ ...m, order: 5 }, 'order: expected object or array, received number 5'],
    [{ ...m, limit: -1 }, 'limit: must be at least 0'],
    [{ ...m, limit: 'ten' }, 'limit: must be a non-negative integer'],
    [{ ...m, rowLimit: 'ten' }, 'rowLimit: must be a non-negative integer'],
    [{ ...m, joinHints: [['a', 1]] }, 'joinHints[0][1]: expected string, received number 1'],
    [{ ...m, total: 'yes' }, 'total: expected boolean, received string "yes"'],
    [{ ...m, timezone: 'Mars/Olympus' }, 'timezone: "Mars/Olympus" is not an IANA time zone'],
    [{ ...m, responseFormat: 'columnar' }, 'responseFormat: expected "default" or "compact", received "columnar"'],
    [{ measure: ['a.b'] }, '"measure" is not allowed'],
  ])('names the path in %j', (query, message) => {
    const error = refusal(query);
    expect(error.code).toBe('QUERY_INVALID');
    expect(error.httpStatus).toBe(400);
    expect(error.message).toBe(`Invalid query format: ${message}`);
  });

  it('refuses what is not an object', () => {
    expect(refusal([1]).message).toBe('Invalid query format: expected object, received array');
    expect(refusal(null).message).toBe('Invalid query format: expected object, received null');
  });

  it('refuses "__proto__" as a query key and as an order key', () => {
    expect(refusal(JSON.parse('{"measures":["a.b"],"__proto__":{"x":1}}')).message).toBe('Invalid query format: "__proto__" is not allowed');
    expect(refusal(JSON.parse('{"measures":["a.b"],"order":{"__proto__":"asc"}}')).code).toBe('UNKNOWN_MEMBER');
  });

  it('names an unknown filter operator with INVALID_OPERATOR and lists the operators', () => {
    const error = refusal({ ...m, filters: [{ and: [{ member: 'a.c', operator: 'like', values: ['x'] }] }] });
    expect(error.code).toBe('INVALID_OPERATOR');
    expect(error.message).toBe('Invalid query format: filters[0].and[0].operator: "like" is not a filter operator');
    expect(error.hint).toMatch(/equals, notEquals, contains/);
  });

  it('refuses join hints as UNSUPPORTED (joins follow the model) but takes an empty list', () => {
    const error = refusal({ ...m, joinHints: [['a', 'b']] });
    expect(error.code).toBe('UNSUPPORTED');
    expect(error.message).toMatch(/^Invalid query format: joinHints: join hints are not supported/);
    expect(parseCubeQuery({ ...m, joinHints: [] })).toEqual({ ...m, joinHints: [] });
  });

  it('requires something to select, with Cube\'s message', () => {
    const message = 'Query should contain either measures, dimensions or timeDimensions with granularities in order to be valid';
    expect(refusal({ filters: [{ member: 'a.c', operator: 'set' }] }).message).toBe(message);
    expect(refusal({ timeDimensions: [{ dimension: 'a.t', dateRange: 'last week' }] }).message).toBe(message);
    expect(refusal({ measures: [], dimensions: [] }).message).toBe(message);
    expect(parseCubeQuery({ timeDimensions: [{ dimension: 'a.t', granularity: 'day' }] })).toBeTruthy();
  });

  it('refuses a limit or rowLimit over the maximum with LIMIT_EXCEEDED, and has no maximum unless given one', () => {
    for (const key of ['limit', 'rowLimit']) {
      const error = refusal({ ...m, [key]: 501 }, { maxLimit: 500 });
      expect(error.code).toBe('LIMIT_EXCEEDED');
      expect(error.message).toBe('The query limit has been exceeded: limit 501 is over the maximum of 500');
    }
    expect(parseCubeQuery({ ...m, limit: 10 ** 9 }).limit).toBe(10 ** 9);
  });

  it('names the query of a blending request in the path', () => {
    expect(() => parseCubeQuery({ measures: [1] }, { prefix: 'query[1]' })).toThrow('Invalid query format: query[1].measures[0]: expected string, received number 1');
  });

  it('stops runaway nesting before walking it', () => {
    let filter: unknown = { member: 'a.c', operator: 'set' };
    for (let i = 0; i < 3000; i++) filter = { and: [filter] };
    const error = refusal({ ...m, filters: [filter] });
    expect(error.message).toMatch(/^Invalid query format: filters\[0\](\.and\[0\]){32}\.and: nests deeper than 32 levels$/);
    let ok: unknown = { member: 'a.c', operator: 'set' };
    for (let i = 0; i < 32; i++) ok = { or: [ok] };
    expect(parseCubeQuery({ ...m, filters: [ok] }).filters).toHaveLength(1);
  });

  it('caps every list at 10,000 items', () => {
    expect(refusal({ measures: Array.from({ length: 10_001 }, () => 'a.b') }).message).toBe('Invalid query format: measures: must have at most 10000 items');
  });
});
