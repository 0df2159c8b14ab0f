import { describe, expect, it } from 'vitest';
import { tryCompileModel } from '../../src/model/compile-model.ts';
import { BASE, compileYaml } from './model-test-helpers.ts';

describe('model compiler features', () => {
  it('resolves {CUBE}, {member}, {Cube}, {Cube.member} and security context references into template parts', () => {
    const model = compileYaml(`${BASE}  - name: items
    sql: "SELECT * FROM items WHERE tenant = {SECURITY_CONTEXT.tenant.id} AND region = {securityContext.region}"
    joins:
      - { name: orders, relationship: many_to_one, sql: "{CUBE}.order_id = {orders}.id" }
    dimensions:
      - { name: id, sql: "{CUBE}.id", type: number, primary_key: true }
      - { name: price, sql: price, type: number }
      - { name: doubled, sql: "{price} * 2", type: number }
      - { name: order_status, sql: "{orders.status}", type: string }
      - { name: via_path, sql: "{orders.users.city}", type: string }
      - { name: via_cube, sql: "{CUBE.price}", type: number }
`);
    const items = model.cubes.items!;
    expect(items.sql).toEqual([
      { kind: 'text', text: 'SELECT * FROM items WHERE tenant = ' },
      { kind: 'securityContext', path: ['tenant', 'id'] },
      { kind: 'text', text: ' AND region = ' },
      { kind: 'securityContext', path: ['region'] },
    ]);
    expect(items.joins[0]!.sql).toEqual([
      { kind: 'cube', cube: 'items' },
      { kind: 'text', text: '.order_id = ' },
      { kind: 'cube', cube: 'orders' },
      { kind: 'text', text: '.id' },
    ]);
    expect(items.dimensions.id!.sql).toEqual([{ kind: 'cube', cube: 'items' }, { kind: 'text', text: '.id' }]);
    // Cube prefixes a bare column with the cube alias (autoPrefixWithCubeName).
    expect(items.dimensions.price!.sql).toEqual([{ kind: 'cube', cube: 'items' }, { kind: 'text', text: '.price' }]);
    expect(items.dimensions.doubled!.sql).toEqual([{ kind: 'member', path: 'items.price' }, { kind: 'text', text: ' * 2' }]);
    expect(items.dimensions.order_status!.sql).toEqual([{ kind: 'member', path: 'orders.status' }]);
    expect(items.dimensions.via_path!.sql).toEqual([{ kind: 'member', path: 'users.city' }]);
    expect(items.dimensions.via_cube!.sql).toEqual([{ kind: 'member', path: 'items.price' }]);
  });

  it('keeps sql_table, sql_alias, data_source and defaults', () => {
    const model = compileYaml(`cubes:
  - name: orders
    sql_table: gold.orders
    sql_alias: o
    data_source: warehouse
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
  - name: plain
    sql_table: plain
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
`);
    expect(model.cubes.orders!.sqlTable).toEqual([{ kind: 'text', text: 'gold.orders' }]);
    expect(model.cubes.orders!.sqlAlias).toBe('o');
    expect(model.cubes.orders!.dataSource).toBe('warehouse');
    expect(model.cubes.plain!.dataSource).toBe('default');
    expect(model.cubes.plain!.public).toBe(true);
  });

  it('derives titles as Cube does and keeps explicit ones', () => {
    const model = compileYaml(`cubes:
  - name: fato_vendas
    sql_table: t
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: valor_liquido, sql: v, type: number }
      - { name: totalQuantity, sql: q, type: number }
    measures:
      - { name: count, type: count, title: Linhas, short_title: L }
  - name: BigECommerce
    sql_table: b
    title: Big
`);
    const cube = model.cubes.fato_vendas!;
    expect(cube.title).toBe('Fato Vendas');
    expect(cube.dimensions.valor_liquido!.title).toBe('Fato Vendas Valor Liquido');
    expect(cube.dimensions.valor_liquido!.shortTitle).toBe('Valor Liquido');
    expect(cube.dimensions.totalQuantity!.title).toBe('Fato Vendas Total Quantity');
    expect(cube.measures.count!.title).toBe('Fato Vendas Linhas');
    expect(model.cubes.BigECommerce!.title).toBe('Big');
  });

  it('applies public/shown to members and hides primary keys by default', () => {
    const model = compileYaml(`cubes:
  - name: orders
    sql_table: orders
    public: false
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: shown_key, sql: k, type: number, primary_key: true, shown: true }
      - { name: hidden, sql: h, type: string, shown: false }
      - { name: private, sql: p, type: string, public: false }
      - { name: visible, sql: v, type: string }
`);
    const d = model.cubes.orders!.dimensions;
    expect([d.id!.public, d.shown_key!.public, d.hidden!.public, d.private!.public, d.visible!.public]).toEqual([false, true, false, false, true]);
    expect(d.id!.primaryKey && d.shown_key!.primaryKey).toBe(true);
    expect(model.cubes.orders!.public).toBe(false);
  });

  it('carries description, format, meta, drill_members (resolved to paths)', () => {
    const model = compileYaml(BASE.replace(
      '      - { name: amount, sql: amount, type: sum }',
      '      - { name: amount, sql: amount, type: sum, format: currency, description: Total, meta: { unidade: BRL, casas: 2 }, drill_members: [id, CUBE.status, users.city] }',
    ));
    const m = model.cubes.orders!.measures.amount!;
    expect(m.format).toBe('currency');
    expect(m.description).toBe('Total');
    expect(m.meta).toEqual({ unidade: 'BRL', casas: 2 });
    expect(m.drillMembers).toEqual(['orders.id', 'orders.status', 'users.city']);
  });

  it('lowers case dimensions to CASE SQL with quoted labels and sql labels', () => {
    const model = compileYaml(`cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - name: size
        type: string
        case:
          when:
            - { sql: "{CUBE}.amount < 10", label: small }
            - { sql: "{CUBE}.amount < 100", label: "it's medium" }
            - { sql: "{CUBE}.amount >= 100", label: { sql: "{CUBE}.tier" } }
          else: { label: unknown }
`);
    const sql = model.cubes.orders!.dimensions.size!.sql;
    const text = sql.map((p) => (p.kind === 'text' ? p.text : p.kind === 'cube' ? '{C}' : '?')).join('');
    expect(text).toBe("CASE WHEN ({C}.amount < 10) THEN 'small' WHEN ({C}.amount < 100) THEN 'it''s medium' WHEN ({C}.amount >= 100) THEN ({C}.tier) ELSE 'unknown' END");
  });

  it('supports sub_query dimensions, measure filters, rolling windows and running totals', () => {
    const model = compileYaml(`${BASE.replace(
      '      - { name: city, sql: city, type: string }',
      '      - { name: city, sql: city, type: string }\n      - { name: order_total, sql: "{orders.amount}", type: number, sub_query: true, propagate_filters_to_sub_query: true }',
    )}      - name: paid_amount
        sql: amount
        type: sum
        filters:
          - sql: "{CUBE}.status = 'paid'"
          - sql: "{status} <> 'test'"
      - { name: trailing, type: count, rolling_window: { trailing: 2 month, offset: start } }
      - { name: ytd, type: sum, sql: amount, rolling_window: { type: to_date, granularity: year } }
      - { name: running, type: running_total, sql: amount }
`);
    const u = model.cubes.users!.dimensions.order_total!;
    expect(u.subQuery).toBe(true);
    expect(u.propagateFiltersToSubQuery).toBe(true);
    expect(u.sql).toEqual([{ kind: 'member', path: 'orders.amount' }]);
    const m = model.cubes.orders!.measures;
    expect(m.paid_amount!.filters).toEqual([
      [{ kind: 'cube', cube: 'orders' }, { kind: 'text', text: ".status = 'paid'" }],
      [{ kind: 'member', path: 'orders.status' }, { kind: 'text', text: " <> 'test'" }],
    ]);
    expect(m.trailing!.rollingWindow).toEqual({ trailing: '2 month', offset: 'start' });
    expect(m.trailing!.cumulative).toBe(true);
    expect(m.ytd!.rollingWindow).toEqual({ type: 'to_date', granularity: 'year' });
    expect(m.running!.cumulative).toBe(true);
    expect(m.count!.sql).toBeUndefined();
    expect(m.count!.cumulative).toBeUndefined();
  });

  it('carries multi_stage, time_shift, group_by, reduce_by', () => {
    const model = compileYaml(`${BASE}      - { name: prior, type: number, sql: "{amount}", multi_stage: true, time_shift: [{ time_dimension: created_at, interval: 1 year, type: prior }] }
      - { name: by_quarter, type: sum, sql: "{amount}", multi_stage: true, group_by: [created_at.quarter] }
      - { name: reduced, type: sum, sql: "{amount}", multi_stage: true, reduce_by: [status, users.city] }
`);
    const m = model.cubes.orders!.measures;
    expect(m.prior!.multiStage).toBe(true);
    expect(m.prior!.timeShift).toEqual([{ interval: '1 year', type: 'prior', timeDimension: 'orders.created_at' }]);
    expect(m.by_quarter!.groupBy).toEqual(['orders.created_at.quarter']);
    expect(m.reduced!.reduceBy).toEqual(['orders.status', 'users.city']);
  });

  it('compiles custom granularities, including sql granularities of calendar cubes', () => {
    const model = compileYaml(`cubes:
  - name: cal
    sql_table: cal
    calendar: true
    dimensions:
      - { name: d, sql: d, type: time, primary_key: true }
      - name: retail
        sql: d
        type: time
        granularities:
          - { name: week, sql: "{CUBE}.retail_week" }
          - { name: half_year, interval: 6 months, origin: "2024-01-01", title: Semestre }
          - { name: shifted, interval: 1 month, offset: 10 days }
`);
    const g = model.cubes.cal!.dimensions.retail!.granularities;
    expect(model.cubes.cal!.calendar).toBe(true);
    expect(g).toEqual([
      { name: 'week', sql: [{ kind: 'cube', cube: 'cal' }, { kind: 'text', text: '.retail_week' }], title: 'Week' },
      { name: 'half_year', interval: '6 months', origin: '2024-01-01', title: 'Semestre' },
      { name: 'shifted', interval: '1 month', offset: '10 days', title: 'Shifted' },
    ]);
  });

  it('compiles segments', () => {
    const model = compileYaml(`${BASE}    segments:
      - { name: paid, sql: "{CUBE}.status = 'paid'", title: Pagos }
`);
    const s = model.cubes.orders!.segments.paid!;
    expect(s.kind).toBe('segment');
    expect(s.path).toBe('orders.paid');
    expect(s.title).toBe('Orders Pagos');
    expect(s.sql[0]).toEqual({ kind: 'cube', cube: 'orders' });
  });

  it('extends: inherits members, joins and pre-aggregations, child overrides by name, {CUBE} is the child', () => {
    const model = compileYaml(`cubes:
  - name: users
    sql_table: users
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
  - name: base
    sql_table: base_table
    title: Base
    joins:
      - { name: users, relationship: many_to_one, sql: "{CUBE}.user_id = {users}.id" }
    dimensions:
      - { name: id, sql: "{CUBE}.id", type: number, primary_key: true }
      - { name: status, sql: status, type: string }
    measures:
      - { name: count, type: count }
    pre_aggregations:
      - { name: by_status, dimensions: [CUBE.status], measures: [CUBE.count] }
  - name: child
    extends: base
    sql_table: child_table
    dimensions:
      - { name: status, sql: new_status, type: string }
      - { name: extra, sql: extra, type: string }
`);
    const child = model.cubes.child!;
    expect(child.extends).toBe('base');
    expect(child.sqlTable).toEqual([{ kind: 'text', text: 'child_table' }]);
    expect(child.title).toBe('Base');
    expect(Object.keys(child.dimensions)).toEqual(['id', 'status', 'extra']);
    expect(child.dimensions.status!.sql).toEqual([{ kind: 'cube', cube: 'child' }, { kind: 'text', text: '.new_status' }]);
    expect(child.dimensions.id!.sql[0]).toEqual({ kind: 'cube', cube: 'child' });
    expect(child.dimensions.id!.path).toBe('child.id');
    expect(child.joins[0]!.sql[0]).toEqual({ kind: 'cube', cube: 'child' });
    expect(child.preAggregations.by_status!.dimensions).toEqual(['child.status']);
    expect(child.preAggregations.by_status!.cube).toBe('child');
  });

  it('compiles pre-aggregations with every Cube key', () => {
    const model = compileYaml(`${BASE}    pre_aggregations:
      - name: main
        type: rollup
        measures: [CUBE.count, amount]
        dimensions: [CUBE.status, users.city]
        segments: [CUBE.paid]
        time_dimension: CUBE.created_at
        granularity: day
        partition_granularity: month
        refresh_key: { every: 1 hour, incremental: true, update_window: 7 day, timezone: America/Sao_Paulo }
        build_range_start: { sql: SELECT NOW() - INTERVAL '1 year' }
        build_range_end: { sql: SELECT NOW() }
        indexes:
          - { name: by_status, columns: [CUBE.status] }
        scheduled_refresh: false
        allow_non_strict_date_range_match: true
      - name: multi
        time_dimensions: [{ dimension: created_at, granularity: hour }]
        partition_granularity: day
        measures: [count]
        refresh_key: { sql: "SELECT max(updated_at) FROM {CUBE}" }
      - name: stream
        type: rollup_lambda
        rollups: [CUBE.main, orders.multi]
        union_with_source_data: true
      - name: raw
        type: original_sql
    segments:
      - { name: paid, sql: "{CUBE}.status = 'paid'" }
`);
    const p = model.cubes.orders!.preAggregations;
    expect(p.main).toMatchObject({
      type: 'rollup',
      measures: ['orders.count', 'orders.amount'],
      dimensions: ['orders.status', 'users.city'],
      segments: ['orders.paid'],
      timeDimensions: [{ dimension: 'orders.created_at', granularity: 'day' }],
      partitionGranularity: 'month',
      refreshKey: { every: '1 hour', incremental: true, updateWindow: '7 day', timezone: 'America/Sao_Paulo' },
      indexes: [{ name: 'by_status', columns: ['orders.status'] }],
      scheduledRefresh: false,
      allowNonStrictDateRangeMatch: true,
    });
    expect(p.main!.buildRangeStart).toEqual([{ kind: 'text', text: "SELECT NOW() - INTERVAL '1 year'" }]);
    expect(p.multi!.timeDimensions).toEqual([{ dimension: 'orders.created_at', granularity: 'hour' }]);
    expect(p.multi!.scheduledRefresh).toBe(true);
    expect(p.multi!.refreshKey!.sql).toEqual([{ kind: 'text', text: 'SELECT max(updated_at) FROM ' }, { kind: 'cube', cube: 'orders' }]);
    expect(p.stream).toMatchObject({ type: 'rollup_lambda', rollups: ['orders.main', 'orders.multi'], unionWithSourceData: true });
    expect(p.raw!.type).toBe('original_sql');
  });

  it('drops a pre-aggregation with an undeclared granularity, with a warning naming file and line', () => {
    const outcome = tryCompileModel([{ path: 'm.yml', content: `${BASE}    pre_aggregations:
      - { name: odd, time_dimension: CUBE.created_at, granularity: build_only_half_year, measures: [CUBE.count] }
      - { name: ok, time_dimension: CUBE.created_at, granularity: month, measures: [CUBE.count] }
` }]);
    expect(outcome.errors).toEqual([]);
    expect(Object.keys(outcome.model!.cubes.orders!.preAggregations)).toEqual(['ok']);
    expect(outcome.warnings).toEqual([
      expect.objectContaining({ member: 'orders.odd', location: expect.objectContaining({ file: 'm.yml', line: 21 }), message: expect.stringMatching(/granularity "build_only_half_year"/) }),
    ]);
    expect(outcome.model!.warnings).toHaveLength(1);
  });

  it('compiles access policies in Cube format', () => {
    const model = compileYaml(`${BASE}    access_policy:
      - role: manager
        conditions:
          - if: "{ securityContext.is_manager }"
        member_level:
          includes: "*"
          excludes: [amount]
        row_level:
          allow_all: true
      - group: sales
        member_level:
          includes: [count, status]
        row_level:
          filters:
            - { member: status, operator: equals, values: ["{ securityContext.status }"] }
            - or:
                - { member: CUBE.id, operator: gt, values: [10] }
                - { member: orders.created_at, operator: set }
`);
    const [manager, sales] = model.cubes.orders!.accessPolicies;
    expect(manager).toEqual({
      role: 'manager',
      conditions: [{ if: [{ kind: 'securityContext', path: ['is_manager'] }] }],
      memberLevel: { includes: '*', excludes: ['orders.amount'] },
      rowLevel: { allowAll: true, filters: [] },
    });
    expect(sales).toEqual({
      group: 'sales',
      memberLevel: { includes: ['orders.count', 'orders.status'], excludes: [] },
      rowLevel: {
        filters: [
          { member: 'orders.status', operator: 'equals', values: ['{ securityContext.status }'] },
          { or: [{ member: 'orders.id', operator: 'gt', values: [10] }, { member: 'orders.created_at', operator: 'set' }] },
        ],
      },
    });
  });

  it('compiles views with join paths, includes lists and aliases, *, excludes, prefix and folders', () => {
    const model = compileYaml(`${BASE}views:
  - name: sales
    title: Sales view
    cubes:
      - join_path: orders
        includes:
          - amount
          - { name: status, alias: order_status, title: Situação }
          - created_at
      - join_path: orders.users
        prefix: true
        includes: "*"
        excludes: [count]
    folders:
      - name: Money
        includes: [amount, { name: Nested, includes: [order_status] }]
`);
    const view = model.views.sales!;
    expect(Object.keys(view.members)).toEqual(['amount', 'order_status', 'created_at', 'users_id', 'users_city']);
    expect(view.members.amount).toMatchObject({ path: 'sales.amount', target: 'orders.amount', joinPath: ['orders'], kind: 'measure', public: true, title: 'Sales view Amount' });
    expect(view.members.order_status).toMatchObject({ target: 'orders.status', title: 'Sales view Situação', kind: 'dimension' });
    expect(view.members.users_city).toMatchObject({ target: 'users.city', joinPath: ['orders', 'users'], public: true });
    expect(view.members.users_id!.public).toBe(false);
    expect(view.folders).toEqual([{ name: 'Money', members: ['sales.amount', { name: 'Nested', members: ['sales.order_status'] }] }]);
  });

  it('uses the alias of a cubes item as prefix', () => {
    const model = compileYaml(`${BASE}views:
  - name: v
    cubes:
      - join_path: orders.users
        prefix: true
        alias: customer
        includes: [city]
`);
    expect(Object.keys(model.views.v!.members)).toEqual(['customer_city']);
  });

  it('view extends copies the parent view members under the new view name', () => {
    const model = compileYaml(`${BASE}views:
  - name: base_view
    cubes:
      - join_path: orders
        includes: [amount]
  - name: wide_view
    extends: base_view
    cubes:
      - join_path: orders.users
        includes: [city]
`);
    expect(Object.keys(model.views.wide_view!.members)).toEqual(['amount', 'city']);
    expect(model.views.wide_view!.members.amount).toMatchObject({ path: 'wide_view.amount', target: 'orders.amount', title: 'Wide View Amount' });
  });

  it('accepts camelCase keys as Cube YAML does', () => {
    const model = compileYaml(`cubes:
  - name: orders
    sqlTable: orders
    dimensions:
      - { name: id, sql: id, type: number, primaryKey: true }
`);
    expect(model.cubes.orders!.dimensions.id!.primaryKey).toBe(true);
  });

  it('produces a frozen, JSON-serializable model whose version hashes the files', () => {
    const a = compileYaml(BASE);
    const b = compileYaml(BASE);
    const c = compileYaml(`${BASE}# comment\n`);
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a.cubes.orders!.measures.amount!.filters)).toBe(true);
    expect(Object.isFrozen(a.cubes.orders!.dimensions.id!.location)).toBe(true);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
    expect(a.version).toMatch(/^[0-9a-f]{16}$/);
    expect(a.version).toBe(b.version);
    expect(a.version).not.toBe(c.version);
  });
});
