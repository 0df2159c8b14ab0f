/**
 * A gold fixture (hand-built star schema, ../engine/gold-fixture.ts) served by two engines over
 * the same source: one with the rollup store, result cache and queues, one plain (source only).
 * The model is the repository's plus the gold suite's test extras plus `rollup_teste`, a cube
 * whose rollups exercise each matching rule.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbDriver } from '../../src/drivers/duckdb-driver.ts';
import { createDuckDbDialect } from '../../src/sql/dialects/duckdb/duckdb-dialect.ts';
import { createEngine } from '../../src/engine/create-engine.ts';
import type { LoadResult, SemanticEngine } from '../../src/engine/engine-types.ts';
import { compileModel, readModelFiles } from '../../src/model/compile-model.ts';
import type { SemanticModel } from '../../src/model/model-types.ts';
import { QueryOrchestrator } from '../../src/reuse/query-orchestrator.ts';
import { openPreAggregations, type PreAggregations } from '../../src/preagg/open-pre-aggregations.ts';
import { compileBuildQuery } from '../../src/engine/compile-build-query.ts';
import type { CubeQuery } from '../../src/query/query-types.ts';
import { EXTRA_MODEL, INTERNAL_CONTEXT, loadGoldDatabase } from '../engine/gold-fixture.ts';
import { NOW } from '../engine/gold-cases.ts';
import { readFile } from 'node:fs/promises';
import { STREAMING_SQL_DIR } from '../../src/lakehouse/stream/micro-batch-runner.ts';

const MODEL_DIR = path.resolve(import.meta.dirname, '../../../model');

/** Test-only cube over gold.fato_vendas with one rollup per matching rule. */
export const ROLLUP_TEST_MODEL = `
cubes:
  - name: rollup_teste
    sql_table: gold.fato_vendas
    joins:
      - { name: dim_canal, relationship: many_to_one, sql: "{CUBE}.canal_sk = {dim_canal}.canal_sk" }
    dimensions:
      - { name: venda_id, sql: venda_id, type: string, primary_key: true }
      - { name: origem, sql: origem, type: string }
      - { name: status_pedido, sql: status_pedido, type: string }
      - { name: tipo_cliente, sql: tipo_cliente, type: string }
      - { name: data_venda, sql: data_venda, type: time }
    measures:
      - { name: linhas, type: count }
      - { name: unidades, type: sum, sql: quantidade }
      - { name: preco_medio, type: avg, sql: preco_unitario }
      - { name: preco_min, type: min, sql: preco_unitario }
      - { name: preco_max, type: max, sql: preco_unitario }
      - { name: pedidos, type: count_distinct, sql: pedido_id }
      - { name: unidades_por_linha, type: number, sql: "1.0 * {unidades} / NULLIF({linhas}, 0)" }
      - { name: unidades_por_pedido, type: number, sql: "1.0 * {unidades} / NULLIF({pedidos}, 0)" }
      - { name: desconto, type: sum, sql: desconto_total }
    segments:
      - { name: online, sql: "{CUBE}.origem = 'erp'" }
    pre_aggregations:
      - name: por_origem_dia
        measures: [linhas, unidades, preco_medio, preco_min, preco_max, pedidos]
        dimensions: [origem, status_pedido, dim_canal.nome]
        time_dimension: data_venda
        granularity: day
        partition_granularity: month
      - name: online_mes
        measures: [linhas, unidades]
        dimensions: [tipo_cliente]
        segments: [online]
        time_dimension: data_venda
        granularity: month
      - name: tipo_mes_nao_estrito
        measures: [desconto]
        dimensions: [tipo_cliente]
        time_dimension: data_venda
        granularity: month
        allow_non_strict_date_range_match: true
`;

export async function loadPreaggModel(extraModel?: string): Promise<SemanticModel> {
  const files = await readModelFiles(MODEL_DIR);
  const extra = extraModel ? [{ path: 'test/extra-rollups.yml', content: extraModel }] : [];
  return compileModel([...files, { path: 'test/extras.yml', content: EXTRA_MODEL }, { path: 'test/rollups.yml', content: ROLLUP_TEST_MODEL }, ...extra]);
}

