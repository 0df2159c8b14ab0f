/**
 * A gold fixture (hand-built star schema, ../engine/gold-fixture.ts) served by two stacks
 * (support/stack.ts) over the same source file at the gold suites' fixed "now": one with the
 * rollup store, result cache and queues, one without rollups. The model is the repository's plus
 * the gold suite's test extras plus `rollup_teste`, a cube whose rollups exercise each matching rule.
 */
import path from 'node:path';
import type { Driver } from '../../src/drivers/driver-types.ts';
import type { LoadResult, SemanticEngine } from '../../src/engine/engine-types.ts';
import type { SemanticModel } from '../../src/model/model-types.ts';
import type { QueryOrchestrator } from '../../src/reuse/query-orchestrator.ts';
import type { PreAggregations } from '../../src/preagg/open-pre-aggregations.ts';
import type { CubeQuery } from '../../src/query/query-types.ts';
import { INTERNAL_CONTEXT } from '../engine/gold-fixture.ts';
import { NOW } from '../engine/gold-cases.ts';
import { GOLD_EXTRA_FILES, goldWithStreamingSql, REPO_MODEL_DIR, startStack, type Stack } from '../support/stack.ts';

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
      - name: sao_paulo_hora
        measures: [unidades, desconto]
        time_dimension: data_venda
        granularity: hour
        refresh_key: { every: 1 hour, timezone: America/Sao_Paulo }
`;

/** The model's files beside model/: the gold suites' extras, `rollup_teste`, and a suite's own YAML. */
function modelFiles(extraModel?: string): Record<string, string> {
  return { ...GOLD_EXTRA_FILES, 'cubes/zz_rollups.yml': ROLLUP_TEST_MODEL, ...(extraModel ? { 'cubes/zz_extra_rollups.yml': extraModel } : {}) };
}

export interface PreaggFixture {
  /** The stack with rollups, result cache and queues (support/stack.ts). */
  readonly stack: Stack;
  readonly source: Driver;
  readonly model: SemanticModel;
  readonly preAggregations: PreAggregations;
  readonly orchestrator: QueryOrchestrator;
  /** Rollups, cache and queues. */
  readonly engine: SemanticEngine;
  /** The same source and model without rollups (a second stack over the same file). */
  readonly plain: SemanticEngine;
  readonly storePath: string;
  /** The source DuckDB file (a second fixture can open the same data). */
  readonly duckdbPath: string;
  close(): Promise<void>;
}

export interface FixtureOptions {
  readonly storePath?: string;
  readonly stagingDir?: string;
  /** Open this source file instead of writing a fresh gold file. */
  readonly duckdbPath?: string;
  /** More model YAML (cubes a single suite needs). */
  readonly extraModel?: string;
}

/** Two stacks over one gold file, both at the gold suites' fixed "now" (gold-cases.ts NOW). */
export async function openPreaggFixture(options: FixtureOptions = {}): Promise<PreaggFixture> {
  const data = options.duckdbPath ? { duckdbPath: options.duckdbPath } : { sql: await goldWithCampaignMinuteSql() };
  const files = modelFiles(options.extraModel);
  const stack = await startStack({ data, model: { dir: REPO_MODEL_DIR, files }, preaggs: { storePath: options.storePath, stagingDir: options.stagingDir }, now: () => NOW });
  let plainStack: Stack;
  try {
    plainStack = await startStack({ data: { duckdbPath: stack.duckdbPath }, model: { dir: REPO_MODEL_DIR, files }, now: () => NOW });
  } catch (error) {
    await stack.close();
    throw error;
  }
  return {
    stack, source: stack.driver, model: stack.engine.currentModel(), preAggregations: stack.preAggregations!, orchestrator: stack.orchestrator,
    engine: stack.engine, plain: plainStack.engine, storePath: options.storePath ?? path.join(stack.dir, 'preagg.duckdb'), duckdbPath: stack.duckdbPath,
    async close() {
      await plainStack.close();
      await stack.close();
    },
  };
}

/**
 * The hand-built gold fixture has no streaming tables; the model's campaign cube has a scheduled
 * rollup over one, so its tables are created as the pipeline creates them, with one minute of
 * data (an empty source leaves that rollup `never_built`, which the suites read as a failure).
 */
async function goldWithCampaignMinuteSql(): Promise<string> {
  return `${await goldWithStreamingSql()}
INSERT INTO gold.campanha_metricas_minuto
  SELECT '2024-05-01 10:00:00|google|cpc|maes2024', TIMESTAMP '2024-05-01 10:00:00', 20240501, 'google', 'cpc', 'maes2024',
    3, 2, 2, 1, 1, 1, 5, 4, 2, 0, 1, 1, 59.80, TIMESTAMP '2024-05-01 10:00:05';`;
}

export const ctx = { securityContext: INTERNAL_CONTEXT, requestId: 'preagg', api: 'internal' as const };

/** Loads one query; returns its rows (objects) and the rollup that served it (or undefined). */
export async function loadRows(engine: SemanticEngine, query: CubeQuery): Promise<{ rows: Record<string, unknown>[]; rollup: string | undefined; result: LoadResult }> {
  const result = (await engine.load(query, ctx)).results[0]!;
  const rows = Array.from({ length: result.rowCount }, (_, r) => Object.fromEntries(result.columns.map((c, i) => [c.name, result.data[i]![r]])));
  return { rows, rollup: Object.keys(result.usedPreAggregations)[0], result };
}
