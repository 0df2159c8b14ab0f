/**
 * SQL API catalog benchmark (issue 10): what a login costs when its caller's access policies
 * give a set of visible members nobody used before, and what a model hot reload costs, with the
 * largest event-loop stall of this process (the server's) during each (perf_hooks
 * monitorEventLoopDelay, 10 ms resolution, reset before each measured step).
 *  1. first-login: `--sets` logins (SCRAM, real `pg` client), each with a new set of visible
 *     members over the repository's model (model/: 11 tables, ≈ 200 columns); each set hides one
 *     table and a quarter of the other columns. Timed: connect (startup + auth + catalog chosen),
 *     then the first catalog statement (psql's `\dt` query), then information_schema.columns.
 *     Target: connect + first statement ≤ 200 ms, stall ≤ 50 ms;
 *  2. hot-reload: the model's version changes (`--reloads` times); the next login waits for the
 *     catalog of the new version. Timed: that login's connect + first statement, and the stall.
 * Every answer is checked: the hidden table and columns are absent, the visible ones present.
 * Usage: npx tsx bench/sql-catalog-bench.ts [--sets 12] [--reloads 3] [--only first-login|hot-reload]
 */
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import pg from 'pg';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadModel } from '../server/src/model/compile-model.ts';
import type { SemanticModel } from '../server/src/model/model-types.ts';
import { DuckDbDriver } from '../server/src/drivers/duckdb-driver.ts';
import { createDuckDbDialect } from '../server/src/sql/dialects/duckdb/duckdb-dialect.ts';
import { createEngine } from '../server/src/engine/create-engine.ts';
import type { SemanticEngine } from '../server/src/engine/engine-types.ts';
import type { MemberVisibilityMask } from '../server/src/security/member-visibility.ts';
import { startSqlServer } from '../server/src/api/sql/start-sql-server.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const sets = Number(args.get('sets') ?? 12);
const reloads = Number(args.get('reloads') ?? 3);
const only = args.get('only');

const DT_QUERY = `SELECT n.nspname as "Schema", c.relname as "Name" FROM pg_catalog.pg_class c
  LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r','p','') AND n.nspname <> 'pg_catalog' AND n.nspname !~ '^pg_toast' AND n.nspname <> 'information_schema'
    AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 1,2`;
const COLUMNS_QUERY = `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'`;

/** A deterministic hash in [0, 1) of a string. */
function unit(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0) / 2 ** 32;
}

function memberPaths(model: SemanticModel): { table: string; path: string; name: string }[] {
  const out: { table: string; path: string; name: string }[] = [];
  for (const cube of Object.values(model.cubes)) {
    if (!cube.public) continue;
    for (const m of [...Object.values(cube.measures), ...Object.values(cube.dimensions), ...Object.values(cube.segments)]) if (m.public) out.push({ table: cube.name, path: m.path, name: m.name });
  }
  for (const view of Object.values(model.views)) if (view.public) for (const m of Object.values(view.members)) out.push({ table: view.name, path: m.path, name: m.name });
  return out;
}

/** Set `n` hides every member of one table and a quarter of the others' (set -1 hides nothing). */
function hiddenOf(model: SemanticModel, n: number): { tables: Set<string>; members: Set<string> } {
  if (n < 0) return { tables: new Set(), members: new Set() };
  const members = memberPaths(model);
  const names = [...new Set(members.map((m) => m.table))].sort();
  const table = names[n % names.length]!;
  const hidden = new Set(members.filter((m) => m.table === table || unit(`${n}:${m.path}`) < 0.25).map((m) => m.path));
  return { tables: new Set([table]), members: hidden };
}

function maskOf(model: SemanticModel, n: number): MemberVisibilityMask {
  const { members } = hiddenOf(model, n);
  return { key: n < 0 ? '*' : `bench-set-${n}`, isVisible: (path) => !members.has(path) };
}

const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
/** Runs a step and returns its duration and the largest event-loop delay seen while it ran. */
async function measured<T>(step: () => Promise<T>): Promise<{ value: T; ms: number; stallMs: number }> {
  delay.reset();
  const t = performance.now();
  const value = await step();
  const ms = performance.now() - t;
  await new Promise((resolve) => setTimeout(resolve, 20)); // let the monitor's timer record a stall at the very end
  return { value, ms, stallMs: delay.max / 1e6 };
}

