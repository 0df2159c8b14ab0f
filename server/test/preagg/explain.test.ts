/**
 * `/v1/explain` over the real engine and store (the pre-aggregation harness: hand-built gold rows,
 * the repository's model, the `rollup_teste` cube, and the `explica` cubes below): which rollup
 * serves a query, and for every other candidate each reason it does not. One query per reason,
 * each against a rollup whose definition (or store state) makes the miss certain, and the
 * agreement rule: for every query here, explain's `servedBy` is the rollup `/load` reports in
 * `usedPreAggregations`, with the same tables.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExplainResponse, RequestContext } from '../../src/engine/engine-types.ts';
import type { CubeQuery } from '../../src/query/query-types.ts';
import { normalizeQuery } from '../../src/query/normalize-query.ts';
import { listRollups } from '../../src/preagg/refresh-rollups.ts';
import { createRollupMatcher } from '../../src/preagg/rollup-matcher.ts';
import { createDuckDbDialect } from '../../src/sql/dialects/duckdb/duckdb-dialect.ts';
import { NOW } from '../engine/gold-cases.ts';
import { EXTRA_MODEL } from '../engine/gold-fixture.ts';
import { REPO_MODEL_DIR, startStack } from '../support/stack.ts';
import { ctx, loadRows, openPreaggFixture, ROLLUP_TEST_MODEL, type PreaggFixture } from './preagg-harness.ts';

const EXTRA = `
cubes:
  - name: explica
    sql_table: gold.fato_vendas
    dimensions:
      - { name: venda_id, sql: venda_id, type: string, primary_key: true }
      - { name: origem, sql: origem, type: string }
      - { name: data_venda, sql: data_venda, type: time }
    measures:
      - { name: linhas, type: count }
      - { name: unidades, type: sum, sql: quantidade }
      - name: unidades_falham
        type: sum
        sql: "CASE WHEN {CUBE}.data_venda >= (SELECT desde FROM explica_falha) THEN error('falha de teste ' || {CUBE}.venda_id) ELSE {CUBE}.quantidade END"
      - { name: unidades_2_meses, type: sum, sql: quantidade, rolling_window: { trailing: 2 month } }
      - { name: receita_bruta, type: number, sql: "sum(quantidade * preco_unitario)" }
      - { name: pedidos, type: count_distinct, sql: pedido_id }
    pre_aggregations:
      - name: fev_mar
        measures: [linhas, unidades]
        dimensions: [origem]
        time_dimension: data_venda
        granularity: day
        partition_granularity: month
        build_range_start: { sql: "SELECT TIMESTAMP '2024-02-01'" }
        build_range_end: { sql: "SELECT TIMESTAMP '2024-03-31'" }
      - name: falha
        measures: [unidades_falham, linhas]
        time_dimension: data_venda
        granularity: day
        partition_granularity: month
      - name: semanal
        measures: [linhas]
        time_dimension: data_venda
        granularity: week
      - name: pedidos_semana
        measures: [pedidos]
        time_dimension: data_venda
        granularity: week
        partition_granularity: month
      - name: dupla
        type: rollup_lambda
        rollups: [CUBE.fev_mar, CUBE.falha]
      - name: original
        type: original_sql
  - name: explica_contexto
    sql: "SELECT * FROM gold.fato_vendas WHERE origem <> {SECURITY_CONTEXT.origem_oculta}"
    dimensions:
      - { name: venda_id, sql: venda_id, type: string, primary_key: true }
      - { name: origem, sql: origem, type: string }
    measures:
      - { name: linhas, type: count }
    pre_aggregations:
      - { name: por_origem, measures: [linhas], dimensions: [origem] }
`;

/** Rollups left unbuilt: a shipped one (NOT_BUILT_YET) and one whose rows depend on the caller. */
const UNBUILT = new Set(['fato_vendas.campanhas_dia', 'explica_contexto.por_origem']);

