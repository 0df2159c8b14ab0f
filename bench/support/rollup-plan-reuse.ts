/**
 * Kept DuckDB plans for rollup reads (QueryOptions.reusePlan), measured side by side in one
 * process: the preagg-bench dashboard queries through `engine.load` with `renewQuery` (so every
 * request reads the rollup), each query asked with plans kept and with the statement prepared
 * anew (the driver told to ignore `reusePlan`), in alternating order, pair after pair.
 * Usage: npx tsx bench/support/rollup-plan-reuse.ts [--dir data/bench-scale-1] [--pairs 100]
 * (the lakehouse must exist: run bench/preagg-bench.ts once, which builds it).
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../server/src/config/load-config.ts';
import { DuckDbDriver } from '../../server/src/drivers/duckdb-driver.ts';
import type { LoadResponse } from '../../server/src/engine/engine-types.ts';
import { buildStack } from '../../server/src/main.ts';
import { createLogger } from '../../server/src/observability/create-logger.ts';
import type { CubeQuery } from '../../server/src/query/query-types.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const args = new Map(process.argv.slice(2).map((a, i, all) => (a.startsWith('--') ? [a.slice(2), all[i + 1] ?? ''] : ['', ''])));
const dir = path.resolve(args.get('dir') ?? path.join(REPO, 'data/bench-scale-1'));
const pairs = Number(args.get('pairs') ?? 100);

// The "prepared anew" side: the same driver, told to ignore reusePlan.
let keepPlans = true;
const query = DuckDbDriver.prototype.query;
DuckDbDriver.prototype.query = function (sql, params, options) {
  return query.call(this, sql, params, keepPlans ? options : { ...options, reusePlan: false });
};

const month = (from: string, to: string) => ({ dimension: 'fato_vendas.data_venda', granularity: 'month', dateRange: [from, to] });
const day = (from: string, to: string) => ({ dimension: 'fato_vendas.data_venda', granularity: 'day', dateRange: [from, to] });
/** preagg-bench's dashboard. */
const DASHBOARD = [
  { measures: ['fato_vendas.vendas_liquidas', 'fato_vendas.unidades'], dimensions: ['dim_canal.nome'], timeDimensions: [day('2026-06-01', '2026-08-29')] },
  { measures: ['fato_vendas.vendas_liquidas', 'fato_vendas.descontos'], dimensions: ['dim_canal.nome'], timeDimensions: [month('2024-10-01', '2026-09-30')] },
  { measures: ['fato_vendas.pedidos', 'fato_vendas.vendas_liquidas'], dimensions: ['fato_vendas.tipo_cliente'], timeDimensions: [month('2025-01-01', '2026-08-31')] },
  { measures: ['fato_vendas.vendas_liquidas', 'fato_vendas.unidades'], dimensions: ['dim_campanha.nome'], timeDimensions: [day('2026-08-01', '2026-08-30')] },
  { measures: ['fato_vendas.vendas_brutas', 'fato_vendas.vendas_liquidas', 'fato_vendas.unidades'], timeDimensions: [{ dimension: 'fato_vendas.data_venda', dateRange: ['2025-01-01', '2025-12-31'] }] },
] as unknown as CubeQuery[];

const env = { CUBEJS_SCHEMA_PATH: path.join(REPO, 'model'), CUBEJS_DB_DUCKDB_DATABASE_PATH: path.join(dir, 'lakehouse.duckdb'), CUBEJS_DEV_MODE: 'true', CUBEJS_LOG_LEVEL: 'silent' };
const config = await loadConfig({ cwd: dir, env });
const stack = await buildStack(config, createLogger({ level: 'silent' }), { refreshWorker: false, buildConcurrency: 2, refreshIntervalMs: 60_000, queryConcurrency: 4, storePath: path.join(dir, 'preagg.duckdb') });
await stack.preAggregations!.refresher.refresh(stack.engine.currentModel());
const ctx = { securityContext: { groups: ['internal'] }, requestId: 'bench', api: 'internal' as const };
const kept: number[] = [];
const anew: number[] = [];
for (let i = 0; i < pairs; i++) {
  for (const q of DASHBOARD) {
    for (const side of i % 2 ? [true, false] : [false, true]) {
      keepPlans = side;
      const started = performance.now();
      const response: LoadResponse = await stack.engine.load({ ...q, renewQuery: true }, ctx);
      (side ? kept : anew).push(performance.now() - started);
      if (Object.keys(response.results[0]!.usedPreAggregations).length === 0) throw new Error(`not served by a rollup: ${JSON.stringify(q)}`);
    }
  }
}
const pct = (a: number[], p: number) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(a.length * p))]!;
console.log(`engine.load over rollups, ${pairs} interleaved pairs × ${DASHBOARD.length} queries:`);
console.log(`  plans kept:        p50 ${pct(kept, 0.5).toFixed(2)} ms, p95 ${pct(kept, 0.95).toFixed(2)} ms`);
console.log(`  prepared each run: p50 ${pct(anew, 0.5).toFixed(2)} ms, p95 ${pct(anew, 0.95).toFixed(2)} ms`);
console.log(`  kept ÷ anew at p50: ${(pct(kept, 0.5) / pct(anew, 0.5)).toFixed(2)}`);
await stack.close?.();
process.exit(0);
