import { describe, expect, it } from 'vitest';
import type { Cube, Dimension, Measure, SemanticModel } from '../model/model-types.ts';
import { normalizeQuery } from './normalize-query.ts';

const loc = { file: 'test.yml', line: 1 };
const text = (t: string) => [{ kind: 'text' as const, text: t }];
function dim(cube: string, name: string, type: Dimension['type'], extra: Partial<Dimension> = {}): Dimension {
  return { kind: 'dimension', name, path: `${cube}.${name}`, cube, title: name, public: true, location: loc, type, sql: text(name), primaryKey: false, granularities: [], ...extra };
}
function measure(cube: string, name: string, type: Measure['type'], extra: Partial<Measure> = {}): Measure {
  return { kind: 'measure', name, path: `${cube}.${name}`, cube, title: name, public: true, location: loc, type, sql: text(name), filters: [], drillMembers: [], ...extra };
}
const orders: Cube = {
  name: 'orders', title: 'Orders', public: true, sqlTable: text('orders'), dataSource: 'default', location: loc, joins: [], preAggregations: {}, accessPolicies: [], segments: {},
  dimensions: { status: dim('orders', 'status', 'string'), amount: dim('orders', 'amount', 'number'), created: dim('orders', 'created', 'time', { granularities: [{ name: 'fortnight', interval: '2 weeks' }] }), paid: dim('orders', 'paid', 'boolean') },
  measures: { count: measure('orders', 'count', 'count'), secret: measure('orders', 'secret', 'sum', { public: false }), revenue: measure('orders', 'revenue', 'sum') },
};
const model: SemanticModel = {
  cubes: { orders },
  views: { sales: { name: 'sales', title: 'Sales', public: true, location: loc, accessPolicies: [], members: {
    total: { name: 'total', path: 'sales.total', target: 'orders.revenue', joinPath: ['orders'], kind: 'measure' },
    hidden: { name: 'hidden', path: 'sales.hidden', target: 'orders.count', joinPath: ['orders'], kind: 'measure', public: false },
  } } },
  version: 't',
};
const NOW = new Date('2024-06-15T12:00:00Z');
const norm = (q: unknown, opts = {}) => normalizeQuery(model, q, { now: NOW, ...opts });
const fails = (q: unknown, code: string, message?: RegExp) => {
  try {
    norm(q);
  } catch (e) {
    expect((e as { code: string }).code).toBe(code);
    if (message) expect((e as Error).message).toMatch(message);
    return;
  }
  throw new Error('expected an error');
};