let fx: PreaggFixture;
const context = (securityContext: Record<string, unknown>): RequestContext => ({ securityContext, requestId: 'explain', api: 'internal' });
const manager = context({ groups: ['gerente_loja'], lojas: ['L001'] });
const withHiddenOrigin = context({ groups: ['internal'], origem_oculta: 'loja' });

beforeAll(async () => {
  fx = await openPreaggFixture({ extraModel: EXTRA });
  // explica.falha fails to build from April 2024 on: January to March are built, later months are not.
  await fx.source.query(`CREATE TABLE explica_falha AS SELECT TIMESTAMP '2024-04-01' AS desde`, []);
  const only = listRollups(fx.model).map(({ cube, rollup }) => `${cube.name}.${rollup.name}`).filter((id) => !UNBUILT.has(id));
  const statuses = await fx.preAggregations.refresher.refresh(fx.model, { force: true, only });
  expect(statuses.filter((s) => s.state !== 'ready').map((s) => s.id)).toEqual(['explica.falha']);
  // The source is fixed afterwards; the partitions that failed stay unbuilt until rebuilt.
  await fx.source.query(`UPDATE explica_falha SET desde = TIMESTAMP '2100-01-01'`, []);
}, 120_000);

afterAll(async () => fx?.close());

async function explain(query: CubeQuery, requestContext: RequestContext = ctx): Promise<ExplainResponse> {
  const [first] = await fx.engine.explain!(query, requestContext);
  return first!;
}

function reasonsOf(explained: ExplainResponse, id: string) {
  const candidate = explained.candidates.find((c) => c.preAggregation === id);
  expect(candidate, `${id} is listed`).toBeDefined();
  return candidate!.reasons;
}

const TD = (granularity: string | undefined, dateRange?: [string, string]) => ({ dimension: 'rollup_teste.data_venda', ...(granularity ? { granularity } : {}), ...(dateRange ? { dateRange } : {}) });
const FV_MONTH = { dimension: 'fato_vendas.data_venda', granularity: 'month', dateRange: ['2024-01-01', '2024-06-30'] as [string, string] };

