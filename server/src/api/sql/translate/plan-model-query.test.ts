import { beforeAll, describe, expect, it } from 'vitest';
import { loadModule } from 'libpg-query';
import { compileModel } from '../../../model/compile-model.ts';
import { buildModelTables, type ModelTable } from '../catalog/model-tables.ts';
import { classifyStatement, splitStatements } from './classify-statement.ts';
import { planModelQuery, type ModelQueryPlan } from './plan-model-query.ts';
import { prepareModelSelect } from './prepare-model-select.ts';

const MODEL = `cubes:
  - name: orders
    sql_table: orders
    measures:
      - { name: count, type: count }
      - { name: total, sql: amount, type: sum }
      - { name: avg_amount, sql: amount, type: avg }
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: city, sql: city, type: string }
      - { name: amount, sql: amount, type: number }
      - { name: created_at, sql: created_at, type: time }
    segments:
      - { name: big, sql: "{CUBE}.amount > 100" }
    joins:
      - { name: customers, relationship: many_to_one, sql: "{CUBE}.customer_id = {customers}.id" }
  - name: customers
    sql_table: customers
    measures:
      - { name: count, type: count }
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: segment, sql: segment, type: string }
`;

let tables: Map<string, ModelTable>;
beforeAll(async () => {
  await loadModule();
  tables = buildModelTables(compileModel([{ path: 'orders.yml', content: MODEL }]));
});

const find = (_: string | undefined, name: string) => tables.get(name.toLowerCase());

function plan(sql: string, params: unknown[] = []): ModelQueryPlan {
  const st = classifyStatement(splitStatements(sql)[0]!, (s, n) => find(s, n) !== undefined);
  if (st.kind !== 'model') throw new Error(`not a model query: ${st.kind}`);
  return planModelQuery(structuredClone(st.select), params as never, find, { maxScanRows: 50_000, lists: st.lists });
}

/** Plans after the preparation the SQL API runs first (inlining wrapper levels). */
async function preparedPlan(sql: string): Promise<ModelQueryPlan> {
  const st = classifyStatement(splitStatements(sql)[0]!, (s, n) => find(s, n) !== undefined);
  if (st.kind !== 'model') throw new Error(`not a model query: ${st.kind}`);
  const select = await prepareModelSelect(st.select, [], find, () => Promise.reject(new Error('no subqueries here')));
  return planModelQuery(select, [], find, { maxScanRows: 50_000, lists: st.lists });
}

