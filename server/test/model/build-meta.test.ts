import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Meta } from '@cubejs-client/core';
import type { MetaResponse as ClientMetaResponse } from '@cubejs-client/core';
import { describe, expect, it } from 'vitest';
import { buildMeta } from '../../src/model/build-meta.ts';
import { loadModel } from '../../src/model/compile-model.ts';
import { BASE, compileYaml } from './model-test-helpers.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const MODEL = `${BASE.replace(
  '      - { name: amount, sql: amount, type: sum }',
  `      - { name: amount, sql: amount, type: sum, format: currency, description: Total, meta: { unidade: BRL }, drill_members: [id, status, count] }
      - { name: hidden, sql: amount, type: sum, public: false }
      - { name: rolling, type: count, rolling_window: { trailing: 7 day } }
      - { name: avg_ticket, type: number, sql: "{amount} / {count}" }`,
).replace(
  '      - { name: created_at, sql: created_at, type: time }',
  `      - name: created_at
        sql: created_at
        type: time
        granularities:
          - { name: fiscal_year, interval: 1 year, origin: "2024-04-01" }`,
)}    segments:
      - { name: paid, sql: "{CUBE}.status = 'paid'" }
views:
  - name: sales
    cubes:
      - join_path: orders
        includes: [amount, status, paid, id]
      - join_path: orders.users
        prefix: true
        includes: [city]