/** [reason code, query, the candidate that must miss for that reason, the member named (if any), context]. */
const MISSES: [string, CubeQuery, string, string | undefined, RequestContext?][] = [
  ['MISSING_MEASURE', { measures: ['rollup_teste.desconto'], dimensions: ['rollup_teste.origem'] }, 'rollup_teste.por_origem_dia', 'rollup_teste.desconto'],
  ['MISSING_DIMENSION', { measures: ['rollup_teste.linhas'], dimensions: ['rollup_teste.tipo_cliente'] }, 'rollup_teste.por_origem_dia', 'rollup_teste.tipo_cliente'],
  ['FILTER_ON_NON_ROLLUP_MEMBER', { measures: ['fato_vendas.vendas_liquidas'], dimensions: ['dim_canal.nome'], filters: [{ member: 'fato_vendas.tipo_cliente', operator: 'equals', values: ['novo'] }] }, 'fato_vendas.por_canal_dia', 'fato_vendas.tipo_cliente'],
  ['ROW_FILTER_ON_NON_ROLLUP_MEMBER', { measures: ['fato_vendas.vendas_liquidas'], dimensions: ['dim_canal.nome'] }, 'fato_vendas.por_canal_dia', 'fato_vendas.loja_id', manager],
  ['GRANULARITY_TOO_FINE', { measures: ['fato_vendas.vendas_liquidas'], dimensions: ['dim_canal.nome'], timeDimensions: [{ dimension: 'fato_vendas.data_venda', granularity: 'hour', dateRange: ['2024-03-01', '2024-03-02'] }] }, 'fato_vendas.por_canal_dia', 'fato_vendas.data_venda'],
  ['GRANULARITY_TOO_FINE', { measures: ['fato_vendas.pedidos_novos_clientes'], dimensions: ['fato_vendas.tipo_cliente'], timeDimensions: [{ dimension: 'fato_vendas.data_venda', granularity: 'week', dateRange: ['2024-03-04', '2024-03-31'] }] }, 'fato_vendas.novos_recorrentes_mes', 'fato_vendas.data_venda'],
  ['GRANULARITY_NOT_DERIVABLE', { measures: ['explica.linhas'], timeDimensions: [{ dimension: 'explica.data_venda', granularity: 'month' }] }, 'explica.semanal', 'explica.data_venda'],
  ['TIME_DIMENSION_MISMATCH', { measures: ['fato_vendas.vendas_liquidas'], timeDimensions: [{ dimension: 'fato_vendas.data_devolucao', granularity: 'month' }] }, 'fato_vendas.por_canal_dia', 'fato_vendas.data_devolucao'],
  ['DATE_RANGE_NOT_ALIGNED', { measures: ['fato_vendas.vendas_liquidas'], dimensions: ['dim_canal.nome'], timeDimensions: [{ dimension: 'fato_vendas.data_venda', dateRange: ['2024-02-10T12:00:00', '2024-04-20'] }] }, 'fato_vendas.por_canal_dia', 'fato_vendas.data_venda'],
  ['MEASURE_NOT_ADDITIVE', { measures: ['fato_vendas.clientes_distintos'], timeDimensions: [{ dimension: 'fato_vendas.data_venda', granularity: 'quarter', dateRange: ['2024-01-01', '2024-06-30'] }] }, 'fato_vendas.novos_recorrentes_mes', 'fato_vendas.clientes_distintos'],
  ['MEASURE_NOT_ADDITIVE', { measures: ['explica.pedidos'], timeDimensions: [{ dimension: 'explica.data_venda', granularity: 'week', dateRange: ['2024-03-04', '2024-03-31'] }] }, 'explica.pedidos_semana', 'explica.pedidos'],
  ['MEASURE_COMPUTED_FROM_SOURCE', { measures: ['explica.unidades_2_meses'], timeDimensions: [{ dimension: 'explica.data_venda', granularity: 'month', dateRange: ['2024-02-01', '2024-03-31'] }] }, 'explica.fev_mar', 'explica.unidades_2_meses'],
  ['CALCULATED_MEASURE_NOT_DERIVABLE', { measures: ['explica.receita_bruta'], dimensions: ['explica.origem'] }, 'explica.fev_mar', 'explica.receita_bruta'],
  ['SEGMENT_NOT_IN_ROLLUP', { measures: ['rollup_teste.unidades'], segments: ['rollup_teste.online'], dimensions: ['rollup_teste.origem'] }, 'rollup_teste.por_origem_dia', 'rollup_teste.online'],
  ['ROLLUP_SEGMENT_NOT_IN_QUERY', { measures: ['rollup_teste.unidades'], dimensions: ['rollup_teste.tipo_cliente'] }, 'rollup_teste.online_mes', 'rollup_teste.online'],
  ['TIMEZONE_MISMATCH', { measures: ['fato_vendas.vendas_liquidas'], timeDimensions: [FV_MONTH], timezone: 'America/Sao_Paulo' }, 'fato_vendas.novos_recorrentes_mes', undefined],
  ['SECURITY_CONTEXT_IN_SQL', { measures: ['explica_contexto.linhas'], dimensions: ['explica_contexto.origem'] }, 'explica_contexto.por_origem', undefined, withHiddenOrigin],
  ['UNGROUPED_QUERY', { measures: ['rollup_teste.unidades'], dimensions: ['rollup_teste.origem'], ungrouped: true, limit: 5 }, 'rollup_teste.por_origem_dia', undefined],
  ['NO_MEASURES', { dimensions: ['fato_vendas.origem'] }, 'fato_vendas.por_canal_dia', undefined],
  ['MEASURES_FROM_SEVERAL_CUBES', { measures: ['fato_vendas.count', 'dim_canal.count'], dimensions: ['dim_canal.nome'] }, 'fato_vendas.por_canal_dia', undefined],
  ['DIFFERENT_CUBE', { measures: ['fato_vendas.vendas_liquidas'], dimensions: ['dim_canal.nome'] }, 'campanhas_tempo_real.metricas_tempo_real', undefined],
  ['NOT_A_ROLLUP', { measures: ['explica.linhas'], dimensions: ['explica.origem'] }, 'explica.original', undefined],
  ['LAMBDA_UNSUPPORTED', { measures: ['explica.linhas'], timeDimensions: [{ dimension: 'explica.data_venda', granularity: 'month', dateRange: ['2024-02-01', '2024-03-31'] }] }, 'explica.dupla', undefined],
  ['LAMBDA_BATCH_LAYER', { measures: ['campanhas_tempo_real.sessoes'], dimensions: ['campanhas_tempo_real.utm_source'] }, 'campanhas_tempo_real.metricas_por_minuto', undefined],
  ['NOT_BUILT_YET', { measures: ['fato_vendas.vendas_liquidas'], dimensions: ['dim_campanha.nome'], timeDimensions: [{ dimension: 'fato_vendas.data_venda', granularity: 'day', dateRange: ['2024-03-01', '2024-03-31'] }] }, 'fato_vendas.campanhas_dia', undefined],
  ['OUTSIDE_BUILD_RANGE', { measures: ['explica.unidades'], dimensions: ['explica.origem'], timeDimensions: [{ dimension: 'explica.data_venda', granularity: 'month', dateRange: ['2024-02-01', '2024-04-30'] }] }, 'explica.fev_mar', undefined],
  ['PARTITION_NOT_BUILT', { measures: ['explica.unidades_falham'], timeDimensions: [{ dimension: 'explica.data_venda', granularity: 'day', dateRange: ['2024-05-01', '2024-05-31'] }] }, 'explica.falha', undefined],
  ['ANOTHER_ROLLUP_SERVES', { measures: ['fato_vendas.vendas_liquidas'], timeDimensions: [FV_MONTH] }, 'fato_vendas.por_canal_dia', undefined],
];

