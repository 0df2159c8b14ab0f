/**
 * Rollups from the remote engine: the model's fato_vendas pre-aggregations built from Spark (build
 * SQL compiled with the Databricks dialect, run by DatabricksDriver with the real `@databricks/sql`
 * on a live Spark Thrift Server, rows staged into a local DuckDB store) equal the same rollups
 * built from DuckDB, partition by partition and value by value, and a query served from each
 * store answers the same.
 *
 * One bronze input for both: the generator and ingestion at a small scale. DuckDB's gold is built
 * by the TypeScript runner (`transform`); Spark's gold is built inside the Thrift Server from the
 * same bronze (exported to Parquet, loaded as Delta) by the notebooks' SQL run through the driver
 * (spark-gold.ts). Runs when SPARK_THRIFT_URL names a server started with Delta
 * (scripts/test-python.d/databricks-driver-on-spark.sh).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabricksDriver } from '../../src/drivers/databricks-driver.ts';
import type { Driver } from '../../src/drivers/driver-types.ts';
import { DuckDbDriver } from '../../src/drivers/duckdb-driver.ts';
import { compileBuildQuery } from '../../src/engine/compile-build-query.ts';
import { createEngine } from '../../src/engine/create-engine.ts';
import type { SemanticEngine } from '../../src/engine/engine-types.ts';
import type { SemanticModel } from '../../src/model/model-types.ts';
import { openModel } from '../../src/model/open-model.ts';
import { openPreAggregations, type PreAggregations } from '../../src/preagg/open-pre-aggregations.ts';
import { listRollups, type RollupStatus } from '../../src/preagg/refresh-rollups.ts';
import type { CubeQuery } from '../../src/query/query-types.ts';
import type { Dialect } from '../../src/sql/dialect.ts';
import { createDatabricksDialect } from '../../src/sql/dialects/databricks/databricks-dialect.ts';
import { createDuckDbDialect } from '../../src/sql/dialects/duckdb/duckdb-dialect.ts';
import { INTERNAL_CONTEXT } from '../engine/gold-fixture.ts';
import { normalized, rowsOf } from '../support/hand-made-engine.ts';
import { REPO_MODEL_DIR } from '../support/stack.ts';
import { buildGoldOnSpark, exportBronze, loadBronzeIntoSpark } from './spark-gold.ts';
import { SPARK_TOKEN, startSparkThriftBridge, type SparkThriftBridge } from './spark-thrift-bridge.ts';

const target = process.env.SPARK_THRIFT_URL;
const ROOT = path.resolve(import.meta.dirname, '../../..');
/** Reads every member of the model (its access policies grant the `internal` group). */
const ctx = { securityContext: INTERNAL_CONTEXT, requestId: 'rollups-from-spark', api: 'internal' as const };
/**
 * Development only: a folder kept between runs; when it already holds the lakehouse, generation
 * and the Spark build are skipped (the Spark server must still hold that gold).
 */
const reuse = process.env.ROLLUPS_FROM_SPARK_REUSE;

/** One side: a source, its rollup store, and an engine that serves from that store. */
interface Side {
  readonly source: Driver;
  readonly preAggregations: PreAggregations;
  readonly engine: SemanticEngine;
  statuses: RollupStatus[];
}

async function openSide(source: Driver, dialect: Dialect, model: SemanticModel, stagingDir: string, now: Date): Promise<Side> {
  const preAggregations = await openPreAggregations({
    storePath: ':memory:', stagingDir, sourceDriver: source, sourceDialect: dialect, compileBuild: compileBuildQuery, model: () => model, now: () => now,
  });
  const engine = createEngine({ model: () => model, driver: source, dialect, matchPreAggregation: preAggregations.matcher, now: () => now });
  return { source, preAggregations, engine, statuses: [] };
}

/** A stored partition's rows (`table` is the store's quoted reference) in one text form per value (numbers to 6 decimals), sorted. */
async function partitionRows(side: Side, table: string): Promise<string[]> {
  const result = await side.preAggregations.store.storeDriver.query(`SELECT * FROM ${table}`, []);
  const rows: string[] = [];
  for (let r = 0; r < result.rowCount; r++) {
    rows.push(result.columns.map((c, i) => `${c.name}=${text(result.data[i]![r])}`).join('|'));
  }
  return rows.sort();
}

function text(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value).toFixed(6);
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return Number(value).toFixed(6);
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

function cli(args: string[]): void {
  execFileSync('npx', ['tsx', 'server/src/cli/index.ts', ...args], { cwd: ROOT, stdio: 'pipe', timeout: 300_000 });
}

