/**
 * SQL API with Power BI on the scale-1 lakehouse (issue 10), the server in a child process
 * (`support/bi-bench-server.ts`: REST + SQL API wired as main.ts wires them, pre-aggregations on)
 * so its memory is read from outside (/proc/<pid>/status: VmRSS polled every 50 ms, VmHWM reset
 * through /proc/<pid>/clear_refs at the start of each phase). The clients run in this process.
 *  1. import: the `vendas` view as Power BI's Import sends it (`select "$Table"."c" as "c", … from
 *     "public"."vendas" "$Table"`, every column), first with a folded date filter (about a quarter
 *     of the rows), then whole, so the memory of two sizes can be compared; read by node-postgres
 *     row by row (text values, nothing kept): rows and Σ preco_unitario against SQL written by hand
 *     over the gold file (fato_vendas LEFT JOIN its six dimensions, the view's many_to_one joins),
 *     wall time, first row, rows/s, the engine calls, the server's RSS before and its peak during;
 *  2. dashboard mix (`support/bi-dashboard-queries.ts`): each visual as REST /load JSON, as Power
 *     BI's nested DirectQuery SQL (extended protocol, text values), and as that SQL's grouping
 *     level alone (without the outer `not "_"."a0" is null` level, to tell the levels' costs
 *     apart); the three in rotating order, `--rounds` rounds per visual, median and p95, SQL ÷ REST
 *     per visual and for the mix (sum of medians; target ≤ 1.15×). Twice: every request a
 *     result-cache miss answered by a rollup, then the same request repeated (cache hits).
 *     Checked first: the SQL rows equal the REST rows; REST's `usedPreAggregations` and the SQL
 *     API's engine calls (recorded in the server) name a rollup — counted again over every round.
 * Usage: npx tsx bench/sql-api-bi-bench.ts [--dir data/bench-scale-1] [--rounds 30] [--only import|mix]
 * The lakehouse is built once into --dir with the project's CLI (`cli build --scale 1`) and reused.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { DuckDBInstance } from '@duckdb/node-api';
import { DASHBOARD_QUERIES } from './support/bi-dashboard-queries.ts';
import type { EngineCall } from '../server/test/sql-api/support/record-engine-calls.ts';
import { CONTINUE_WAIT_BODY, untilAnswered } from './support/until-answered.ts';

const REPO = path.resolve(import.meta.dirname, '..');
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const dir = path.resolve(args.get('dir') ?? path.join(REPO, 'data/bench-scale-1'));
const rounds = Number(args.get('rounds') ?? 30);
const only = args.get('only');
const duckdbPath = path.join(dir, 'lakehouse.duckdb');
const SQL_USER = 'bi';
const SQL_PASSWORD = 'bi-bench';

const mib = (kb: number) => `${(kb / 1024).toFixed(0)} MiB`;
const pct = (values: readonly number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

/** VmRSS and VmHWM of a process, in kB. */
function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

/** Peak RSS of `pid` over a phase: VmHWM reset at the start, VmRSS also polled (kB). */
function watchMemory(pid: number): { stop(): { before: number; peak: number } } {
  const before = memoryOf(pid).rss;
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
  let polled = before;
  const timer = setInterval(() => (polled = Math.max(polled, memoryOf(pid).rss)), 50);
  return {
    stop() {
      clearInterval(timer);
      return { before, peak: Math.max(polled, memoryOf(pid).hwm) };
    },
  };
}

