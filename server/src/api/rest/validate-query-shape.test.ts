import { describe, expect, it } from 'vitest';
import { validateQueryShape } from './validate-query-shape.ts';
import { UserError } from '../../errors/user-error.ts';

const limits = { queryLimit: 50_000 };

function rejection(value: unknown): UserError {
  try {
    validateQueryShape(value, limits);
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected a rejection');
}

describe('validateQueryShape', () => {
  it('accepts every field of a full Cube query', () => {
    const query = {
      measures: ['a.b'], dimensions: ['a.c'], segments: ['a.s'],
      timeDimensions: [{ dimension: 'a.t', granularity: 'month', dateRange: ['2024-01-01', '2024-12-31'] }, { dimension: 'a.t', dateRange: 'last 7 days' }],
      filters: [{ or: [{ member: 'a.c', operator: 'equals', values: ['x', 1, true, null] }, { and: [{ dimension: 'a.c', operator: 'set' }] }] }],
      order: { 'a.b': 'desc' }, limit: 10, offset: 5, total: true, ungrouped: false, timezone: 'UTC', renewQuery: true,
    };
    expect(validateQueryShape(query, limits)).toBe(query);
    expect(validateQueryShape({ measures: ['a.b'], order: [['a.b', 'asc']] }, limits)).toBeTruthy();
  });

  it('names the path of a wrong type', () => {
    expect(rejection({ measures: 'a.b' }).message).toBe('Invalid query format: "query.measures" must be an array');
    expect(rejection({ measures: [5] }).message).toBe('Invalid query format: "query.measures[0]" must be a non-empty string');
    expect(rejection({ timeDimensions: [{ dimension: 'a.t', dateRange: ['2024-01-01'] }] }).message).toMatch(/timeDimensions\[0\]\.dateRange/);
    expect(rejection({ limit: -1 }).message).toMatch(/"query.limit" must be a non-negative integer/);
    expect(rejection({ order: { 'a.b': 'up' } }).message).toMatch(/"query.order.a.b" must be "asc" or "desc"/);
    expect(rejection([1]).message).toMatch(/must be an object/);
  });

  it('requires something to select, as Cube does', () => {
    expect(rejection({ filters: [{ member: 'a.c', operator: 'set' }] }).message).toMatch(/Query should contain either measures, dimensions or timeDimensions with granularities/);
    expect(rejection({ timeDimensions: [{ dimension: 'a.t', dateRange: 'last week' }] }).code).toBe('QUERY_INVALID');
    expect(validateQueryShape({ timeDimensions: [{ dimension: 'a.t', granularity: 'day' }] }, limits)).toBeTruthy();
  });

  it('rejects unknown keys', () => {
    expect(rejection({ measure: ['a.b'] }).message).toBe('Invalid query format: "query.measure" "measure" is not allowed');
  });

  it('rejects an unknown filter operator with INVALID_OPERATOR, naming it', () => {
    const error = rejection({ filters: [{ member: 'a.c', operator: 'like', values: ['x'] }] });
    expect(error.code).toBe('INVALID_OPERATOR');
    expect(error.message).toMatch(/"like" is not a filter operator/);
  });

  it('rejects a limit over CUBEJS_DB_QUERY_LIMIT with LIMIT_EXCEEDED', () => {
    const error = rejection({ measures: ['a.b'], limit: 50_001 });
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(error.httpStatus).toBe(400);
    expect(error.message).toMatch(/limit 50001 is over the maximum of 50000/);
  });

  it('rejects an empty and/or group', () => {
    expect(rejection({ measures: ['a.b'], filters: [{ and: [] }] }).message).toBe('Invalid query format: "query.filters[0].and" must contain at least one filter');
  });

  it('stops runaway nesting', () => {
    let filter: unknown = { member: 'a.c', operator: 'set' };
    for (let i = 0; i < 40; i++) filter = { and: [filter] };
    expect(rejection({ filters: [filter] }).message).toMatch(/nests deeper/);
  });
});