describe('planModelQuery', () => {
  it('answers a grouped query straight from one Cube query', () => {
    const p = plan('select city, sum(total) as t from orders where amount > 10 group by 1 order by 2 desc limit 5');
    expect(p.fast?.outputs.map((o) => o.name)).toEqual(['city', 't']);
    expect(p.scans[0]!.query).toEqual({
      measures: ['orders.total'],
      dimensions: ['orders.city'],
      filters: [{ member: 'orders.amount', operator: 'gt', values: ['10'] }],
      limit: 5,
      order: [['orders.total', 'desc']],
    });
  });

  it('turns date_trunc and half-open bounds into a time dimension with an inclusive date range', () => {
    const p = plan(`select date_trunc('month', created_at), measure(count) from orders where created_at >= $1 and created_at < '2024-04-01' group by 1`, ['2024-01-01']);
    expect(p.scans[0]!.query.timeDimensions).toEqual([{ dimension: 'orders.created_at', granularity: 'month', dateRange: ['2024-01-01T00:00:00.000', '2024-03-31T23:59:59.999'] }]);
    expect(p.fast).toBeDefined();
  });

  it('keeps a 1,000-item IN list as one equals filter', () => {
    const values = Array.from({ length: 1000 }, (_, i) => `'c${i}'`);
    const p = plan(`select city, measure(count) from orders where city in (${values.join(', ')}) group by 1`);
    const filter = p.scans[0]!.query.filters![0] as unknown as { values: string[] };
    expect(filter.values).toHaveLength(1000);
    expect(filter.values[999]).toBe('c999');
  });

  it('evaluates ROLLUP over the aggregated rows, re-aggregating additive measures only', () => {
    const p = plan('select city, sum(total) from orders group by rollup(city)');
    expect(p.fast).toBeUndefined();
    expect(p.outerSql).toMatch(/FROM __scan_0 AS orders\s+GROUP BY\s+ROLLUP \(city\)/);
    expect(p.outerSql).toContain('sum(orders.total)');
    expect(() => plan('select city, measure(avg_amount) from orders group by rollup(city)')).toThrow(/avg_amount \(avg\) cannot be computed at this grain/);
  });

  it('puts the original IN list back into the residual SQL', () => {
    const values = Array.from({ length: 20 }, (_, i) => `'c${i}'`).join(', ');
    const p = plan(`select city, sum(total) from orders where lower(city) in (${values}) group by rollup(city)`);
    expect(p.outerSql).toContain(`IN (${values})`);
  });

  it('reads a segment column required by WHERE as the Cube segment, in each way clients write it', () => {
    for (const where of ['big', 'big IS TRUE', 'big = true', 'true = orders.big', 'big = $1']) {
      const p = plan(`select city, measure(count) from orders where ${where} and city = 'Recife' group by 1`, [true]);
      expect(p.scans[0]!.query.segments, where).toEqual(['orders.big']);
      expect(p.scans[0]!.query.filters, where).toEqual([{ member: 'orders.city', operator: 'equals', values: ['Recife'] }]);
      expect(p.fast, where).toBeDefined();
    }
    // A segment is a filter: its negation is not defined, so it is refused rather than read as NULL.
    expect(() => plan('select measure(count) from orders where big is false')).toThrow(/segment big can only be required in WHERE/);
    // Selected (Power BI Import lists every column), it reads NULL and asks the engine nothing.
    const selected = plan('select city, big from orders');
    expect(selected.scans[0]!.query.segments).toBeUndefined();
    expect(selected.fast?.outputs.find((o) => o.name === 'big')?.nullValue).toBe(true);
  });

  it('refuses a mismatched aggregate and an unknown column', () => {
    expect(() => plan('select min(total) from orders')).toThrow(/MIN\(\) over measure orders.total of type sum would not give the measure's value/);
    expect(() => plan('select nope from orders')).toThrow(/column "nope" does not exist in orders/);
  });

  it('reads cube tables joined by CROSS JOIN or __cubeJoinField with one Cube query', () => {
    for (const sql of [
      "select c.segment, sum(o.total) from orders o cross join customers c where c.segment = 'b2b' and o.city = 'Recife' group by 1 order by 2 desc",
      "select c.segment, sum(o.total) from orders o, customers c where c.segment = 'b2b' and o.city = 'Recife' group by 1 order by 2 desc",
      "select c.segment, sum(o.total) from orders o left join customers c on o.__cubeJoinField = c.__cubeJoinField where c.segment = 'b2b' and o.city = 'Recife' group by 1 order by 2 desc",
    ]) {
      const p = plan(sql);
      expect(p.scans).toHaveLength(1);
      expect(p.fast).toBeDefined();
      expect(p.scans[0]!.query).toEqual({
        measures: ['orders.total'],
        dimensions: ['customers.segment'],
        filters: [
          { member: 'customers.segment', operator: 'equals', values: ['b2b'] },
          { member: 'orders.city', operator: 'equals', values: ['Recife'] },
        ],
        limit: 50_000,
        order: [['orders.total', 'desc']],
      });
    }
  });

  it('evaluates a joined scan from one result: the other tables read the first one\'s row', () => {
    const p = plan('select c.segment, sum(o.total) from orders o cross join customers c group by rollup(1)');
    expect(p.scans).toHaveLength(1);
    expect(p.outerSql).toMatch(/FROM __scan_0 AS o\s+CROSS JOIN LATERAL \(\s*SELECT \*\s+FROM __scan_0_1\s+WHERE\s+__scan_0_1."__cubeJoinField" = o."__cubeJoinField"\s*\) AS c/);
  });

  it('refuses joins between cube tables that are not the model\'s', () => {
    expect(() => plan('select c.segment from orders o join customers c on o.amount = c.id')).toThrow(/use|data model/);
    expect(() => plan('select c.segment from orders o right join customers c on o.__cubeJoinField = c.__cubeJoinField')).toThrow(/RIGHT JOIN/);
    expect(() => plan('select c.segment from orders o join (select segment, __cubeJoinField from customers group by 1, 2) c on o.__cubeJoinField = c.__cubeJoinField')).toThrow(/not subqueries/);
    expect(() => plan('select segment, measure(count) from orders cross join customers group by 1')).toThrow(/column reference "count" is ambiguous \(orders, customers\)/);
  });

  it('inlines levels that only rename and filter, so the grouping level is one semantic query (Power BI nested shape)', async () => {
    const p = await preparedPlan(
      `select "rows"."c", sum("rows"."t") as "a0" from (select "_"."city" as "c", "_"."total" as "t" from "public"."orders" "_" where "_"."created_at" >= timestamp '2024-01-01 00:00:00' and "_"."created_at" < timestamp '2024-02-01 00:00:00') "rows" group by "c" limit 1000001`,
    );
    expect(p.fast?.outputs.map((o) => o.name)).toEqual(['c', 'a0']);
    expect(p.scans[0]!.query).toEqual({
      measures: ['orders.total'],
      dimensions: ['orders.city'],
      timeDimensions: [{ dimension: 'orders.created_at', dateRange: ['2024-01-01T00:00:00.000', '2024-01-31T23:59:59.999'] }],
      limit: 50_000,
    });
  });

  it('inlines through several levels and keeps the names each level gives', async () => {
    const p = await preparedPlan(
      `select "_"."k" as "k", "_"."a0" as "a0" from (select "rows"."k" as "k", count(distinct "rows"."n") as "a0" from (select "$Table"."city" as "k", "$Table"."amount" as "n" from (select * from orders) "$Table") "rows" group by "k") "_" where not "_"."a0" is null limit 1000001`,
    );
    // The grouping level reads orders directly; the outer filter on the aggregate stays residual.
    expect(p.fast).toBeUndefined();
    expect(p.scans).toHaveLength(1);
    expect(p.scans[0]!.query.dimensions).toEqual(["orders.city", "orders.amount"]);
  });

  it('refuses an aggregate over a wrapped measure that would not be the measure, naming it', async () => {
    await expect(preparedPlan('select r.c, avg(r.t) from (select city as c, total as t from orders) r group by 1')).rejects.toThrow(/orders\.total/);
    await expect(preparedPlan('select r.c, sum(r.a) from (select city as c, avg_amount as a from orders) r group by 1')).rejects.toThrow(/orders\.avg_amount/);
  });

  it('refuses a row filter on a measure in a grouped level (it would filter the groups instead)', () => {
    expect(() => plan('select city, sum(total) from orders where total > 5 group by 1')).toThrow(/measure orders.total cannot filter rows in WHERE/);
    expect(plan('select city, sum(total) from orders group by 1 having sum(total) > 5').scans[0]!.query.measures).toEqual(['orders.total']);
  });

  it("answers Power BI's outer not-null level from the grouping level's Cube query (a HAVING, no post-processing)", async () => {
    const p = await preparedPlan(
      `select "_"."c", "_"."a0" from (select "rows"."c" as "c", sum("rows"."t") as "a0" from (select "_"."city" as "c", "_"."total" as "t" from "public"."orders" "_") "rows" group by "c") "_" where not "_"."a0" is null limit 1000001`,
    );
    expect(p.outerSql).toBeUndefined();
    expect(p.fast?.outputs.map((o) => o.name)).toEqual(['c', 'a0']);
    expect(p.fast?.requestedLimit).toBe(1000001);
    expect(p.scans[0]!.query).toEqual({ measures: ['orders.total'], dimensions: ['orders.city'], filters: [{ member: 'orders.total', operator: 'set' }], limit: 50_000 });
    // Anything else in the wrapper (an expression here) goes through the post-processing step.
    expect((await preparedPlan(`select "_"."c", "_"."a0" * 2 from (select city as c, sum(total) as a0 from orders group by 1) "_"`)).outerSql).toBeDefined();
  });
});