function ensureLakehouse(): void {
  if (existsSync(duckdbPath)) return;
  console.log(`building the scale-1 lakehouse in ${dir} (npm run cli -- build --scale 1 --lakehouse-dir ${path.relative(REPO, dir)}) …`);
  const t0 = performance.now();
  execFileSync(process.execPath, ['--import', 'tsx', path.join(REPO, 'server/src/cli/index.ts'), 'build', '--scale', '1', '--lakehouse-dir', dir], { stdio: 'inherit', cwd: REPO });
  console.log(`lakehouse built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** The imports measured: a part of the view first (Power Query's date filter folded into WHERE), then the whole view. */
const IMPORTS = [
  { label: 'sales before 2025-04-01 (a Power Query date filter)', before: '2025-04-01' },
  { label: 'the whole view', before: undefined },
] as const;

interface ImportFigures {
  readonly rows: number;
  readonly priceSum: number;
}

/**
 * The independent figures for each import, by hand over the gold file before the server opens it:
 * fato_vendas LEFT JOIN its six dimensions (the view's many_to_one joins), row count and Σ preco_unitario.
 */
async function handImportFigures(): Promise<{ facts: number; imports: ImportFigures[] }> {
  const instance = await DuckDBInstance.create(duckdbPath, { access_mode: 'READ_ONLY' });
  const c = await instance.connect();
  try {
    const imports: ImportFigures[] = [];
    for (const { before } of IMPORTS) {
      const row = (await c.runAndReadAll(`SELECT count(*), sum(f.preco_unitario)
        FROM gold.fato_vendas f
        LEFT JOIN gold.dim_cliente cl ON f.cliente_sk = cl.cliente_sk
        LEFT JOIN gold.dim_produto p ON f.produto_sk = p.produto_sk
        LEFT JOIN gold.dim_tempo t ON f.data_sk = t.data_sk
        LEFT JOIN gold.dim_loja l ON f.loja_sk = l.loja_sk
        LEFT JOIN gold.dim_canal ca ON f.canal_sk = ca.canal_sk
        LEFT JOIN gold.dim_campanha cp ON f.campanha_sk = cp.campanha_sk
        ${before ? `WHERE f.data_venda < TIMESTAMP '${before} 00:00:00'` : ''}`)).getRowsJson()[0]!;
      imports.push({ rows: Number(row[0]), priceSum: Number(row[1]) });
    }
    const facts = Number((await c.runAndReadAll('SELECT count(*) FROM gold.fato_vendas')).getRowsJson()[0]![0]);
    return { facts, imports };
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

interface ServerChild {
  readonly child: ChildProcess;
  readonly restUrl: string;
  readonly sqlPort: number;
  served(): Promise<EngineCall[]>;
}

async function startServer(): Promise<ServerChild> {
  const t0 = performance.now();
  const child = fork(path.join(import.meta.dirname, 'support/bi-bench-server.ts'), [], {
    execArgv: process.execArgv,
    stdio: 'inherit',
    env: { ...process.env, BI_BENCH_DUCKDB: duckdbPath, BI_BENCH_STORE: path.join(dir, 'preagg.duckdb'), CUBEJS_SQL_USER: SQL_USER, CUBEJS_SQL_PASSWORD: SQL_PASSWORD },
  });
  const ready = await new Promise<{ restUrl: string; sqlPort: number; rollups: { id: string; state: string; rowCount?: number; lastError?: string }[] }>((resolve, reject) => {
    child.once('message', resolve as (m: unknown) => void);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  console.log(`server (pid ${child.pid}) ready in ${((performance.now() - t0) / 1000).toFixed(1)} s; rollups: ${ready.rollups.map((r) => `${r.id} ${r.state}${r.rowCount !== undefined ? ` ${r.rowCount} rows` : ''}`).join(', ')}`);
  for (const r of ready.rollups.filter((s) => s.state === 'failed')) console.log(`  (not built, not used here: ${r.id}: ${r.lastError})`);
  let next = 0;
  return {
    child,
    restUrl: ready.restUrl,
    sqlPort: ready.sqlPort,
    served: () =>
      new Promise((resolve) => {
        const id = next++;
        const onMessage = (m: { id?: number; served?: EngineCall[] }) => {
          if (m.id !== id) return;
          child.off('message', onMessage);
          resolve(m.served!);
        };
        child.on('message', onMessage);
        child.send({ op: 'served', id });
      }),
  };
}

async function connect(port: number): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: SQL_USER, password: SQL_PASSWORD, database: 'db', types: { getTypeParser: () => (v: string) => v } });
  await client.connect();
  return client;
}

async function importView(server: ServerChild, want: Awaited<ReturnType<typeof handImportFigures>>): Promise<void> {
  console.log(`\n## Power BI Import of the vendas view (every column, simple protocol); fato_vendas has ${want.facts.toLocaleString('en')} lines`);
  const client = await connect(server.sqlPort);
  try {
    const columns = (await client.query({ text: "select column_name from information_schema.columns where table_schema = 'public' and table_name = 'vendas' order by ordinal_position", rowMode: 'array' })).rows.map((r) => String(r[0]));
    const price = columns.indexOf('preco_unitario');
    for (const [i, { label, before }] of IMPORTS.entries()) {
      const text = `select ${columns.map((c) => `"$Table"."${c}" as "${c}"`).join(',\n    ')}\nfrom "public"."vendas" "$Table"${before ? `\nwhere "$Table"."data_venda" < timestamp '${before} 00:00:00'` : ''}`;
      const memory = watchMemory(server.child.pid!);
      const t0 = performance.now();
      let firstRow = 0;
      let rows = 0;
      let priceSum = 0;
      const outcome = await new Promise<string>((resolve) => {
        const config: pg.QueryArrayConfig = { text, rowMode: 'array' };
        // A `row` listener and no callback: node-postgres hands each row over and keeps none.
        const query = client.query(new pg.Query<(string | null)[]>(config));
        query.on('row', (row) => {
          if (rows++ === 0) firstRow = performance.now() - t0;
          priceSum += Number(row[price] ?? 0);
        });
        query.on('end', () => resolve('complete'));
        query.on('error', (e: Error & { code?: string }) => resolve(`FAILED: ${e.code ?? ''} ${e.message}`));
      });
      const seconds = (performance.now() - t0) / 1000;
      const { before: rssBefore, peak } = memory.stop();
      const served = await server.served();
      const hand = want.imports[i]!;
      const equal = rows === hand.rows && Math.abs(priceSum - hand.priceSum) <= 1e-9 * Math.abs(hand.priceSum) + 0.01;
      console.log(`${label}, ${columns.length} columns: ${outcome} in ${seconds.toFixed(1)} s (first row at ${(firstRow / 1000).toFixed(2)} s), ${rows.toLocaleString('en')} rows, ${Math.round(rows / seconds).toLocaleString('en')} rows/s`);
      console.log(`  hand SQL: ${hand.rows.toLocaleString('en')} rows, Σ preco_unitario ${hand.priceSum.toFixed(2)}; received Σ ${priceSum.toFixed(2)} → ${equal ? 'EQUAL' : 'DIFFERENT'}`);
      console.log(`  engine calls: ${served.map((x) => `${x.via}${x.query.ungrouped ? ' ungrouped' : ''} limit ${x.query.limit ?? 'none'} from ${x.rollups.join(',') || 'the source'}`).join('; ')}`);
      console.log(`  server RSS before ${mib(rssBefore)}, peak during the import ${mib(peak)} (+${mib(peak - rssBefore)})`);
    }
  } finally {
    await client.end();
  }
}

/** REST /load over one keep-alive socket: time until the body is parsed (Continue wait polled again). */
function restClient(base: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const once = (query: object) =>
    new Promise<{ ms: number; body: string }>((resolve, reject) => {
      const payload = JSON.stringify({ query });
      const t0 = performance.now();
      const req = http.request(`${base}/cubejs-api/v1/load`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ ms: performance.now() - t0, body: text }));
      });
      req.on('error', reject);
      req.end(payload);
    });
  return {
    async load(query: object) {
      const answer = await untilAnswered(() => once(query), (a) => a.body === CONTINUE_WAIT_BODY);
      const parsed = JSON.parse(answer.body) as { data?: Record<string, unknown>[]; usedPreAggregations?: Record<string, unknown>; error?: string };
      if (!parsed.data) throw new Error(`REST: ${answer.body.slice(0, 300)}`);
      return { ms: answer.ms, data: parsed.data, rollups: Object.keys(parsed.usedPreAggregations ?? {}) };
    },
    close: () => agent.destroy(),
  };
}