describe.skipIf(!target)('rollups built from Spark equal rollups built from DuckDB', () => {
  let work: string;
  let bridge: SparkThriftBridge;
  let spark: Side;
  let duck: Side;
  let ids: string[];

  beforeAll(async () => {
    work = reuse ?? mkdtempSync(path.join(tmpdir(), 'rollups-from-spark-'));
    const lakehouse = path.join(work, 'lakehouse');
    const duckdbPath = path.join(lakehouse, 'lakehouse.duckdb');
    const built = reuse !== undefined && existsSync(duckdbPath);
    if (!built) {
      cli(['generate', '--scale', '0.002', '--seed', '7', '--lakehouse-dir', lakehouse]);
      cli(['ingest', '--lakehouse-dir', lakehouse]);
      cli(['transform', '--lakehouse-dir', lakehouse]);
    }
    bridge = await startSparkThriftBridge({ target: target! });
    const sparkDriver = await DatabricksDriver.create({ url: bridge.url, token: SPARK_TOKEN, ca: bridge.ca });
    if (!built) {
      await loadBronzeIntoSpark(sparkDriver, await exportBronze(duckdbPath, work));
      await buildGoldOnSpark(sparkDriver);
    }

    const model = (await openModel({ directory: REPO_MODEL_DIR, watch: false })).current();
    ids = listRollups(model).filter((r) => r.cube.name === 'fato_vendas').map((r) => `${r.cube.name}.${r.rollup.name}`);
    // A fixed "now" after the data, the same for both sides (every partition is built: force).
    const now = new Date('2030-01-01T00:00:00Z');
    duck = await openSide(await DuckDbDriver.open(duckdbPath), createDuckDbDialect(), model, path.join(work, 'staging-duck'), now);
    spark = await openSide(sparkDriver, createDatabricksDialect(), model, path.join(work, 'staging-spark'), now);
    for (const side of [duck, spark]) {
      await side.preAggregations.refresher.refresh(model, { force: true, only: ids });
      side.statuses = side.preAggregations.status().filter((s) => ids.includes(s.id));
    }
  }, 900_000);

  afterAll(async () => {
    for (const side of [spark, duck]) {
      await side?.preAggregations.close();
      await side?.source.close();
    }
    await bridge?.close();
    if (work && !reuse) rmSync(work, { recursive: true, force: true });
  });

  it('builds every fato_vendas rollup from Spark with the same partitions and row counts as from DuckDB', () => {
    expect(ids.length).toBeGreaterThanOrEqual(3);
    for (const side of [duck, spark]) {
      expect(side.statuses.map((s) => [s.id, s.state, s.lastError])).toEqual(ids.map((id) => [id, 'ready', undefined]));
    }
    const shape = (side: Side) => side.statuses.map((s) => ({ id: s.id, rows: s.rowCount, partitions: (s.partitionDetails ?? []).map((p) => [p.partition, p.rowCount]) }));
    expect(shape(spark)).toEqual(shape(duck));
    // Month partitions over the sample's two years, and rows in them.
    expect(duck.statuses.find((s) => s.id === 'fato_vendas.por_canal_dia')!.partitions).toBeGreaterThan(12);
    expect(duck.statuses.every((s) => s.rowCount > 10)).toBe(true);
  }, 60_000);

  it('stores the same rows in every partition, value by value', async () => {
    let compared = 0;
    for (const status of duck.statuses) {
      const other = spark.statuses.find((s) => s.id === status.id)!;
      for (const partition of status.partitionDetails ?? []) {
        const mirror = other.partitionDetails!.find((p) => p.partition === partition.partition)!;
        const [a, b] = await Promise.all([partitionRows(duck, partition.table), partitionRows(spark, mirror.table)]);
        expect(b, `${status.id} partition ${partition.partition || '(all)'}`).toEqual(a);
        compared += a.length;
      }
    }
    expect(compared).toBeGreaterThan(1000);
  }, 120_000);

  it('holds in por_canal_dia the sale lines counted by hand on the DuckDB gold', async () => {
    const byHand = await duck.source.query('SELECT count(*) AS n FROM gold.fato_vendas', []);
    const stored = duck.statuses.find((s) => s.id === 'fato_vendas.por_canal_dia')!;
    let total = 0;
    for (const p of stored.partitionDetails!) {
      const sum = await duck.preAggregations.store.storeDriver.query(`SELECT sum("fato_vendas.count") AS n FROM ${p.table}`, []);
      total += Number(sum.data[0]![0] ?? 0);
    }
    expect(total).toBe(Number(byHand.data[0]![0]));
  }, 60_000);

  const queries: { name: string; rollup: string; query: CubeQuery }[] = [
    {
      name: 'sales by channel and month',
      rollup: 'fato_vendas.por_canal_dia',
      query: { measures: ['fato_vendas.vendas_brutas', 'fato_vendas.unidades', 'fato_vendas.count'], dimensions: ['dim_canal.nome'], timeDimensions: [{ dimension: 'fato_vendas.data_venda', granularity: 'month' }], order: { 'fato_vendas.data_venda': 'asc', 'dim_canal.nome': 'asc' } },
    },
    {
      name: 'new and returning customers by month (distinct counts)',
      rollup: 'fato_vendas.novos_recorrentes_mes',
      query: { measures: ['fato_vendas.pedidos', 'fato_vendas.clientes_distintos', 'fato_vendas.vendas_liquidas'], dimensions: ['fato_vendas.tipo_cliente'], timeDimensions: [{ dimension: 'fato_vendas.data_venda', granularity: 'month' }], order: { 'fato_vendas.data_venda': 'asc', 'fato_vendas.tipo_cliente': 'asc' } },
    },
    {
      name: 'campaign sales by month in a date range (days rolled up)',
      rollup: 'fato_vendas.campanhas_dia',
      query: { measures: ['fato_vendas.vendas_liquidas', 'fato_vendas.unidades'], dimensions: ['dim_campanha.nome'], timeDimensions: [{ dimension: 'fato_vendas.data_venda', granularity: 'month', dateRange: ['2025-01-01', '2025-06-30'] }], order: { 'fato_vendas.data_venda': 'asc', 'dim_campanha.nome': 'asc' } },
    },
  ];

  for (const q of queries) {
    it(`serves ${q.name} from each store with the same answer`, async () => {
      const [fromDuck, fromSpark] = await Promise.all([duck.engine.load(q.query, ctx), spark.engine.load(q.query, ctx)]);
      for (const [label, result] of [['duckdb', fromDuck], ['spark', fromSpark]] as const) {
        expect(Object.keys(result.results[0]!.usedPreAggregations), label).toEqual([expect.stringContaining(q.rollup.split('.')[1]!)]);
      }
      const rows = normalized(rowsOf(fromSpark.results[0]!));
      expect(rows).toEqual(normalized(rowsOf(fromDuck.results[0]!)));
      expect(rows.length).toBeGreaterThan(2);
    }, 120_000);
  }
});