describe('normalizeQuery', () => {
  it('resolves cube and view members, keeping the alias the client used', () => {
    const q = norm({ measures: ['sales.total', 'orders.count'], dimensions: ['orders.status'] });
    expect(q.measures.map((m) => [m.alias, m.member.path])).toEqual([['sales.total', 'orders.revenue'], ['orders.count', 'orders.count']]);
    expect(q.measures[0]!.joinPath).toEqual(['orders']);
  });

  it('applies the default limit and Cube default order', () => {
    expect(norm({ measures: ['orders.count'], dimensions: ['orders.status'] })).toMatchObject({ limit: 10000, offset: 0, order: [{ alias: 'orders.count', direction: 'desc' }] });
    expect(norm({ dimensions: ['orders.status'] }).order).toEqual([{ alias: 'orders.status', direction: 'asc' }]);
    expect(norm({ measures: ['orders.count'], timeDimensions: [{ dimension: 'orders.created', granularity: 'day' }] }).order).toEqual([{ alias: 'orders.created', direction: 'asc' }]);
  });

  it('accepts order as an object (key order kept) or as pairs', () => {
    expect(norm({ dimensions: ['orders.status', 'orders.amount'], order: { 'orders.amount': 'desc', 'orders.status': 'asc' } }).order.map((o) => o.alias)).toEqual(['orders.amount', 'orders.status']);
    expect(norm({ dimensions: ['orders.status'], order: [['orders.status', 'desc']] }).order).toEqual([{ alias: 'orders.status', direction: 'desc' }]);
  });

  it('types filter values for the member', () => {
    const q = norm({ measures: ['orders.count'], filters: [{ member: 'orders.amount', operator: 'gt', values: ['10.5'] }, { member: 'orders.paid', operator: 'equals', values: ['true'] }] });
    expect(q.filters.map((f) => (f.kind === 'member' ? f.values : []))).toEqual([[10.5], [true]]);
  });

  it('turns an inDateRange filter and a time dimension range into local inclusive ranges', () => {
    const q = norm({ measures: ['orders.count'], timeDimensions: [{ dimension: 'orders.created', dateRange: 'last month' }], filters: [{ member: 'orders.created', operator: 'inDateRange', values: ['2024-01-01', '2024-01-02'] }] });
    expect(q.timeDimensions[0]!.dateRange).toEqual(['2024-05-01T00:00:00.000', '2024-05-31T23:59:59.999']);
    expect(q.filters[0]).toMatchObject({ values: ['2024-01-01T00:00:00.000', '2024-01-02T23:59:59.999'] });
  });

  it('accepts custom granularities declared on the dimension', () => {
    expect(norm({ measures: ['orders.count'], timeDimensions: [{ dimension: 'orders.created', granularity: 'fortnight' }] }).timeDimensions[0]!.granularity).toBe('fortnight');
  });

  it.each([
    [{ measures: ['orders.count'], limt: 5 }, 'QUERY_INVALID', /limt/],
    [{ measures: 'orders.count' }, 'QUERY_INVALID', /measures/],
    [{ measures: ['orders.nope'] }, 'UNKNOWN_MEMBER', /orders\.nope/],
    [{ measures: ['nope.count'] }, 'UNKNOWN_MEMBER', /nope\.count/],
    [{ measures: ['orders.secret'] }, 'HIDDEN_MEMBER', /hidden/],
    [{ measures: ['sales.hidden'] }, 'HIDDEN_MEMBER', /hidden/],
    [{ measures: ['orders.status'] }, 'QUERY_INVALID', /not a measure/],
    [{ measures: ['orders.count'], filters: [{ member: 'orders.amount', operator: 'contains', values: ['1'] }] }, 'INVALID_OPERATOR', /contains/],
    [{ measures: ['orders.count'], filters: [{ member: 'orders.status', operator: 'inDateRange', values: ['2024-01-01', '2024-01-02'] }] }, 'INVALID_OPERATOR', /inDateRange/],
    [{ measures: ['orders.count'], filters: [{ member: 'orders.amount', operator: 'equals', values: ['abc'] }] }, 'INVALID_VALUE', /abc/],
    [{ measures: ['orders.count'], filters: [{ member: 'orders.status', operator: 'equals' }] }, 'INVALID_VALUE', /needs at least one value/],
    [{ measures: ['orders.count'], timeDimensions: [{ dimension: 'orders.created', dateRange: 'the other day' }] }, 'INVALID_DATE_RANGE', /the other day/],
    [{ measures: ['orders.count'], timeDimensions: [{ dimension: 'orders.created', granularity: 'fortnightly' }] }, 'QUERY_INVALID', /fortnightly/],
    [{ measures: ['orders.count'], timeDimensions: [{ dimension: 'orders.status' }] }, 'QUERY_INVALID', /not a time dimension/],
    [{ measures: ['orders.count'], limit: 50001 }, 'LIMIT_EXCEEDED', /50000/],
    [{ measures: ['orders.count'], timezone: 'Mars/Olympus' }, 'QUERY_INVALID', /Mars/],
    [{ measures: ['orders.count'], order: { 'orders.count': 'up' } }, 'QUERY_INVALID', /asc/],
    [{ measures: ['orders.count'], filters: [{ member: 'orders.status', operator: 'equals', values: ['a'], extra: 1 }] }, 'QUERY_INVALID', /extra/],
    [{ measures: ['orders.count'], timeDimensions: [{ dimension: 'orders.created', granularity: 'day', compareDateRange: [] }] }, 'QUERY_INVALID', /compareDateRange.*at least one/],
    [{ measures: ['orders.__proto__'] }, 'UNKNOWN_MEMBER', /orders\.__proto__/],
    [{ measures: ['orders.count'], filters: [{ member: 'orders.status', operator: 'endsWith', values: ['a\u0000'] }] }, 'INVALID_VALUE', /NUL/],
  ])('rejects %j with %s', (query, code, message) => fails(query, code, message));

  it('takes the maximum limit from options (CUBEJS_DB_QUERY_LIMIT)', () => {
    expect(() => norm({ measures: ['orders.count'], limit: 200 }, { maxLimit: 100 })).toThrow(/100/);
    expect(norm({ measures: ['orders.count'] }, { maxLimit: 100 }).limit).toBe(100);
  });
});