async function main(): Promise<void> {
  let model = await loadModel(fileURLToPath(new URL('../model', import.meta.url)));
  const instance = await DuckDBInstance.create(':memory:');
  const driver = DuckDbDriver.fromInstance(instance);
  const engine = createEngine({ model, driver, dialect: createDuckDbDialect() });
  // The catalog asks the engine which members a caller sees; here a set number in the security context decides.
  const benchEngine: SemanticEngine = { ...engine, visibleMembers: async (ctx, m) => maskOf(m ?? model, Number(ctx.securityContext.set)) };
  const server = await startSqlServer({
    port: 0,
    host: '127.0.0.1',
    engine: benchEngine,
    getModel: () => model,
    checkSqlAuth: (user) => ({ password: 'bench', securityContext: { set: user === 'everything' ? -1 : Number(user.replace('set', '')) } }),
  });
  const login = async (user: string, check: (m: SemanticModel) => { tables: Set<string>; members: Set<string> }) => {
    const client = new pg.Client({ host: '127.0.0.1', port: server.port, user, password: 'bench', database: 'db' });
    const t0 = performance.now();
    await client.connect();
    const connectMs = performance.now() - t0;
    const dt = await client.query(DT_QUERY);
    const firstMs = performance.now() - t0;
    const columns = await client.query(COLUMNS_QUERY);
    const secondMs = performance.now() - t0;
    await client.end();
    const hidden = check(model);
    const listed = new Set(dt.rows.map((r: { Name: string }) => r.Name));
    for (const table of hidden.tables) if (listed.has(table)) throw new Error(`${user}: hidden table ${table} listed by \\dt`);
    const expectedColumns = memberPaths(model).filter((m) => !hidden.members.has(m.path)).length;
    const gotColumns = columns.rows.filter((r: { column_name: string }) => r.column_name !== '__cubeJoinField').length;
    if (gotColumns !== expectedColumns) throw new Error(`${user}: information_schema lists ${gotColumns} columns, expected ${expectedColumns}`);
    return { connectMs, firstMs, secondMs };
  };
  const fmt = (x: number) => x.toFixed(1).padStart(8);
  try {
    const warm = await measured(() => login('everything', (m) => hiddenOf(m, -1)));
    console.log(`warm-up login (sees everything): ${warm.ms.toFixed(0)} ms, stall ${warm.stallMs.toFixed(0)} ms`);
    if (!only || only === 'first-login') {
      console.log(`first login of ${sets} new sets of visible members (ms):`);
      console.log('   set  connect  +\\dt query  +columns   stall');
      const totals: number[] = [];
      const stalls: number[] = [];
      for (let n = 0; n < sets; n++) {
        const r = await measured(() => login(`set${n}`, (m) => hiddenOf(m, n)));
        totals.push(r.value.firstMs);
        stalls.push(r.stallMs);
        console.log(`${String(n).padStart(6)}${fmt(r.value.connectMs)}${fmt(r.value.firstMs)}${fmt(r.value.secondMs)}${fmt(r.stallMs)}`);
      }
      const sorted = [...totals].sort((a, b) => a - b);
      console.log(`connect + first statement: median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms (target ≤ 200 ms); largest stall ${Math.max(...stalls).toFixed(1)} ms (target ≤ 50 ms)`);
    }
    if (!only || only === 'hot-reload') {
      for (let k = 1; k <= reloads; k++) {
        const base = model;
        model = { ...base, version: `${base.version}-reload-${k}` };
        const r = await measured(() => login(`set${k}`, (m) => hiddenOf(m, k)));
        console.log(`hot reload ${k}: first login after the model changed ${r.value.firstMs.toFixed(0)} ms (connect ${r.value.connectMs.toFixed(0)} ms), stall ${r.stallMs.toFixed(1)} ms`);
      }
    }
    console.log(`load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} cores; RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
  } finally {
    await server.close();
    await driver.close();
  }
}

await main();
