/**
 * Writes the Databricks conformance cases as JSON for the Spark suite
 * (notebooks/tests/test_dialect_conformance.py): every query compiled by the real engine twice,
 * once with the Databricks dialect (run by Spark SQL) and once with the DuckDB dialect (run by
 * DuckDB over the same gold), so the suite compares the two engines on identical data.
 *
 * Cases: the gold query suite (gold-cases.ts over model/ + its test extras), a few queries aimed
 * at where engines differ (time zones, calendar buckets, ratios, every fact measure), the rollup builds of
 * model/ as shipped (the partition listing, the whole build and one build per partition key given with
 * `--partitions`; the same compile path as preagg/refresh-rollups.ts) and the Cube corpus cases
 * (fixtures/cube-corpus.ts). Each case carries the SQL, its parameters, the result columns whose
 * measure is approximate (HyperLogLog) and the ORDER BY columns, so row order is checked where the
 * query fixes it.
 *
 * Usage: npx tsx server/test/sql/export-databricks-conformance.ts --out cases.json
 *          [--partitions keys.json]   ({"<cube>.<rollup>": ["2024-01-01T00:00:00", ...]})
 *          [--corpus-db corpus.duckdb] (also writes the corpus tables, typed, into a DuckDB file)
 *          [--events events.json]      (also writes site/app events from the project's generator)
 * Not a committed artefact: the suite runs it at test time, so it always reflects the code.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createEngine } from '../../src/engine/create-engine.ts';
import type { RequestContext, SemanticEngine } from '../../src/engine/engine-types.ts';
import { compileQuery } from '../../src/engine/compile-query.ts';
import type { Driver } from '../../src/drivers/driver-types.ts';
import type { Dialect } from '../../src/sql/dialect.ts';
import { createDuckDbDialect } from '../../src/sql/dialects/duckdb/duckdb-dialect.ts';
import { createDatabricksDialect } from '../../src/sql/dialects/databricks/databricks-dialect.ts';
import type { SemanticModel } from '../../src/model/model-types.ts';
import { loadModel } from '../../src/model/compile-model.ts';
import type { CubeQuery } from '../../src/query/query-types.ts';
import { normalizeQuery } from '../../src/query/normalize-query.ts';
import { listRollups } from '../../src/preagg/refresh-rollups.ts';
import { partitionRange } from '../../src/preagg/refresh-schedule.ts';
import { isStandardGranularity } from '../../src/preagg/granularity-math.ts';
import { modelForRollupBuild, rollupBuildQuery } from '../../src/preagg/rollup-build-query.ts';
import { CASES, ctx as goldContext, NOW as GOLD_NOW } from '../engine/gold-cases.ts';
import { loadGoldModel } from '../engine/gold-fixture.ts';
import { buildCorpusDatabase, loadCorpusCases, loadCorpusModel } from '../fixtures/cube-corpus.ts';
import { EventGenerator } from '../../src/lakehouse/stream/event-generator.ts';

/** One statement in one dialect, as the driver would receive it. */
export interface DialectSql {
  readonly sql: string;
  readonly params: readonly unknown[];
}

export interface ConformanceCase {
  readonly name: string;
  readonly kind: 'gold' | 'edge' | 'rollup-partitions' | 'rollup-build' | 'corpus';
  readonly databricks: DialectSql;
  readonly duckdb: DialectSql;
  /** Result columns (SQL aliases) holding approximate measures: compared within a tolerance. */
  readonly approx: readonly string[];
  /** ORDER BY of the query as result columns: the rows' order on these must agree. */
  readonly orderBy: readonly { readonly column: string; readonly desc: boolean }[];
  /** Names of the source tables a case needs (the suite skips it, saying so, when a table is absent). */
  readonly tables: readonly string[];
}

const MODEL_DIR = path.resolve(import.meta.dirname, '../../../model');
const CORPUS_TABLES = ['customers', 'products', 'ecommerce', 'bigecommerce', 'retailcalendar'];
const DIALECTS = { databricks: createDatabricksDialect(), duckdb: createDuckDbDialect() } as const;
/** Builds read every group (source-query-runner.ts). */
const NO_LIMIT = 2 ** 31 - 1;
/** The corpus' relative date ranges resolve against this instant (as in the golden SQL suite). */
const CORPUS_NOW = new Date('2024-05-15T12:00:00Z');

/** Site/app events for the streaming gold (campanha_metricas_minuto, the source of a rollup): one every 10 s from here. */
const EVENTS_START = Date.parse('2024-06-15T10:00:00Z');
const EVENTS_COUNT = 900;

