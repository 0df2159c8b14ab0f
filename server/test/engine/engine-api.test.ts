/**
 * The SemanticEngine surface the APIs use: sql() and dryRun() shapes, annotation, the
 * queryRewrite hook, the pre-aggregation seam, and robustness: random and mutated queries end in
 * a result or a UserError, never in another exception.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbDriver } from '../../src/drivers/duckdb-driver.ts';
import { createDuckDbDialect } from '../../src/sql/dialects/duckdb/duckdb-dialect.ts';
import { createEngine } from '../../src/engine/create-engine.ts';
import type { SemanticEngine } from '../../src/engine/engine-types.ts';
import type { SemanticModel } from '../../src/model/model-types.ts';
import type { NormalizedQuery } from '../../src/query/query-types.ts';
import { isUserError } from '../../src/errors/user-error.ts';
import { INTERNAL_CONTEXT, loadGoldDatabase, loadGoldModel } from './gold-fixture.ts';

const ctx = { securityContext: { ...INTERNAL_CONTEXT, tenant: 'x' }, requestId: 'api', api: 'internal' as const };
let instance: DuckDBInstance;
let driver: DuckDbDriver;
let model: SemanticModel;
let engine: SemanticEngine;
const seen: NormalizedQuery[] = [];

beforeAll(async () => {
  instance = await loadGoldDatabase();
  driver = DuckDbDriver.fromInstance(instance);
  model = await loadGoldModel();
  engine = createEngine({
    model,
    driver,
    dialect: createDuckDbDialect(),
    now: () => new Date('2024-06-15T12:00:00Z'),
    queryRewrite: (query, { securityContext }) => (securityContext.tenant === 'pos-only' ? { ...query, segments: [...(query.segments ?? []), 'fato_vendas.loja_fisica'] } : query),
    matchPreAggregation: (q) => {
      seen.push(q);
      return undefined;
    },
  });
});

afterAll(async () => {
  await driver.close();
  instance.closeSync();
});

describe('SemanticEngine', () => {
  it('sql() returns [sql, params] with values bound, aliases and order', async () => {
    const [response] = await engine.sql({ measures: ['fato_vendas.count'], dimensions: ['fato_vendas.origem'], filters: [{ member: 'fato_vendas.origem', operator: 'equals', values: ["p'os"] }] }, ctx);
    const [sql, params] = response!.sql;
    expect(params).toEqual(["p'os"]);
    expect(sql).toContain('$1');
    expect(sql).not.toContain("p'os");
    expect(response!.aliasNameToMember).toEqual({ fato_vendas__origem: 'fato_vendas.origem', fato_vendas__count: 'fato_vendas.count' });
    expect(response!.order).toEqual([{ id: 'fato_vendas.count', desc: true }]);
  });

  it('dryRun() returns the normalized query with absolute date ranges', async () => {
    const dry = await engine.dryRun({ measures: ['fato_vendas.count'], timeDimensions: [{ dimension: 'fato_vendas.data_venda', granularity: 'day', dateRange: 'last 7 days' }] }, ctx);
    expect(dry.queryType).toBe('regularQuery');
    expect(dry.normalizedQueries[0]).toMatchObject({ timeDimensions: [{ dimension: 'fato_vendas.data_venda', granularity: 'day', dateRange: ['2024-06-08T00:00:00.000', '2024-06-14T23:59:59.999'] }], limit: 10000 });
    expect(dry.queryOrder).toEqual([{ 'fato_vendas.data_venda': 'asc' }]);
  });

  it('load() shows a time dimension under both keys and annotates it', async () => {
    const { results } = await engine.load({ measures: ['fato_vendas.vendas_brutas'], timeDimensions: [{ dimension: 'fato_vendas.data_venda', granularity: 'month', dateRange: ['2024-01-01', '2024-02-29'] }] }, ctx);
    const r = results[0]!;
    expect(r.columns.map((c) => c.name)).toEqual(['fato_vendas.data_venda.month', 'fato_vendas.data_venda', 'fato_vendas.vendas_brutas']);
    expect(r.data[0]).toEqual(['2024-01-01T00:00:00.000', '2024-02-01T00:00:00.000']);
    expect(typeof r.data[2]![0]).toBe('string');
    expect(r.annotation.timeDimensions['fato_vendas.data_venda.month']).toMatchObject({ type: 'time', granularity: { name: 'month' } });
    expect(r.annotation.measures['fato_vendas.vendas_brutas']).toMatchObject({ type: 'number', format: 'currency', shortTitle: 'Vendas brutas' });
  });

  it('applies queryRewrite with the security context before planning', async () => {
    const all = await engine.load({ measures: ['fato_vendas.count'] }, ctx);
    const pos = await engine.load({ measures: ['fato_vendas.count'] }, { ...ctx, securityContext: { ...INTERNAL_CONTEXT, tenant: 'pos-only' } });
    const want = await driver.query("SELECT count(*) FILTER (WHERE origem = 'pos'), count(*) FROM gold.fato_vendas", []);
    expect(Number(pos.results[0]!.data[0]![0])).toBe(Number(want.data[0]![0]));
    expect(Number(all.results[0]!.data[0]![0])).toBe(Number(want.data[1]![0]));
  });

  it('offers every normalized query to the pre-aggregation seam', async () => {
    const before = seen.length;
    await engine.sql({ measures: ['fato_vendas.count'] }, ctx);
    expect(seen.length).toBe(before + 1);
  });
});

/** Mostly valid choices, sometimes a wrong one: the property must hold on both. */
const mostly = <T,>(valid: readonly T[], invalid: readonly T[]) =>
  fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...valid) }, { weight: 1, arbitrary: fc.constantFrom(...invalid) });