/** Rows as sorted lines of values rounded to 6 significant digits, REST's object keys in `columns` order. */
function canonical(rows: readonly (readonly unknown[])[]): string[] {
  const value = (v: unknown) => (v === null || v === undefined ? 'null' : /^-?\d+(\.\d+)?$/.test(String(v)) ? String(Number(Number(v).toPrecision(6))) : String(v).replace('T', ' ').replace(/(\.000)?Z?$/, ''));
  return rows.map((r) => r.map(value).join(' | ')).sort();
}

type Side = 'rest' | 'sql' | 'grouping';
const SIDES: readonly Side[] = ['rest', 'sql', 'grouping'];

async function dashboardMix(server: ServerChild): Promise<void> {
  const rest = restClient(server.restUrl);
  const sql = await connect(server.sqlPort);
  const runSql = async (text: string) => {
    const t0 = performance.now();
    // Parse/Bind/Describe/Execute/Sync as Npgsql sends it (`queryMode` is not in @types/pg).
    const config: pg.QueryArrayConfig & { queryMode: 'extended' } = { text, rowMode: 'array', queryMode: 'extended' };
    const r = await sql.query(config);
    return { ms: performance.now() - t0, rows: r.rows as unknown[][] };
  };
  try {
    console.log('\n## checks: the SQL answers equal REST, every one served by a rollup');
    for (const q of DASHBOARD_QUERIES) {
      const r = await rest.load(q.rest('zz-check'));
      const restRows = canonical(r.data.map((row) => q.restColumns.map((c) => row[c])));
      const outcomes: { same: boolean; served: EngineCall[] }[] = [];
      for (const text of [q.sql('zz-check'), q.sqlGroupingLevel('zz-check')]) {
        const s = await runSql(text);
        const served = await server.served();
        outcomes.push({ same: JSON.stringify(canonical(s.rows)) === JSON.stringify(restRows), served });
        if (JSON.stringify(canonical(s.rows)) !== JSON.stringify(restRows)) console.log(`  DIFFERENT\n  REST ${restRows.slice(0, 2).join(' / ')}\n  SQL  ${canonical(s.rows).slice(0, 2).join(' / ')}`);
      }
      const describe = (o: (typeof outcomes)[number]) => `${o.same ? '=' : '≠'} REST, ${o.served.length} engine call(s) from ${o.served.flatMap((x) => x.rollups).join(',') || 'THE SOURCE'}`;
      console.log(`${q.name.padEnd(34)} ${restRows.length} rows; REST from ${r.rollups.join(',') || 'THE SOURCE'}; Power BI SQL ${describe(outcomes[0]!)}; grouping level alone ${describe(outcomes[1]!)}`);
      console.log(`  engine query of the Power BI SQL: ${JSON.stringify(outcomes[0]!.served[0]?.query)}`);
    }
    let request = 0;
    for (const mode of ['rollup', 'cache hit'] as const) {
      console.log(`\n## dashboard mix, ${mode === 'rollup' ? 'every request a result-cache miss served by a rollup' : 'the same request repeated (result cache / answer memo)'}: ${rounds} rounds per query, the three sides in rotating order`);
      const sums = { rest: 0, sql: 0, grouping: 0 };
      for (const q of DASHBOARD_QUERIES) {
        const times = { rest: [] as number[], sql: [] as number[], grouping: [] as number[] };
        let restRollup = 0;
        for (let i = 0; i < rounds; i++) {
          for (let k = 0; k < SIDES.length; k++) {
            const side = SIDES[(k + i) % SIDES.length]!;
            // The two SQL sides make the same engine query: a value of their own keeps each a miss.
            const exclude = mode === 'rollup' ? `zz-${request++}` : 'zz-warm';
            if (side === 'rest') {
              const r = await rest.load(q.rest(exclude));
              if (r.rollups.length) restRollup++;
              times.rest.push(r.ms);
            } else times[side].push((await runSql(side === 'sql' ? q.sql(exclude) : q.sqlGroupingLevel(exclude))).ms);
          }
        }
        const served = await server.served();
        const sqlRollup = served.filter((x) => x.rollups.length > 0).length;
        const p50 = { rest: pct(times.rest, 50), sql: pct(times.sql, 50), grouping: pct(times.grouping, 50) };
        for (const side of SIDES) sums[side] += p50[side];
        const fig = (side: Side) => `p50 ${p50[side].toFixed(1).padStart(5)} p95 ${pct(times[side], 95).toFixed(1).padStart(5)}`;
        console.log(`${q.name.padEnd(34)} REST ${fig('rest')} | Power BI SQL ${fig('sql')} = ${(p50.sql / p50.rest).toFixed(2)}× | grouping level alone ${fig('grouping')} = ${(p50.grouping / p50.rest).toFixed(2)}× (ms) | from a rollup: REST ${restRollup}/${rounds}, SQL API ${sqlRollup}/${served.length} engine calls`);
      }
      console.log(`mix (sum of medians): Power BI SQL ÷ REST = ${(sums.sql / sums.rest).toFixed(2)}×, grouping level alone ÷ REST = ${(sums.grouping / sums.rest).toFixed(2)}× (target ≤ 1.15×)`);
    }
  } finally {
    rest.close();
    await sql.end();
  }
}

async function main(): Promise<void> {
  ensureLakehouse();
  const want = await handImportFigures();
  const server = await startServer();
  const whole = server.child.pid!;
  console.log(`server RSS once ready (rollups built): ${mib(memoryOf(whole).rss)}`);
  try {
    if (!only || only === 'import') await importView(server, want);
    if (!only || only === 'mix') {
      const memory = watchMemory(whole);
      await dashboardMix(server);
      const { peak } = memory.stop();
      console.log(`server peak RSS during the mix ${mib(peak)}`);
    }
  } finally {
    server.child.disconnect();
    await new Promise((resolve) => server.child.once('exit', resolve));
  }
}

await main();