/** Queries a rollup serves: [query, rollup, context]. */
const SERVED: [CubeQuery, string, RequestContext?][] = [
  [{ measures: ['fato_vendas.vendas_liquidas'], dimensions: ['dim_canal.nome'], timeDimensions: [FV_MONTH] }, 'fato_vendas.por_canal_dia'],
  [{ measures: ['fato_vendas.vendas_liquidas'], timeDimensions: [FV_MONTH] }, 'fato_vendas.novos_recorrentes_mes'],
  [{ measures: ['vendas.vendas_liquidas'], dimensions: ['vendas.canal_nome'] }, 'fato_vendas.por_canal_dia'],
  [{ measures: ['rollup_teste.unidades'], dimensions: ['rollup_teste.tipo_cliente'], segments: ['rollup_teste.online'] }, 'rollup_teste.online_mes'],
  [{ measures: ['rollup_teste.unidades_por_linha'], dimensions: ['rollup_teste.status_pedido'], timeDimensions: [TD('month', ['2024-02-01', '2024-03-31'])] }, 'rollup_teste.por_origem_dia'],
  [{ measures: ['explica.unidades'], dimensions: ['explica.origem'], timeDimensions: [{ dimension: 'explica.data_venda', granularity: 'month', dateRange: ['2024-02-01', '2024-03-31'] }] }, 'explica.fev_mar'],
  [{ measures: ['explica.unidades_falham'], timeDimensions: [{ dimension: 'explica.data_venda', granularity: 'day', dateRange: ['2024-01-01', '2024-03-31'] }] }, 'explica.falha'],
  [{ measures: ['campanhas_tempo_real.sessoes'], dimensions: ['campanhas_tempo_real.utm_source'] }, 'campanhas_tempo_real.metricas_tempo_real'],
];

