import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadModel, tryCompileModel } from '../../src/model/compile-model.ts';
import { findJoinTree } from '../../src/model/join-graph.ts';
import { parse } from 'yaml';
import { CORPUS_DIR } from '../fixtures/cube-corpus.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const corpusFile = path.join(CORPUS_DIR, 'model', 'ecommerce.yml');

describe("Cube's driver-test corpus model", () => {
  it('compiles as-is, with warnings only for the undeclared rollup granularity and Tesseract-only view members', async () => {
    const content = await readFile(corpusFile, 'utf8');
    const outcome = tryCompileModel([{ path: 'ecommerce.yml', content }]);
    expect(outcome.errors).toEqual([]);
    expect(outcome.warnings.map((w) => w.member)).toEqual(['ECommerce.TBuildOnlyHalfYear', 'SwitchSourceTest', 'SwitchSourceTest']);
    const model = outcome.model!;
    expect(Object.keys(model.cubes)).toEqual(['Products', 'Customers', 'ECommerce', 'BigECommerce', 'RetailCalendar']);

    // Independent expectation: the YAML parsed without our compiler, ECommerce = its own + Products' dimensions.
    const raw = parse(content) as { cubes: { name: string; dimensions?: { name: string }[]; measures?: { name: string }[] }[] };
    const rawCube = (name: string) => raw.cubes.find((c) => c.name === name)!;
    const expectedDims = new Set([...rawCube('Products').dimensions!.map((d) => d.name), ...rawCube('ECommerce').dimensions!.map((d) => d.name)]);
    expect(new Set(Object.keys(model.cubes.ECommerce!.dimensions))).toEqual(expectedDims);
    expect(Object.keys(model.cubes.ECommerce!.measures)).toEqual(rawCube('ECommerce').measures!.map((m) => m.name));

    const ec = model.cubes.ECommerce!;
    expect(ec.sqlAlias).toBe('ec');
    expect(ec.sqlTable).toEqual([{ kind: 'text', text: 'ecommerce' }]);
    expect(ec.measures.hiddenSum!.public).toBe(false);
    expect(ec.measures.totalQuantityPriorMonth!.timeShift).toEqual([{ interval: '1 month', type: 'prior' }]);
    expect(ec.dimensions.orderDate!.granularities.map((g) => g.name)).toEqual(['half_year', 'half_year_by_1st_april', 'two_mo_by_feb', 'three_months_by_march']);
    expect(ec.dimensions.customerName!.sql).toEqual([{ kind: 'member', path: 'Customers.customerName' }]);
    expect(Object.keys(ec.preAggregations)).toEqual(['SA', 'TA', 'MultiTimeDimForCount', 'CountByProduct']);
    expect(ec.preAggregations.TA!.timeDimensions).toEqual([{ dimension: 'ECommerce.orderDate', granularity: 'month' }]);
    expect(model.cubes.Customers!.preAggregations.RA!.measures).toEqual(['Customers.count', 'Customers.runningTotal']);
    expect(model.cubes.BigECommerce!.measures.totalProfitForQuarter!.groupBy).toEqual(['BigECommerce.orderDate.quarter']);
    expect(model.cubes.BigECommerce!.measures.rollingCountYTD!.rollingWindow).toEqual({ type: 'to_date', granularity: 'year' });
    expect(model.cubes.RetailCalendar!.calendar).toBe(true);
    expect(model.cubes.RetailCalendar!.dimensions.retail_date!.timeShift).toHaveLength(3);
    expect(model.views.SwitchSourceTest!.members).toEqual({});
  });

  it('joins BigECommerce to RetailCalendar and Customers without multiplying BigECommerce', async () => {
    const content = await readFile(corpusFile, 'utf8');
    const model = tryCompileModel([{ path: 'ecommerce.yml', content }]).model!;
    const tree = findJoinTree(model, ['BigECommerce', 'RetailCalendar', 'Customers']);
    expect(tree.root).toBe('BigECommerce');
    expect(tree.joins.map((j) => `${j.from}->${j.to}`)).toEqual(['BigECommerce->RetailCalendar', 'BigECommerce->Customers']);
    expect([...tree.multipliedCubes].sort()).toEqual(['Customers', 'RetailCalendar']);
  });
});