export interface PreaggFixture {
  readonly instance: DuckDBInstance;
  readonly source: DuckDbDriver;
  readonly model: SemanticModel;
  readonly preAggregations: PreAggregations;
  readonly orchestrator: QueryOrchestrator;
  /** Rollups, cache and queues. */
  readonly engine: SemanticEngine;
  /** The same source without rollups, cache or queues. */
  readonly plain: SemanticEngine;
  readonly storePath: string;
  close(): Promise<void>;
}

export interface FixtureOptions {
  readonly storePath?: string;
  readonly stagingDir?: string;
  readonly instance?: DuckDBInstance;
  /** More model YAML (cubes a single suite needs). */
  readonly extraModel?: string;
}

export async function openPreaggFixture(options: FixtureOptions = {}): Promise<PreaggFixture> {
  const instance = options.instance ?? (await loadGoldDatabase());
  await createStreamingTables(instance);
  const source = DuckDbDriver.fromInstance(instance);
  const model = await loadPreaggModel(options.extraModel);
  const dialect = createDuckDbDialect();
  const orchestrator = new QueryOrchestrator({ queue: { concurrency: 4, executionTimeoutMs: 60_000 }, cache: { maxEntries: 1000, ttlMs: 600_000 }, now: () => NOW.getTime() });
  const storePath = options.storePath ?? path.join(await mkdtemp(path.join(os.tmpdir(), 'preagg-test-')), 'preagg.duckdb');
  const preAggregations = await openPreAggregations({ storePath, stagingDir: options.stagingDir, sourceDriver: source, sourceDialect: dialect, compileBuild: compileBuildQuery, orchestrator, model: () => model, concurrency: 2, now: () => NOW });
  const engine = createEngine({ model, driver: source, dialect, now: () => NOW, orchestrator, matchPreAggregation: preAggregations.matcher });
  const plain = createEngine({ model, driver: source, dialect, now: () => NOW });
  return {
    instance, source, model, preAggregations, orchestrator, engine, plain, storePath,
    async close() {
      await preAggregations.close();
      await source.close();
    },
  };
}

/**
 * The hand-built gold fixture has no streaming tables; the model's campaign cube has a scheduled
 * rollup over one, so its tables are created as the pipeline creates them, with one minute of
 * data (an empty source leaves that rollup `never_built`, which the suites read as a failure).
 */
async function createStreamingTables(instance: DuckDBInstance): Promise<void> {
  const connection = await instance.connect();
  try {
    await connection.run(await readFile(path.join(STREAMING_SQL_DIR, '00_tables.sql'), 'utf8'));
    await connection.run(`INSERT INTO gold.campanha_metricas_minuto
      SELECT '2024-05-01 10:00:00|google|cpc|maes2024', TIMESTAMP '2024-05-01 10:00:00', 20240501, 'google', 'cpc', 'maes2024',
        3, 2, 2, 1, 1, 1, 5, 4, 2, 0, 1, 1, 59.80, TIMESTAMP '2024-05-01 10:00:05'
      WHERE NOT EXISTS (SELECT 1 FROM gold.campanha_metricas_minuto)`);
  } finally {
    connection.closeSync();
  }
}

export const ctx = { securityContext: INTERNAL_CONTEXT, requestId: 'preagg', api: 'internal' as const };

/** Loads one query; returns its rows (objects) and the rollup that served it (or undefined). */
export async function loadRows(engine: SemanticEngine, query: CubeQuery): Promise<{ rows: Record<string, unknown>[]; rollup: string | undefined; result: LoadResult }> {
  const result = (await engine.load(query, ctx)).results[0]!;
  const rows = Array.from({ length: result.rowCount }, (_, r) => Object.fromEntries(result.columns.map((c, i) => [c.name, result.data[i]![r]])));
  return { rows, rollup: Object.keys(result.usedPreAggregations)[0], result };
}