describe('/v1/explain: one reason per way a rollup misses', () => {
  it.each(MISSES)('%s', async (code, query, id, member, requestContext) => {
    const explained = await explain(query, requestContext);
    const reasons = reasonsOf(explained, id);
    expect(reasons.map((r) => r.code)).toContain(code);
    const reason = reasons.find((r) => r.code === code)!;
    if (id === 'explica.pedidos_semana') expect(reason.message).toMatch(/partitions split its groups/);
    expect(reason.message.length).toBeGreaterThan(10);
    if (member) expect(reason.member).toBe(member);
    expect(explained.candidates.find((c) => c.preAggregation === id)!.served).toBe(false);
    // What /load did with the same query and caller: never the candidate explain says misses.
    const load = (await fx.engine.load(query, requestContext ?? ctx)).results[0]!;
    expect(Object.keys(load.usedPreAggregations)).not.toContain(id);
    expect(explained.servedBy?.preAggregation).toBe(Object.keys(load.usedPreAggregations)[0]);
  });

  it('ROLLUPS_DISABLED and LAMBDA_NOT_SERVABLE: a matcher switched off, and one that cannot read the source for a lambda', () => {
    const dialect = createDuckDbDialect();
    const query = normalizeQuery(fx.model, { measures: ['campanhas_tempo_real.sessoes'], dimensions: ['campanhas_tempo_real.utm_source'] }, { now: NOW });
    const off = createRollupMatcher({ store: fx.preAggregations.store, dialect, enabled: () => false });
    expect(off(query, fx.model)).toBeUndefined();
    const disabled = off.explain!(query, fx.model);
    expect(disabled.servedBy).toBeNull();
    expect(disabled.candidates.find((c) => c.preAggregation === 'campanhas_tempo_real.metricas_tempo_real')!.reasons.map((r) => r.code)).toEqual(['ROLLUPS_DISABLED']);
    const noSource = createRollupMatcher({ store: fx.preAggregations.store, dialect });
    expect(noSource(query, fx.model)).toBeUndefined();
    expect(noSource.explain!(query, fx.model).candidates.find((c) => c.preAggregation === 'campanhas_tempo_real.metricas_tempo_real')!.reasons.map((r) => r.code)).toEqual(['LAMBDA_NOT_SERVABLE']);
  });

  it('names every reason a matching rule gives, not only the first', async () => {
    const explained = await explain({ measures: ['rollup_teste.desconto', 'rollup_teste.pedidos'], dimensions: ['rollup_teste.tipo_cliente'], timeDimensions: [TD('hour', ['2024-03-01', '2024-03-02'])] });
    const codes = reasonsOf(explained, 'rollup_teste.por_origem_dia').map((r) => r.code).sort();
    expect(codes).toEqual(['GRANULARITY_TOO_FINE', 'MEASURE_NOT_ADDITIVE', 'MISSING_DIMENSION', 'MISSING_MEASURE']);
  });
});

describe('/v1/explain agrees with /load', () => {
  const cases: [string, CubeQuery, RequestContext | undefined][] = [
    ...SERVED.map(([query, id, c]): [string, CubeQuery, RequestContext | undefined] => [`served by ${id}`, query, c]),
    ...MISSES.map(([code, query, , , c]): [string, CubeQuery, RequestContext | undefined] => [`miss ${code}`, query, c]),
  ];
  it.each(cases)('%s', async (_name, query, requestContext) => {
    const explained = await explain(query, requestContext);
    const { result } = await loadWith(query, requestContext ?? ctx);
    const used = Object.entries(result.usedPreAggregations);
    if (explained.servedBy === null) {
      expect(used).toEqual([]);
      expect(explained.candidates.every((c) => !c.served)).toBe(true);
    } else {
      expect(used.map(([name]) => name)).toEqual([explained.servedBy.preAggregation]);
      expect(used[0]![1].targetTableName).toBe(explained.servedBy.tableName);
      expect(explained.candidates.filter((c) => c.served).map((c) => c.preAggregation)).toEqual([explained.servedBy.preAggregation]);
      expect(explained.candidates[0]!.served).toBe(true);
    }
  });

  it.each(SERVED)('serves %j from %s', async (query, id, requestContext) => {
    const explained = await explain(query, requestContext);
    expect(explained.servedBy?.preAggregation).toBe(id);
    expect(explained.suggestion).toBeUndefined();
  });

  it('reads only the partitions of the date range, and says which', async () => {
    const explained = await explain({ measures: ['fato_vendas.vendas_liquidas'], dimensions: ['dim_canal.nome'], timeDimensions: [{ dimension: 'fato_vendas.data_venda', granularity: 'day', dateRange: ['2024-02-01', '2024-03-31'] }] });
    expect(explained.servedBy).toMatchObject({ preAggregation: 'fato_vendas.por_canal_dia', type: 'rollup', partitions: ['2024-02-01T00:00:00', '2024-03-01T00:00:00'] });
    const lambda = await explain({ measures: ['campanhas_tempo_real.sessoes'], dimensions: ['campanhas_tempo_real.utm_source'] });
    expect(lambda.servedBy).toMatchObject({ preAggregation: 'campanhas_tempo_real.metricas_tempo_real', type: 'rollupLambda', partitions: ['2024-05-01T10:00:00'] });
  });
});