describe('our gold model (model/)', () => {
  const starCubes = ['dim_campanha', 'dim_canal', 'dim_cliente', 'dim_loja', 'dim_produto', 'dim_tempo', 'fato_devolucoes', 'fato_vendas'];

  it('compiles without problems', async () => {
    const model = await loadModel(path.join(root, 'model'));
    expect(model.warnings ?? []).toEqual([]);
    expect(Object.keys(model.cubes)).toEqual(expect.arrayContaining(starCubes));
  });

  it('reads gold tables and joins facts to every dimension many_to_one', async () => {
    const model = await loadModel(path.join(root, 'model'));
    for (const name of starCubes.filter((c) => c !== 'fato_vendas')) expect(model.cubes[name]!.sqlTable).toEqual([{ kind: 'text', text: `gold.${name}` }]);
    // fato_vendas: the sale lines, and beside them one row per refund dated on the refund date.
    const factSql = model.cubes.fato_vendas!.sql!.map((p) => (p.kind === 'text' ? p.text : '')).join('');
    expect(factSql).toMatch(/FROM gold\.fato_vendas\s+UNION ALL\s+SELECT 'devolucao'[\s\S]*FROM gold\.fato_devolucoes d JOIN gold\.fato_vendas f/);
    expect(model.cubes.fato_vendas!.joins.map((j) => [j.name, j.relationship])).toEqual([
      ['dim_cliente', 'many_to_one'], ['dim_produto', 'many_to_one'], ['dim_tempo', 'many_to_one'],
      ['dim_loja', 'many_to_one'], ['dim_canal', 'many_to_one'], ['dim_campanha', 'many_to_one'],
    ]);
    const tree = findJoinTree(model, ['fato_vendas', 'dim_cliente', 'dim_produto', 'dim_canal']);
    expect(tree.multipliedCubes.has('fato_vendas')).toBe(false);
  });

  it('declares every METRICS.md measure with a description, and formats', async () => {
    const model = await loadModel(path.join(root, 'model'));
    const m = model.cubes.fato_vendas!.measures;
    const expected = {
      vendas_brutas: 'sum', descontos: 'sum', devolucoes: 'sum', vendas_liquidas: 'sum', pedidos: 'count_distinct',
      ticket_medio: 'number', unidades: 'sum', unidades_liquidas: 'sum', unidades_por_pedido: 'number',
      taxa_devolucao: 'number', clientes_distintos: 'count_distinct', pedidos_novos_clientes: 'count_distinct',
      pedidos_recorrentes: 'count_distinct', pedidos_sem_historico: 'count_distinct', mix_canal: 'number', count: 'count',
      devolucoes_da_venda: 'sum', vendas_liquidas_da_venda: 'sum',
    };
    for (const [name, type] of Object.entries(expected)) {
      expect(m[name]?.type, name).toBe(type);
      expect(m[name]!.description?.length, name).toBeGreaterThan(20);
    }
    expect(m.vendas_liquidas!.format).toBe('currency');
    expect(m.vendas_liquidas!.meta).toEqual({ unidade: 'BRL' });
    expect(m.taxa_devolucao!.format).toBe('percent');
    expect(m.ticket_medio!.sql!.filter((p) => p.kind === 'member').map((p) => (p as { path: string }).path)).toEqual([
      'fato_vendas.vendas_brutas', 'fato_vendas.descontos', 'fato_vendas.pedidos',
    ]);
    expect(Object.keys(model.cubes.fato_vendas!.segments)).toEqual(['online', 'loja_fisica', 'clientes_novos']);
    expect(model.cubes.fato_vendas!.dimensions.data_venda!.type).toBe('time');
  });

  it('exposes a vendas view without surrogate keys', async () => {
    const model = await loadModel(path.join(root, 'model'));
    const view = model.views.vendas!;
    const names = Object.keys(view.members);
    expect(names.filter((n) => n.endsWith('_sk'))).toEqual([]);
    expect(names).toContain('vendas_liquidas');
    expect(names).toContain('cliente_cidade');
    expect(names).not.toContain('cliente_email');
    expect(view.members.produto_categoria).toMatchObject({ target: 'dim_produto.categoria', joinPath: ['fato_vendas', 'dim_produto'] });
    expect(Object.values(view.members).every((m) => m.public)).toBe(true);
  });
});