const BAD = ['nope.x', 'fato_vendas', '', 'fato_vendas.cliente_sk', 'fato_vendas.origem.day'];
const MEASURES = mostly(['fato_vendas.count', 'fato_vendas.pedidos', 'fato_vendas.ticket_medio', 'vendas.vendas_liquidas', 'vendas_teste.unidades_7d', 'vendas_teste.unidades_acumuladas', 'clientes_teste.count', 'vendas_teste.pedidos_aprox'], [...BAD, 'fato_vendas.origem']);
const DIMENSIONS = mostly(['fato_vendas.origem', 'dim_canal.nome', 'vendas.canal_nome', 'clientes_teste.segmento', 'fato_vendas.is_cancelado', 'fato_vendas.data_venda', 'dim_produto.marca'], [...BAD, 'fato_vendas.count']);
const TIME = mostly(['fato_vendas.data_venda', 'vendas_teste.data_venda', 'vendas.data_venda'], [...BAD, 'fato_vendas.origem']);
const OPERATORS = mostly(['equals', 'notEquals', 'contains', 'gt', 'lte', 'inDateRange', 'beforeDate', 'set', 'notSet', 'afterOrOnDate', 'notStartsWith'], ['bogus', 'measureFilter']);
const VALUE = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constantFrom('2024-01-01', 'last week', '10', 'true', "o'x"));

const queryArbitrary = fc.record(
  {
    measures: fc.array(MEASURES, { maxLength: 3 }),
    dimensions: fc.array(DIMENSIONS, { maxLength: 2 }),
    timeDimensions: fc.array(fc.record({ dimension: TIME, granularity: mostly(['day', 'week', 'month', 'quarter'], ['hourly']), dateRange: fc.oneof(fc.constant(undefined), mostly(['this month', 'last 3 days', 'from 2 weeks ago to now'], ['garbage']), fc.tuple(fc.constantFrom('2024-01-01', 'x'), fc.constantFrom('2024-02-01', '2023-01-01'))) }, { requiredKeys: ['dimension'] }), { maxLength: 2 }),
    filters: fc.array(fc.record({ member: fc.oneof(MEASURES, DIMENSIONS), operator: OPERATORS, values: fc.array(VALUE, { maxLength: 3 }) }), { maxLength: 2 }),
    order: fc.oneof(fc.constant(undefined), fc.dictionary(fc.oneof(MEASURES, DIMENSIONS), mostly(['asc', 'desc'], ['sideways']))),
    limit: fc.oneof(fc.constant(undefined), fc.integer({ min: 0, max: 60000 })),
    offset: fc.oneof(fc.constant(undefined), fc.integer({ min: 0, max: 5 })),
    timezone: mostly(['UTC', 'America/Sao_Paulo'], ['Not/AZone']),
    total: fc.boolean(),
    ungrouped: mostly([false], [true]),
    extra: fc.oneof({ weight: 19, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.anything({ maxDepth: 1 }) }),
  },
  { requiredKeys: ['measures'] },
);

describe('robustness', () => {
  it('answers random and mutated queries with a result or a UserError, never another error', async () => {
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(queryArbitrary, async (raw) => {
        const query = JSON.parse(JSON.stringify(raw)) as Record<string, unknown>;
        try {
          await engine.load(query, ctx);
          answered += 1;
        } catch (error) {
          if (!isUserError(error)) throw error;
          expect(error.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300, seed: 20241125 },
    );
    console.info(`robustness: ${answered} of 300 random queries answered, the rest rejected with a UserError`);
    // The generator must reach the database often enough to mean something.
    expect(answered).toBeGreaterThan(10);
  });
});