async function loadWith(query: CubeQuery, requestContext: RequestContext) {
  const result = (await fx.engine.load(query, requestContext)).results[0]!;
  return { result };
}

describe('/v1/explain suggests a rollup for a query none serves', () => {
  const ADDITIVE: CubeQuery = {
    measures: ['rollup_teste.desconto', 'rollup_teste.preco_medio'],
    dimensions: ['rollup_teste.status_pedido'],
    filters: [{ member: 'rollup_teste.origem', operator: 'equals', values: ['erp'] }],
    timeDimensions: [TD('month', ['2024-02-01', '2024-04-30'])],
    order: [['rollup_teste.data_venda', 'asc'], ['rollup_teste.status_pedido', 'asc']],
  };
  const DISTINCT: CubeQuery = { measures: ['rollup_teste.pedidos'], dimensions: ['rollup_teste.origem'], timeDimensions: [TD('month', ['2024-02-01', '2024-04-30'])], order: [['rollup_teste.data_venda', 'asc'], ['rollup_teste.origem', 'asc']] };

  it('writes the YAML that, added to the cube and built, serves the query with the source\'s answer', async () => {
    const additive = await explain(ADDITIVE);
    const distinct = await explain(DISTINCT);
    expect(additive.servedBy).toBeNull();
    expect(distinct.servedBy).toBeNull();
    expect(additive.suggestion).toMatchObject({
      cube: 'rollup_teste',
      definition: { measures: ['desconto', 'preco_medio'], dimensions: ['status_pedido', 'origem'], time_dimension: 'data_venda', granularity: 'month', partition_granularity: 'month' },
      caveats: [],
    });
    expect(distinct.suggestion!.definition).toMatchObject({ measures: ['pedidos'], dimensions: ['origem'], granularity: 'month' });
    expect(distinct.suggestion!.caveats.join(' ')).toMatch(/rollup_teste\.pedidos \(count_distinct\) is not additive/);

    // The model with both suggestions pasted under rollup_teste, served by a second stack (its own store) over the same source file.
    const paste = (yaml: string) => yaml.split('\n').slice(1).filter(Boolean).map((line) => `    ${line}`).join('\n');
    const rollups = `${ROLLUP_TEST_MODEL.trimEnd()}\n${paste(additive.suggestion!.yaml)}\n${paste(distinct.suggestion!.yaml)}\n`;
    const suggested = await startStack({
      data: { duckdbPath: fx.duckdbPath },
      model: { dir: REPO_MODEL_DIR, files: { 'test/extras.yml': EXTRA_MODEL, 'test/rollups.yml': rollups } },
      preaggs: true,
      now: () => NOW,
    });
    try {
      const engine = suggested.engine;
      const ids = [additive.suggestion!, distinct.suggestion!].map((s) => `rollup_teste.${s.name}`);
      const statuses = await suggested.preAggregations!.refresher.refresh(engine.currentModel(), { force: true, only: ids });
      expect(statuses.map((s) => s.state)).toEqual(['ready', 'ready']);
      for (const [query, id] of [[ADDITIVE, ids[0]], [DISTINCT, ids[1]]] as const) {
        const served = await loadRows(engine, query);
        const source = await loadRows(fx.plain, query);
        expect(served.rollup).toBe(id);
        expect(served.rows.length).toBeGreaterThan(0);
        expect(rounded(served.rows)).toEqual(rounded(source.rows));
        expect((await engine.explain!(query, ctx))[0]!.servedBy?.preAggregation).toBe(id);
      }
      // The count_distinct rollup serves only its exact grouping: by quarter it is refused.
      const coarser = await engine.explain!({ ...DISTINCT, timeDimensions: [TD('quarter', ['2024-01-01', '2024-06-30'])], order: [] }, ctx);
      expect(reasonsOf(coarser[0]!, ids[1]!).map((r) => r.code)).toContain('MEASURE_NOT_ADDITIVE');
    } finally {
      await suggested.close();
    }
  }, 60_000);

  it('keeps the dimension an access policy filters on, saying why', async () => {
    const explained = await explain({ measures: ['fato_vendas.vendas_liquidas'], dimensions: ['fato_vendas.tipo_cliente'], timeDimensions: [{ dimension: 'fato_vendas.data_venda', granularity: 'week', dateRange: ['2024-01-01', '2024-03-31'] }] }, manager);
    expect(explained.servedBy).toBeNull();
    expect(explained.suggestion!.definition).toMatchObject({ dimensions: ['tipo_cliente', 'loja_id'], granularity: 'week' });
    expect(explained.suggestion!.caveats.join(' ')).toMatch(/fato_vendas\.loja_id is in the rollup because the caller's access policy filters on it/);
  });

  it('refuses, with the reason, when no rollup can hold the query', async () => {
    const rolling = await explain({ measures: ['explica.unidades_2_meses'], timeDimensions: [{ dimension: 'explica.data_venda', granularity: 'month', dateRange: ['2024-02-01', '2024-03-31'] }] });
    expect(rolling.suggestion).toBeUndefined();
    expect(rolling.noSuggestion).toMatch(/explica\.unidades_2_meses \(rolling window or multi-stage\)/);
    const columns = await explain({ measures: ['explica.receita_bruta'], dimensions: ['explica.origem'] });
    expect(columns.noSuggestion).toMatch(/receita_bruta composes no measures: it reads columns/);
    const distinctFiltered = await explain({ measures: ['rollup_teste.pedidos'], dimensions: ['rollup_teste.origem'], filters: [{ member: 'rollup_teste.tipo_cliente', operator: 'equals', values: ['novo'] }] });
    expect(distinctFiltered.noSuggestion).toMatch(/not additive/);
    const twoCubes = await explain({ measures: ['fato_vendas.count', 'dim_canal.count'], dimensions: ['dim_canal.nome'] });
    expect(twoCubes.noSuggestion).toMatch(/several cubes/);
  });
});

/** Numbers compared to 9 significant decimals (sums of doubles may differ in the last bits). */
function rounded(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+(\.\d+)?(e-?\d+)?$/.test(v) ? Number(Number(v).toFixed(9)) : v])));
}