/** The engine only compiles here: any attempt to run SQL is a bug of this exporter. */
const NO_DRIVER: Driver = {
  name: 'none',
  query: () => Promise.reject(new Error('the conformance exporter never runs SQL')),
  testConnection: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

function engineFor(model: SemanticModel, dialect: Dialect, now: Date): SemanticEngine {
  return createEngine({ model, driver: NO_DRIVER, dialect, now: () => now, compileCacheSize: 0 });
}

/** Measures whose value is an estimate (HyperLogLog): `count_distinct_approx`, or named so in Cube's corpus. */
function isApprox(model: SemanticModel, member: string): boolean {
  const [cube, name] = member.split('.');
  const measure = cube && name ? model.cubes[cube]?.measures[name] : undefined;
  return measure?.type === 'count_distinct_approx' || /countApprox/i.test(member);
}

/** Source tables named in SQL text: `gold.<table>`, or a corpus table after FROM/JOIN. */
function tablesIn(sql: string): string[] {
  const found = new Set([...sql.matchAll(/\bgold\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => `gold.${m[1]}`));
  for (const m of sql.matchAll(/\b(?:FROM|JOIN)\s+([a-z]+)\b/g)) if (CORPUS_TABLES.includes(m[1]!)) found.add(m[1]!);
  return [...found].sort();
}

/** A request's SQL through every stage of the engine (`/v1/sql`): one entry per query it runs. */
async function requestCases(name: string, kind: ConformanceCase['kind'], model: SemanticModel, query: CubeQuery, context: RequestContext, now: Date): Promise<ConformanceCase[]> {
  const [databricks, duckdb] = await Promise.all([DIALECTS.databricks, DIALECTS.duckdb].map((d) => engineFor(model, d, now).sql(query, context)));
  return duckdb!.map((response, i) => {
    const other = databricks![i]!;
    const byMember = new Map(Object.entries(response.aliasNameToMember).map(([alias, member]) => [member, alias]));
    const aliases = Object.keys(response.aliasNameToMember);
    return {
      name: duckdb!.length > 1 ? `${name} [${i + 1}/${duckdb!.length}]` : name,
      kind,
      databricks: { sql: other.sql[0], params: other.sql[1] },
      duckdb: { sql: response.sql[0], params: response.sql[1] },
      approx: aliases.filter((a) => isApprox(model, response.aliasNameToMember[a]!)),
      orderBy: response.order.map((o) => ({ column: aliases.includes(o.id) ? o.id : (byMember.get(o.id) ?? o.id), desc: o.desc })),
      tables: tablesIn(response.sql[0]),
    };
  });
}

/** A rollup build's query as preagg/ compiles it: the build model, no row limit, no caller. */
function buildCase(name: string, kind: ConformanceCase['kind'], model: SemanticModel, query: CubeQuery): ConformanceCase {
  const normalized = normalizeQuery(model, query, { now: GOLD_NOW, maxLimit: NO_LIMIT, defaultLimit: NO_LIMIT });
  const [databricks, duckdb] = [DIALECTS.databricks, DIALECTS.duckdb].map((d) => compileQuery(model, normalized, d));
  return {
    name,
    kind,
    databricks: databricks!.sql,
    duckdb: duckdb!.sql,
    approx: duckdb!.plan.outputs.filter((o) => o.kind === 'measure' && o.member.type === 'count_distinct_approx').map((o) => o.sqlAlias),
    orderBy: duckdb!.plan.order.map((o) => ({ column: o.sqlAlias, desc: o.direction === 'desc' })),
    tables: tablesIn(duckdb!.sql.sql),
  };
}

const range = (dimension: string, granularity: string, from: string, to: string) => [{ dimension, granularity, dateRange: [from, to] as [string, string] }];

/**
 * Queries aimed at where engines differ, over the gold model: local time across daylight-saving
 * changes and at a half-hour offset, every calendar bucket, the model's ratios, a rolling window in
 * local time, and every measure of the fact cube.
 */
function edgeQueries(model: SemanticModel): { name: string; query: CubeQuery }[] {
  const all = Object.keys(model.cubes['fato_vendas']!.measures).map((m) => `fato_vendas.${m}`);
  return [
    { name: 'day buckets in America/New_York across the end of daylight saving', query: { measures: ['fato_vendas.count', 'fato_vendas.vendas_liquidas'], timeDimensions: range('fato_vendas.data_venda', 'day', '2024-10-20', '2024-11-20'), timezone: 'America/New_York' } },
    { name: 'hour buckets in Europe/Berlin across the start of daylight saving', query: { measures: ['fato_vendas.count'], timeDimensions: range('fato_vendas.data_venda', 'hour', '2025-03-20', '2025-04-10'), timezone: 'Europe/Berlin' } },
    { name: 'week buckets in Asia/Kolkata (half-hour offset)', query: { measures: ['fato_vendas.pedidos', 'fato_vendas.unidades'], timeDimensions: range('fato_vendas.data_venda', 'week', '2024-01-01', '2026-12-31'), timezone: 'Asia/Kolkata' } },
    { name: 'quarter buckets by channel type in Pacific/Auckland', query: { measures: ['fato_vendas.vendas_brutas'], timeDimensions: range('fato_vendas.data_venda', 'quarter', '2024-01-01', '2026-12-31'), dimensions: ['dim_canal.tipo'], timezone: 'Pacific/Auckland' } },
    { name: 'ratios by month (ticket_medio, unidades_por_pedido, taxa_devolucao)', query: { measures: ['fato_vendas.ticket_medio', 'fato_vendas.unidades_por_pedido', 'fato_vendas.taxa_devolucao'], timeDimensions: range('fato_vendas.data_venda', 'month', '2024-01-01', '2026-12-31') } },
    { name: 'rolling 7-day units by day in America/Sao_Paulo', query: { measures: ['vendas_teste.unidades_7d', 'vendas_teste.unidades_ytd'], timeDimensions: range('vendas_teste.data_venda', 'day', '2025-01-01', '2025-02-28'), timezone: 'America/Sao_Paulo' } },
    { name: 'average, min and max price by month and store region', query: { measures: ['vendas_teste.preco_medio', 'vendas_teste.preco_min', 'vendas_teste.preco_max'], dimensions: ['dim_loja.regiao'], timeDimensions: range('vendas_teste.data_venda', 'month', '2024-01-01', '2026-12-31') } },
    { name: 'every fato_vendas measure by channel', query: { measures: all, dimensions: ['dim_canal.nome'] } },
  ];
}

async function goldCases(): Promise<ConformanceCase[]> {
  const model = await loadGoldModel();
  const out: ConformanceCase[] = [];
  for (const c of CASES) out.push(...(await requestCases(`gold: ${c.name}`, 'gold', model, c.query, goldContext, GOLD_NOW)));
  for (const e of edgeQueries(model)) out.push(...(await requestCases(`edge: ${e.name}`, 'edge', model, e.query, goldContext, GOLD_NOW)));
  return out;
}

function rollupCases(model: SemanticModel, partitions: Readonly<Record<string, readonly string[]>>): ConformanceCase[] {
  const out: ConformanceCase[] = [];
  for (const { cube, rollup } of listRollups(model)) {
    const id = `${cube.name}.${rollup.name}`;
    const buildModel = modelForRollupBuild(model, cube, rollup);
    const granularity = rollup.partitionGranularity;
    const td = rollup.timeDimensions[0];
    if (granularity && isStandardGranularity(granularity) && td) {
      // The query refresh-rollups.ts runs to find the partitions with data.
      out.push(buildCase(`rollup ${id}: partition keys`, 'rollup-partitions', model, { timeDimensions: [{ dimension: td.dimension, granularity }], timezone: rollup.refreshKey?.timezone ?? 'UTC', order: [] }));
      for (const key of partitions[id] ?? []) {
        out.push(buildCase(`rollup ${id}: partition ${key}`, 'rollup-build', buildModel, rollupBuildQuery(cube, rollup, partitionRange(key, granularity))));
      }
    }
    out.push(buildCase(`rollup ${id}: whole build`, 'rollup-build', buildModel, rollupBuildQuery(cube, rollup)));
  }
  return out;
}

async function corpusCases(): Promise<{ cases: ConformanceCase[]; notCompiled: string[] }> {
  const model = await loadCorpusModel();
  const context: RequestContext = { securityContext: {}, requestId: 'conformance', api: 'internal' };
  const cases: ConformanceCase[] = [];
  const notCompiled: string[] = [];
  for (const c of loadCorpusCases().cases) {
    if (c.expectsErrorMatching || !(c.runsIn.baseline || c.runsIn.tesseract)) continue;
    try {
      cases.push(...(await requestCases(`corpus: ${c.name}`, 'corpus', model, c.query as CubeQuery, context, CORPUS_NOW)));
    } catch (error) {
      notCompiled.push(`${c.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { cases, notCompiled };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' }, partitions: { type: 'string' }, 'corpus-db': { type: 'string' }, events: { type: 'string' } } });
  if (!values.out) throw new Error('--out <file.json> is required');
  // The corpus tables typed by the one loader every corpus suite uses, for the suite to copy to Spark.
  if (values['corpus-db']) await buildCorpusDatabase(values['corpus-db']);
  // The project's own event generator on a fixed clock, for the suite to run notebooks/sql/streaming.
  if (values.events) {
    let tick = 0;
    const generator = new EventGenerator({ seed: 15, now: () => EVENTS_START + 10_000 * tick++ });
    writeFileSync(values.events, JSON.stringify(generator.take(EVENTS_COUNT)));
  }
  const partitions = values.partitions ? (JSON.parse(readFileSync(values.partitions, 'utf8')) as Record<string, string[]>) : {};
  const gold = await goldCases();
  const rollups = rollupCases(await loadModel(MODEL_DIR), partitions);
  const corpus = await corpusCases();
  writeFileSync(values.out, JSON.stringify({ cases: [...gold, ...rollups, ...corpus.cases], corpusNotCompiled: corpus.notCompiled }, null, 1));
}

await main();
