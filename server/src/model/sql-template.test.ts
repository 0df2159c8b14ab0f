import { describe, expect, it } from 'vitest';
import { parseSqlTemplate, type ReferenceProblem, type ReferenceScope } from './sql-template.ts';

const scope: ReferenceScope = {
  cube: 'orders',
  hasCube: (name) => name === 'orders' || name === 'users' || name === 'status_cube',
  hasMember: (cube, member) => (cube === 'orders' && ['status', 'users'].includes(member)) || (cube === 'users' && member === 'city'),
};

function parse(sql: string) {
  const problems: ReferenceProblem[] = [];
  return { template: parseSqlTemplate(sql, scope, problems), problems };
}

describe('parseSqlTemplate', () => {
  it('prefers a member of the current cube over a cube of the same name', () => {
    expect(parse('{users}').template).toEqual([{ kind: 'member', path: 'orders.users' }]);
  });

  it('keeps non-reference braces (JSON literals) as text', () => {
    const { template, problems } = parse(`'{"a": 1}' || {CUBE}.x`);
    expect(problems).toEqual([]);
    expect(template).toEqual([{ kind: 'text', text: `'{"a": 1}' || ` }, { kind: 'cube', cube: 'orders' }, { kind: 'text', text: '.x' }]);
  });

  it('tolerates spaces inside braces and reports unsupported contexts', () => {
    expect(parse('{ securityContext.tenant }').template).toEqual([{ kind: 'securityContext', path: ['tenant'] }]);
    expect(parse("{SQL_UTILS.convertTz('x')}").problems[0]!.message).toMatch(/only \{Cube.sql\(\)\}, \{FILTER_PARAMS.*and \{FILTER_GROUP/);
    expect(parse('{FILTER_PARAMS.orders.status}').problems[0]!.message).toMatch(/FILTER_PARAMS is not supported/);
  });
  it('parses {Cube.sql()} and {CUBE.sql()} as the cube SQL to inline', () => {
    expect(parse('SELECT * FROM ({users.sql()}) u WHERE {CUBE.sql( )} IS NULL').template).toEqual([
      { kind: 'text', text: 'SELECT * FROM (' },
      { kind: 'cubeSql', cube: 'users' },
      { kind: 'text', text: ') u WHERE ' },
      { kind: 'cubeSql', cube: 'orders' },
      { kind: 'text', text: ' IS NULL' },
    ]);
    const { template, problems } = parse('{nope.sql()}');
    expect(template).toEqual([{ kind: 'dangling', reference: 'nope.sql()', message: 'unknown reference {nope.sql()}: no cube "nope"' }]);
    expect(problems[0]!.dangling).toBe(true);
  });

  it('parses FILTER_PARAMS with a column, a Python lambda (f-strings, triple quotes) and a JS arrow', () => {
    expect(parse(`WHERE {FILTER_PARAMS.orders.status.filter('o.status')} AND {FILTER_PARAMS.users.city.filter("city")}`).template).toEqual([
      { kind: 'text', text: 'WHERE ' },
      { kind: 'filterParams', member: 'orders.status', column: 'o.status' },
      { kind: 'text', text: ' AND ' },
      { kind: 'filterParams', member: 'users.city', column: 'city' },
    ]);
    const lambda = parse(`{FILTER_PARAMS.orders.status.filter(lambda a, b: f"""
      d >= {a} AND d <= {b} AND x = '{{}}'
    """)}`);
    expect(lambda.problems).toEqual([]);
    expect(lambda.template).toEqual([
      { kind: 'filterParams', member: 'orders.status', callback: { params: ['a', 'b'], body: ['\n      d >= ', 0, ' AND d <= ', 1, " AND x = '{}'\n    "] } },
    ]);
    expect(parse("{FILTER_PARAMS.orders.status.filter(lambda x: f'p = {x}')}").template).toEqual([
      { kind: 'filterParams', member: 'orders.status', callback: { params: ['x'], body: ['p = ', 0] } },
    ]);
    expect(parse('{FILTER_PARAMS.orders.status.filter((from, to) => `d BETWEEN ${from} AND ${to}`)}').template).toEqual([
      { kind: 'filterParams', member: 'orders.status', callback: { params: ['from', 'to'], body: ['d BETWEEN ', 0, ' AND ', 1] } },
    ]);
    expect(parse('{FILTER_PARAMS.orders.status.filter(function (a, b) { return `d > ${a} AND d < ${b}`; })}').template).toEqual([
      { kind: 'filterParams', member: 'orders.status', callback: { params: ['a', 'b'], body: ['d > ', 0, ' AND d < ', 1] } },
    ]);
    expect(parse("{FILTER_PARAMS.orders.status.filter(x => { return 'k = ' + x })}").problems[0]!.message).toMatch(/one string literal/);
  });

  it('refuses FILTER_PARAMS functions that interpolate anything but their parameters, and unbalanced calls', () => {
    expect(parse("{FILTER_PARAMS.orders.status.filter(lambda a: f'{a} OR {evil()}')}").problems[0]!.message).toMatch(/only the function's parameters \(a\)/);
    expect(parse("{FILTER_PARAMS.orders.status.filter(lambda a: a + 'x')}").problems[0]!.message).toMatch(/one string literal/);
    expect(parse('{FILTER_PARAMS.orders.status.filter(status)}').problems[0]!.message).toMatch(/quoted column SQL/);
    expect(parse("{FILTER_PARAMS.orders.status.filter('x'}").problems[0]!.message).toMatch(/unbalanced/);
  });

  it('reports an unknown member of FILTER_PARAMS as dangling and keeps it (no query can filter on it: 1 = 1)', () => {
    const { template, problems } = parse("{FILTER_PARAMS.orders.nope.filter('x')}");
    expect(template).toEqual([{ kind: 'filterParams', member: 'orders.nope', column: 'x' }]);
    expect(problems).toEqual([{ reference: 'FILTER_PARAMS.orders.nope.filter(...)', message: 'unknown reference {FILTER_PARAMS.orders.nope.filter(...)}: cube orders has no member "nope"; it renders 1 = 1', dangling: true, inert: true }]);
  });

  it('resolves references inside a FILTER_PARAMS column', () => {
    expect(parse("{FILTER_PARAMS.orders.status.filter('{CUBE}.status')}").template).toEqual([
      { kind: 'filterParams', member: 'orders.status', column: '{CUBE}.status', columnSql: [{ kind: 'cube', cube: 'orders' }, { kind: 'text', text: '.status' }] },
    ]);
  });

  it('parses FILTER_GROUP of FILTER_PARAMS calls, and refuses anything else inside it', () => {
    const { template, problems } = parse(`WHERE {FILTER_GROUP(
      FILTER_PARAMS.orders.status.filter("s, t"),
      FILTER_PARAMS.users.city.filter(lambda a: f'city = {a}')
    )}`);
    expect(problems).toEqual([]);
    expect(template).toEqual([
      { kind: 'text', text: 'WHERE ' },
      {
        kind: 'filterGroup',
        members: [
          { kind: 'filterParams', member: 'orders.status', column: 's, t' },
          { kind: 'filterParams', member: 'users.city', callback: { params: ['a'], body: ['city = ', 0] } },
        ],
      },
    ]);
    expect(parse("{FILTER_GROUP(FILTER_PARAMS.orders.status.filter('s'), users.city)}").problems[0]!.message).toMatch(/every argument must be FILTER_PARAMS/);
    expect(parse('{FILTER_GROUP()}').problems[0]!.message).toMatch(/expected FILTER_PARAMS/);
  });
});
