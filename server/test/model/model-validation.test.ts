import { describe, expect, it } from 'vitest';
import { compileModel } from '../../src/model/compile-model.ts';
import { ModelValidationError } from '../../src/errors/user-error.ts';
import type { ModelProblem } from '../../src/model/model-types.ts';
import { BASE, problemsOf } from './model-test-helpers.ts';

function expectProblem(problems: readonly ModelProblem[], want: { file?: string; line: number; member: string; message: RegExp }): void {
  const match = problems.find(
    (p) => p.location?.file === (want.file ?? 'cubes/test.yml') && p.location.line === want.line && p.member === want.member && want.message.test(p.message),
  );
  expect(match, `expected ${JSON.stringify(want)} in ${JSON.stringify(problems, null, 1)}`).toBeDefined();
}

describe('model validation names file, line and member', () => {
  it('reports an unknown key of a cube', () => {
    const problems = problemsOf(`cubes:
  - name: orders
    sql_table: orders
    sql_tabel: typo
`);
    expectProblem(problems, { line: 4, member: 'orders', message: /unknown key "sql_tabel" in cube/ });
  });

  it('reports unknown keys per object kind (measure, dimension, segment, join, pre-aggregation, refresh_key, granularity, access_policy)', () => {
    const problems = problemsOf(`cubes:
  - name: users
    sql_table: users
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
  - name: orders
    sql_table: orders
    joins:
      - { name: users, relationship: many_to_one, sql: "{CUBE}.user_id = {users.id}", weight: 2 }
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true, colour: red }
      - name: at
        sql: at
        type: time
        granularities:
          - { name: fiscal, interval: 1 year, originn: "2024-04-01" }
    measures:
      - { name: total, sql: amount, type: sum, aggregate: true }
    segments:
      - { name: big, sql: "{CUBE}.amount > 10", where: x }
    pre_aggregations:
      - name: daily
        measures: [CUBE.total]
        refresh_key: { every: 1 hour, evry: 2 hour }
        partition: month
    access_policy:
      - role: "*"
        member_levle: { includes: "*" }
`);
    expectProblem(problems, { line: 9, member: 'orders → users', message: /unknown key "weight" in join/ });
    expectProblem(problems, { line: 11, member: 'orders.id', message: /unknown key "colour" in dimension/ });
    expectProblem(problems, { line: 16, member: 'orders.at', message: /unknown key "originn" in granularity/ });
    expectProblem(problems, { line: 18, member: 'orders.total', message: /unknown key "aggregate" in measure/ });
    expectProblem(problems, { line: 20, member: 'orders.big', message: /unknown key "where" in segment/ });
    expectProblem(problems, { line: 24, member: 'orders.daily', message: /unknown key "evry" in refresh key/ });
    expectProblem(problems, { line: 25, member: 'orders.daily', message: /unknown key "partition" in pre aggregation/ });
    expectProblem(problems, { line: 28, member: 'orders access_policy', message: /unknown key "member_levle" in access policy/ });
  });

  it('reports wrong value types', () => {
    const problems = problemsOf(`cubes:
  - name: orders
    sql_table: orders
    public: "yes"
    dimensions:
      - { name: id, sql: id, type: number, primary_key: 1 }
    measures: { count: { type: count } }
`);
    expectProblem(problems, { line: 4, member: 'orders', message: /"public" must be true or false/ });
    expectProblem(problems, { line: 6, member: 'orders.id', message: /"primary_key" must be true or false/ });
    expectProblem(problems, { line: 7, member: 'orders', message: /"measures" must be a list/ });
  });

  it('reports a missing sql on measures other than count, on dimensions and on segments', () => {
    const problems = problemsOf(`cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: status, type: string }
    measures:
      - { name: count, type: count }
      - { name: total, type: sum }
    segments:
      - { name: open }
`);
    expect(problems).toHaveLength(3);
    expectProblem(problems, { line: 6, member: 'orders.status', message: /missing required "sql"/ });
    expectProblem(problems, { line: 9, member: 'orders.total', message: /missing required "sql" \(measures of type sum/ });
    expectProblem(problems, { line: 11, member: 'orders.open', message: /missing required "sql"/ });
  });

  it('reports invalid type values of measures and dimensions', () => {
    const problems = problemsOf(`cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - { name: id, sql: id, type: integer, primary_key: true }
    measures:
      - { name: total, sql: amount, type: summ }
`);
    expectProblem(problems, { line: 5, member: 'orders.id', message: /invalid type "integer" \(expected one of: string, number, time, boolean, geo\)/ });
    expectProblem(problems, { line: 7, member: 'orders.total', message: /invalid type "summ"/ });
  });

  it('reports a dangling join naming the missing cube', () => {
    const problems = problemsOf(`cubes:
  - name: orders
    sql_table: orders
    joins:
      - name: customers
        relationship: many_to_one
        sql: "{CUBE}.customer_id = {customers}.id"
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
`);
    expectProblem(problems, { line: 5, member: 'orders → customers', message: /dangling join: cube "customers" does not exist/ });
  });

  it('reports an invalid join relationship', () => {
    const problems = problemsOf(BASE.replace('relationship: many_to_one', 'relationship: many_to_many'));
    expectProblem(problems, { line: 12, member: 'orders → users', message: /invalid relationship "many_to_many"/ });
  });

  it('reports unknown member references inside {...} as errors in strict mode', () => {
    const problems = problemsOf(`cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: total_label, sql: "{totl}", type: string }
      - { name: user_city, sql: "{users.city}", type: string }
      - { name: other, sql: "{orders.nope}", type: string }
`, { strict: true });
    expectProblem(problems, { line: 6, member: 'orders.total_label', message: /unknown reference \{totl\}: no member "totl" in cube orders/ });
    expectProblem(problems, { line: 7, member: 'orders.user_city', message: /unknown reference \{users.city\}: no cube "users"/ });
    expectProblem(problems, { line: 8, member: 'orders.other', message: /cube orders has no member "nope"/ });
  });

  it('reports reference cycles between members, including self references', () => {
    const problems = problemsOf(`cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: a, sql: "{b} + 1", type: number }
      - { name: b, sql: "{a} + 1", type: number }
      - { name: self, sql: "{CUBE.self}", type: number }
    measures:
      - { name: m1, sql: "{m2}", type: number }
      - { name: m2, sql: "{m1}", type: number }
`);
    expectProblem(problems, { line: 6, member: 'orders.a', message: /reference cycle: orders.a → orders.b → orders.a/ });
    expectProblem(problems, { line: 8, member: 'orders.self', message: /reference cycle: orders.self → orders.self/ });
    expectProblem(problems, { line: 10, member: 'orders.m1', message: /reference cycle: orders.m1 → orders.m2 → orders.m1/ });
    expect(problems.filter((p) => /cycle/.test(p.message))).toHaveLength(3);
  });

  it('reports circular extends', () => {
    const problems = problemsOf(`cubes:
  - name: a
    extends: b
    sql_table: a
  - name: b
    extends: a
    sql_table: b
`);
    expect(problems.some((p) => /circular extends: (a → b → a|b → a → b)/.test(p.message) && (p.location?.line === 3 || p.location?.line === 6))).toBe(true);
  });

  it('reports circular and unknown view extends', () => {
    const problems = problemsOf(`${BASE}views:
  - name: v1
    extends: v2
  - name: v2
    extends: v1
  - name: v3
    extends: nothing
`);
    expectProblem(problems, { line: 24, member: 'v2', message: /circular extends: v1 → v2 → v1/ });
    expectProblem(problems, { line: 26, member: 'v3', message: /extends unknown view "nothing"/ });
  });

  it('reports extends of an unknown cube', () => {
    const problems = problemsOf(`cubes:
  - name: a
    extends: base
    sql_table: a
`);
    expectProblem(problems, { line: 3, member: 'a', message: /extends unknown cube "base"/ });
  });

  it('reports duplicate cube or view names across files', () => {
    const problems = problemsOf([
      { path: 'cubes/a.yml', content: 'cubes:\n  - name: orders\n    sql_table: a\n' },
      { path: 'cubes/b.yml', content: '# second\ncubes:\n  - name: orders\n    sql_table: b\nviews:\n  - name: orders\n' },
    ]);
    expectProblem(problems, { file: 'cubes/b.yml', line: 3, member: 'orders', message: /duplicate name "orders".*cubes\/a\.yml:2/ });
    expectProblem(problems, { file: 'cubes/b.yml', line: 6, member: 'orders', message: /duplicate name "orders"/ });
  });

  it('reports duplicate member names within a cube, across member kinds too', () => {
    const problems = problemsOf(`cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: status, sql: status, type: string }
      - { name: status, sql: status2, type: string }
    measures:
      - { name: id, type: count }
`);
    expectProblem(problems, { line: 7, member: 'orders.status', message: /duplicate member name "status"/ });
    expectProblem(problems, { line: 9, member: 'orders.id', message: /duplicate member name "id" \(already declared in dimensions/ });
  });

  it('reports invalid names', () => {
    const problems = problemsOf(`cubes:
  - name: 1orders
    sql_table: orders
  - name: ok
    sql_table: ok
    dimensions:
      - { name: my-dim, sql: x, type: string }
`);
    expectProblem(problems, { line: 2, member: '1orders', message: /invalid cube name "1orders"/ });
    expectProblem(problems, { line: 7, member: 'ok.my-dim', message: /invalid member name "my-dim"/ });
  });

  it('reports an invalid primary key setup', () => {
    const problems = problemsOf(`cubes:
  - name: users
    sql_table: users
    dimensions:
      - { name: city, sql: city, type: string }
    measures:
      - { name: count, type: count }
  - name: orders
    sql_table: orders
    joins:
      - { name: users, relationship: many_to_one, sql: "{CUBE}.user_id = {users}.id" }
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true, sub_query: true }
`);
    expectProblem(problems, { line: 11, member: 'users', message: /cube users needs a primary_key dimension: it is joined/ });
    expectProblem(problems, { line: 13, member: 'orders.id', message: /a sub_query dimension cannot be a primary key/ });
  });

  it('reports a dimension that uses a measure without sub_query', () => {
    const problems = problemsOf(`cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: bad, sql: "{total} * 2", type: number }
    measures:
      - { name: total, sql: amount, type: sum }
`);
    expectProblem(problems, { line: 6, member: 'orders.bad', message: /dimension references measure orders.total; mark it "sub_query: true"/ });
  });

  it('reports a cube without sql_table or sql, and one with both', () => {
    const problems = problemsOf(`cubes:
  - name: a
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
  - name: b
    sql_table: b
    sql: select 1
`);
    expectProblem(problems, { line: 2, member: 'a', message: /cube a needs "sql_table" or "sql"/ });
    expectProblem(problems, { line: 7, member: 'b', message: /"sql_table" or "sql", not both/ });
  });

  it('reports bad pre-aggregation members, granularities and rollups', () => {
    const problems = problemsOf(`cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: status, sql: status, type: string }
      - { name: created_at, sql: created_at, type: time }
    measures:
      - { name: count, type: count }
    pre_aggregations:
      - name: bad
        measures: [CUBE.status, CUBE.nope]
        time_dimension: CUBE.status
        granularity: day
        partition_granularity: fortnight
      - name: lambda
        type: rollup_lambda
        rollups: [CUBE.missing]
`);
    expectProblem(problems, { line: 12, member: 'orders.bad', message: /measures: "CUBE.status" is a dimension, expected a measure/ });
    expectProblem(problems, { line: 12, member: 'orders.bad', message: /measures: unknown member "CUBE.nope"/ });
    expectProblem(problems, { line: 13, member: 'orders.bad', message: /time dimension "CUBE.status" is of type string, expected time/ });
    expectProblem(problems, { line: 15, member: 'orders.bad', message: /invalid partition_granularity "fortnight"/ });
    expectProblem(problems, { line: 18, member: 'orders.lambda', message: /rollups: unknown pre-aggregation "CUBE.missing"/ });
  });

  it('reports bad view join paths, includes and excludes', () => {
    const problems = problemsOf(`${BASE}views:
  - name: v
    cubes:
      - join_path: orders.nowhere
        includes: "*"
      - join_path: users.orders
        includes: [city]
      - join_path: orders
        includes: [amount, ghost]
        excludes: [phantom]
`);
    expectProblem(problems, { line: 23, member: 'v.cubes[0]', message: /join_path "orders.nowhere": unknown cube "nowhere"/ });
    expectProblem(problems, { line: 28, member: 'v.ghost', message: /includes unknown member "ghost" of cube orders/ });
    expectProblem(problems, { line: 29, member: 'v.cubes[2]', message: /excludes unknown member "phantom"/ });
  });

  it('reports duplicate view member names', () => {
    const problems = problemsOf(`${BASE}views:
  - name: v
    cubes:
      - join_path: orders
        includes: [count]
      - join_path: orders.users
        includes: [count]
`);
    expectProblem(problems, { line: 26, member: 'v.cubes[1]', message: /duplicate view member "count"/ });
  });

  it('reports YAML syntax errors with their line', () => {
    const problems = problemsOf('cubes:\n  - name: a\n    sql_table: [unclosed\n');
    expect(problems[0]!.location?.file).toBe('cubes/test.yml');
    expect(problems[0]!.message).toMatch(/YAML syntax error/);
  });

  it('collects every problem of every file in one error instead of stopping at the first', () => {
    const files = [
      { path: 'cubes/a.yml', content: 'cubes:\n  - name: a\n    sql_table: a\n    bogus: 1\n' },
      { path: 'cubes/b.yml', content: 'cubes:\n  - name: b\n    sql_table: b\n    dimensions:\n      - { name: x, type: strin, sql: x }\n' },
    ];
    let thrown: unknown;
    try {
      compileModel(files);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ModelValidationError);
    const error = thrown as ModelValidationError;
    expect(error.code).toBe('MODEL_INVALID');
    expect(error.problems).toHaveLength(2);
    expect(error.message).toContain('cubes/a.yml:4: a: unknown key "bogus"');
    expect(error.message).toContain('cubes/b.yml:5: b.x: invalid type "strin"');
  });

  it('reports invalid intervals in rolling windows and granularities', () => {
    const problems = problemsOf(`cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - name: at
        sql: at
        type: time
        granularities:
          - { name: fortnight, interval: two weeks }
    measures:
      - { name: rolling, type: count, rolling_window: { trailing: 2 fortnights } }
`);
    expectProblem(problems, { line: 10, member: 'orders.at', message: /invalid interval "two weeks"/ });
    expectProblem(problems, { line: 12, member: 'orders.rolling', message: /invalid trailing "2 fortnights"/ });
  });
});