describe('the pre-aggregation page after a failed build, and rebuilding one partition', () => {
  it('lists the partitions built (ranges, build times, rows), those missing, and the error', async () => {
    const status = fx.preAggregations.status().find((s) => s.id === 'explica.falha')!;
    expect(status.state).toBe('failed');
    expect(status.lastError).toMatch(/falha de teste/);
    const months = await fx.source.query(`SELECT DISTINCT strftime(date_trunc('month', data_venda), '%Y-%m-%dT%H:%M:%S') m FROM gold.fato_vendas WHERE data_venda IS NOT NULL ORDER BY 1`, []);
    const all = (months.data[0] ?? []).map(String);
    expect(status.partitionDetails!.map((p) => p.partition)).toEqual(all.filter((m) => m < '2024-04'));
    expect(status.missingPartitions).toEqual(all.filter((m) => m >= '2024-04'));
    const rows = await fx.source.query(`SELECT strftime(date_trunc('month', data_venda), '%Y-%m-%dT%H:%M:%S') m, count(DISTINCT date_trunc('day', data_venda)) FROM gold.fato_vendas WHERE data_venda < TIMESTAMP '2024-04-01' GROUP BY 1 ORDER BY 1`, []);
    expect(status.partitionDetails!.map((p) => [p.partition, p.from, p.to, p.rowCount])).toEqual(
      Array.from({ length: rows.rowCount }, (_, i) => {
        const start = String(rows.data[0]![i]);
        const next = new Date(`${start}Z`);
        next.setUTCMonth(next.getUTCMonth() + 1);
        return [start, `${start}.000`, new Date(next.getTime() - 1).toISOString().slice(0, 23), Number(rows.data[1]![i])];
      }),
    );
    expect(status.partitionDetails!.every((p) => !Number.isNaN(Date.parse(p.builtAt)))).toBe(true);
  });

  it('rebuilds only the partition asked for: May is served again, June still is not', async () => {
    const may = { measures: ['explica.unidades_falham'], timeDimensions: [{ dimension: 'explica.data_venda', granularity: 'day', dateRange: ['2024-05-01', '2024-05-31'] as [string, string] }], order: { 'explica.data_venda': 'asc' as const } };
    const june = { ...may, timeDimensions: [{ ...may.timeDimensions[0]!, dateRange: ['2024-06-01', '2024-06-30'] as [string, string] }] };
    const before = fx.preAggregations.status().find((s) => s.id === 'explica.falha')!;
    const [token] = fx.preAggregations.jobs.post({ preAggregations: ['explica.falha'], partitions: ['2024-05-17'] });
    for (let i = 0; i < 200 && fx.preAggregations.jobs.get([token!])[0]!.status === 'processing'; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(fx.preAggregations.jobs.get([token!])[0]!.status).toBe('done');
    const after = fx.preAggregations.status().find((s) => s.id === 'explica.falha')!;
    expect(after.partitionDetails!.map((p) => p.partition)).toEqual([...before.partitionDetails!.map((p) => p.partition), '2024-05-01T00:00:00']);
    // The partitions not asked for keep their tables.
    expect(after.partitionDetails!.slice(0, -1).map((p) => p.table)).toEqual(before.partitionDetails!.map((p) => p.table));
    expect(after.missingPartitions).toEqual(before.missingPartitions!.filter((p) => p !== '2024-05-01T00:00:00'));

    expect((await explain(may)).servedBy).toMatchObject({ preAggregation: 'explica.falha', partitions: ['2024-05-01T00:00:00'] });
    expect(reasonsOf(await explain(june), 'explica.falha').map((r) => r.code)).toEqual(['PARTITION_NOT_BUILT']);
    const served = await loadRows(fx.engine, may);
    expect(served.rollup).toBe('explica.falha');
    const want = await fx.source.query(`SELECT strftime(date_trunc('day', data_venda), '%Y-%m-%dT%H:%M:%S.000') d, sum(quantidade) FROM gold.fato_vendas WHERE data_venda >= TIMESTAMP '2024-05-01' AND data_venda < TIMESTAMP '2024-06-01' GROUP BY 1 ORDER BY 1`, []);
    expect(served.rows.map((r) => [r['explica.data_venda.day'], Number(r['explica.unidades_falham'])])).toEqual(Array.from({ length: want.rowCount }, (_, i) => [want.data[0]![i], Number(want.data[1]![i])]));
    expect((await loadRows(fx.engine, june)).rollup).toBeUndefined();
  });

  it('refuses a partition selector it cannot honour', () => {
    const post = (selector: Parameters<typeof fx.preAggregations.jobs.post>[0]) => () => fx.preAggregations.jobs.post(selector);
    expect(post({ preAggregations: ['explica.falha'], partitions: ['maio'] })).toThrow(/must be a partition key or a local ISO date/);
    expect(post({ preAggregations: ['explica.falha'], partitions: ['2031-01-01'] })).toThrow(/has no partition 2031-01-01T00:00:00/);
    expect(post({ preAggregations: ['fato_vendas.novos_recorrentes_mes'], partitions: ['2024-05-01'] })).toThrow(/has no partitions/);
    expect(post({ partitions: ['2024-05-01'] })).toThrow(/exactly one rollup/);
  });
});