`;

describe('buildMeta', () => {
  it("produces Cube's /v1/meta shape for cubes", () => {
    const meta = buildMeta(compileYaml(MODEL));
    const orders = meta.cubes.find((c) => c.name === 'orders')!;
    expect(orders).toMatchObject({ name: 'orders', title: 'Orders', type: 'cube', isVisible: true, public: true, connectedComponent: 1, hierarchies: [], folders: [], nestedFolders: [] });
    expect(meta.cubes.find((c) => c.name === 'users')!.connectedComponent).toBe(1);
    expect(orders.measures.find((m) => m.name === 'orders.amount')).toEqual({
      name: 'orders.amount',
      title: 'Orders Amount',
      shortTitle: 'Amount',
      description: 'Total',
      format: 'currency',
      cumulativeTotal: false,
      cumulative: false,
      type: 'number',
      aggType: 'sum',
      drillMembers: ['orders.id', 'orders.status', 'orders.count'],
      drillMembersGrouped: { measures: ['orders.count'], dimensions: ['orders.id', 'orders.status'] },
      meta: { unidade: 'BRL' },
      isVisible: true,
      public: true,
    });
    expect(orders.measures.find((m) => m.name === 'orders.hidden')).toMatchObject({ isVisible: false, public: false });
    expect(orders.measures.find((m) => m.name === 'orders.rolling')).toMatchObject({ cumulative: true, cumulativeTotal: true, aggType: 'count', type: 'number' });
    expect(orders.measures.find((m) => m.name === 'orders.avg_ticket')).toMatchObject({ aggType: 'number', type: 'number' });
    expect(orders.dimensions.find((d) => d.name === 'orders.id')).toEqual({
      name: 'orders.id', title: 'Orders Id', type: 'number', shortTitle: 'Id', suggestFilterValues: true,
      isVisible: false, public: false, primaryKey: true,
    });
    expect(orders.dimensions.find((d) => d.name === 'orders.created_at')).toEqual({
      name: 'orders.created_at', title: 'Orders Created at', type: 'time', shortTitle: 'Created at', suggestFilterValues: true,
      isVisible: true, public: true, primaryKey: false,
      granularities: [{ name: 'fiscal_year', title: 'Fiscal Year', interval: '1 year', origin: '2024-04-01' }],
    });
    expect(orders.segments).toEqual([{ name: 'orders.paid', title: 'Orders Paid', shortTitle: 'Paid', isVisible: true, public: true }]);
  });

  it('lists views with type view and their members under view names', () => {
    const meta = buildMeta(compileYaml(MODEL));
    const sales = meta.cubes.find((c) => c.name === 'sales')!;
    expect(sales.type).toBe('view');
    expect(sales.connectedComponent).toBeUndefined();
    expect(sales.measures.map((m) => m.name)).toEqual(['sales.amount']);
    expect(sales.measures[0]).toMatchObject({ title: 'Sales Amount', drillMembers: ['sales.id', 'sales.status'], aggType: 'sum' });
    expect(sales.dimensions.map((d) => [d.name, d.public])).toEqual([['sales.status', true], ['sales.id', true], ['sales.users_city', true]]);
    expect(sales.segments.map((s) => s.name)).toEqual(['sales.paid']);
  });

  it('lets the security layer hide members per caller', () => {
    const meta = buildMeta(compileYaml(MODEL), (member) => member !== 'orders.status' && member !== 'sales.amount');
    const orders = meta.cubes.find((c) => c.name === 'orders')!;
    expect(orders.dimensions.find((d) => d.name === 'orders.status')).toMatchObject({ isVisible: false, public: false });
    expect(orders.dimensions.find((d) => d.name === 'orders.created_at')).toMatchObject({ public: true });
    expect(meta.cubes.find((c) => c.name === 'sales')!.measures[0]).toMatchObject({ public: false });
  });

  it('names the cube member each view member stands for (aliasMember)', () => {
    const sales = buildMeta(compileYaml(MODEL)).cubes.find((c) => c.name === 'sales')!;
    const alias = (list: Record<string, unknown>[]): unknown[][] => list.map((m) => [m.name, m.aliasMember]);
    expect(alias(sales.measures)).toEqual([['sales.amount', 'orders.amount']]);
    expect(alias(sales.dimensions)).toEqual([['sales.status', 'orders.status'], ['sales.id', 'orders.id'], ['sales.users_city', 'users.city']]);
    expect(alias(sales.segments)).toEqual([['sales.paid', 'orders.paid']]);
  });

  it("shows members' SQL as model source under extended, and only for members the caller may use", () => {
    const model = compileYaml(`${MODEL.replace(
      '      - { name: hidden, sql: amount, type: sum, public: false }',
      `      - { name: hidden, sql: amount, type: sum, public: false }
      - { name: paid_amount, sql: amount, type: sum, filters: [{ sql: "{CUBE}.status = 'paid'" }] }
      - { name: tenant_amount, sql: "CASE WHEN {CUBE}.tenant = {SECURITY_CONTEXT.tenant} THEN {amount} END", type: number }`,
    )}`);
    const meta = buildMeta(model, (member) => member !== 'orders.status', { extended: true });
    const orders = meta.cubes.find((c) => c.name === 'orders')! as unknown as Record<string, unknown> & { measures: Record<string, unknown>[]; dimensions: Record<string, unknown>[]; segments: Record<string, unknown>[] };
    const member = (list: Record<string, unknown>[], name: string) => list.find((m) => m.name === name)!;
    expect(member(orders.measures, 'orders.paid_amount')).toMatchObject({ sql: '{CUBE}.amount', filters: [{ sql: "{CUBE}.status = 'paid'" }] });
    expect(member(orders.measures, 'orders.avg_ticket').sql).toBe('{amount} / {count}');
    expect(member(orders.measures, 'orders.tenant_amount').sql).toBe('CASE WHEN {CUBE}.tenant = {SECURITY_CONTEXT.tenant} THEN {amount} END');
    expect(member(orders.segments, 'orders.paid').sql).toBe("{CUBE}.status = 'paid'");
    expect(member(orders.dimensions, 'orders.status')).not.toHaveProperty('sql');
    expect(member(orders.measures, 'orders.hidden')).not.toHaveProperty('sql');
    expect(orders).toMatchObject({ sqlTable: 'public.orders', dataSource: 'default', joins: [{ name: 'users', relationship: 'many_to_one', sql: '{CUBE}.user_id = {users.id}' }] });
    expect(buildMeta(model).cubes.find((c) => c.name === 'orders')).not.toHaveProperty('sqlTable');
  });

  it("is consumed by @cubejs-client/core's Meta class", async () => {
    const meta = new Meta(JSON.parse(JSON.stringify(buildMeta(await loadModel(path.join(root, 'model'))))) as ClientMetaResponse);
    const member = meta.resolveMember('vendas.vendas_liquidas', 'measures');
    expect(member).toMatchObject({ name: 'vendas.vendas_liquidas', title: 'Vendas Vendas líquidas (receita)', format: 'currency' });
    expect(meta.filterOperatorsForMember('vendas.data_venda', 'dimensions').map((o) => o.name)).toContain('inDateRange');
    expect(meta.filterOperatorsForMember('vendas.cliente_cidade', 'dimensions').map((o) => o.name)).toContain('contains');
    const grouped = meta.membersGroupedByCube();
    expect(grouped.timeDimensions.find((g) => g.cubeName === 'vendas')!.members.map((m) => m.name)).toEqual([
      'vendas.data_venda', 'vendas.data_devolucao', 'vendas.cliente_data_cadastro', 'vendas.cliente_primeira_compra_data',
    ]);
    expect(meta.membersForQuery(null, 'measures').length).toBeGreaterThan(30);
  });
});
