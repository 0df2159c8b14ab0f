/**
 * Containment of the SQL API over the real stack (gold fixture, shipped model/, REST server with
 * /livez, `pg` client over a socket): whatever a statement over cubes and views asks beyond the
 * semantic query runs in the sandbox, so escape attempts (file, glob and settings functions,
 * COPY, ATTACH, INSTALL/LOAD, PRAGMA, catalog introspection; through subqueries, CTEs, UNION,
 * LATERAL, WHERE, scalar subqueries and cross joins) are refused with a SQLSTATE and never show a
 * secret; a runaway statement ends at the sandbox timeout (2 s here) and a CancelRequest within
 * 1 s while /livez keeps answering; ordinary post-processing still gives hand-computed answers.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlServer } from '../../src/api/sql/start-sql-server.ts';
import { CONTEXTS, goldDatabaseFile, queryGold, SECRET } from '../security/support/security-fixture.ts';
import { serveSql, startStack, type Stack } from '../support/stack.ts';
import { expectResponsive, percentile, pollLivez, sendCancel } from './support/responsiveness.ts';

// Read once, when the first statement needs the sandbox (sandbox-options.ts).
process.env.CUBEJS_SQL_API_SANDBOX_TIMEOUT = '2s';
const TIMEOUT_MS = 2000;

const SQL_USERS = { bi: { password: 'bi-pw', securityContext: CONTEXTS.internal } };

let stack: Stack;
let gold: string;
let server: SqlServer;
let marker: string;
let secretFile: string;
let secretDir: string;

beforeAll(async () => {
  marker = `escape-marker-${randomBytes(12).toString('hex')}`;
  secretDir = await mkdtemp(join(tmpdir(), 'sandbox-escape-'));
  secretFile = join(secretDir, 'secret.csv');
  await writeFile(secretFile, `content\n${marker}\n`);
  await writeFile(join(secretDir, 'secret.json'), JSON.stringify({ content: marker }));
  gold = await goldDatabaseFile();
  stack = await startStack({ data: { duckdbPath: gold }, security: { secret: SECRET }, serve: { http: true } });
  server = await serveSql(stack.engine, { users: SQL_USERS });
}, 120_000);
afterAll(async () => {
  delete process.env.CUBEJS_SQL_API_SANDBOX_TIMEOUT;
  await server?.close();
  await stack?.close();
});

function clientConfig(): pg.ClientConfig {
  return { host: '127.0.0.1', port: server.port, user: 'bi', password: 'bi-pw', database: 'db' };
}

async function withClient<T>(run: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client(clientConfig());
  await c.connect();
  try {
    return await run(c);
  } finally {
    await c.end();
  }
}

/** What the server answered: rows (as JSON) or the error's SQLSTATE and message. */
async function answer(c: pg.Client, sql: string): Promise<{ code?: string; text: string }> {
  try {
    const r = await c.query({ text: sql, rowMode: 'array' });
    return { text: JSON.stringify(r.rows) };
  } catch (e) {
    const error = e as { code?: string; message: string; detail?: string; hint?: string };
    return { code: error.code ?? 'no SQLSTATE', text: [error.message, error.detail, error.hint].join(' ') };
  }
}

/** Table functions that read files or the engine's state, or generate rows from nothing. */
function tableFunctions(): string[] {
  const f = secretFile;
  return [
    `read_text('${f}')`,
    `read_blob('${f}')`,
    `read_csv('${f}')`,
    `read_csv_auto('${f}')`,
    `read_parquet('${f}')`,
    `parquet_scan('${f}')`,
    `read_json('${join(secretDir, 'secret.json')}')`,
    `read_json_auto('${join(secretDir, 'secret.json')}')`,
    `read_json_objects('${join(secretDir, 'secret.json')}')`,
    `read_ndjson('${join(secretDir, 'secret.json')}')`,
    `sniff_csv('${f}')`,
    `glob('${secretDir}/*')`,
    `read_text('.env')`,
    'duckdb_settings()',
    'duckdb_extensions()',
    'duckdb_databases()',
    'duckdb_secrets()',
    'duckdb_functions()',
    'pragma_version()',
    'pragma_database_size()',
    "query('SELECT 1')",
    'range(2000000000)',
    'generate_series(1, 2000000000)',
  ];
}

/** Ways to reach a table function from a statement over cubes and views (`x` names its rows). */
const THROUGH: readonly [string, (tf: string) => string][] = [
  ['cross join of subqueries (issue 10)', (tf) => `SELECT x.* FROM (SELECT nome FROM dim_canal GROUP BY 1) v, (SELECT * FROM ${tf}) x`],
  ['comma join', (tf) => `SELECT v.nome, x.* FROM dim_canal v, ${tf} x GROUP BY 1, 2`],
  ['CROSS JOIN with a model table', (tf) => `SELECT * FROM dim_canal CROSS JOIN ${tf} x`],
  ['CTE', (tf) => `WITH x AS (SELECT * FROM ${tf}) SELECT nome, (SELECT count(*) FROM x) FROM dim_canal GROUP BY 1`],
  ['UNION', (tf) => `SELECT nome FROM dim_canal GROUP BY 1 UNION ALL SELECT CAST(x AS VARCHAR) FROM ${tf} x`],
  ['LATERAL', (tf) => `SELECT v.nome, x.* FROM (SELECT nome FROM dim_canal GROUP BY 1) v CROSS JOIN LATERAL (SELECT * FROM ${tf}) x`],
  ['WHERE … IN', (tf) => `SELECT nome FROM dim_canal WHERE nome IN (SELECT CAST(x AS VARCHAR) FROM ${tf} x) GROUP BY 1`],
  ['WHERE EXISTS on a view', (tf) => `SELECT canal_nome, MEASURE(pedidos) FROM vendas WHERE EXISTS (SELECT 1 FROM ${tf} x) GROUP BY 1`],
  ['scalar subquery in the select list', (tf) => `SELECT nome, (SELECT CAST(x AS VARCHAR) FROM ${tf} x LIMIT 1) FROM dim_canal GROUP BY 1`],
];

/** Scalar functions that read settings, the session or the environment, in each clause. */
const SCALAR_READERS = ["current_setting('enable_external_access')", "current_setting('memory_limit')", "getenv('HOME')", "getvariable('x')", 'version()', "pg_read_file('/etc/passwd')", 'current_user', "json_serialize_sql('SELECT 1')"];
const SCALAR_THROUGH: readonly ((fn: string) => string)[] = [
  (fn) => `SELECT nome, ${fn} FROM dim_canal GROUP BY 1`,
  (fn) => `SELECT nome FROM dim_canal WHERE nome <> ${fn} GROUP BY 1`,
  (fn) => `SELECT * FROM (SELECT nome, CASE WHEN nome IS NULL THEN ${fn} END AS v FROM dim_canal GROUP BY 1) t`,
];

describe('escape attempts through statements over cubes and views', () => {
  it('refuses every table function, however it is reached, with 42501 naming it and showing nothing of the file', async () => {
    const seen: string[] = [];
    await withClient(async (c) => {
      for (const tf of tableFunctions()) {
        const name = tf.slice(0, tf.indexOf('('));
        for (const [shape, build] of THROUGH) {
          const sql = build(tf);
          const a = await answer(c, sql);
          seen.push(a.text);
          expect(a.code, `${shape}: ${sql} → ${a.text}`).toBe('42501');
          expect(a.text, sql).toContain(name);
        }
      }
    });
    expect(seen.length).toBeGreaterThanOrEqual(tableFunctions().length * THROUGH.length);
    expect(seen.join('\n')).not.toContain(marker);
  });

  it('refuses functions that read settings, the session or the environment in any clause with 42501', async () => {
    await withClient(async (c) => {
      for (const fn of SCALAR_READERS) {
        for (const build of SCALAR_THROUGH) {
          const a = await answer(c, build(fn));
          expect(a.code, `${build(fn)} → ${a.text}`).toBe('42501');
        }
      }
    });
  });

  it('refuses functions outside the allow-list with 42883 naming them', async () => {
    await withClient(async (c) => {
      const a = await answer(c, 'SELECT nome, hash(nome) FROM dim_canal GROUP BY 1');
      expect(a.code).toBe('42883');
      expect(a.text).toContain('hash()');
    });
  });

  it('refuses engine statements (COPY, ATTACH, INSTALL/LOAD, PRAGMA, EXPORT …) with a SQLSTATE and no effect', async () => {
    const out = join(secretDir, 'copied.csv');
    const statements: [string, string][] = [
      [`COPY dim_canal TO '${out}'`, '25006'],
      [`COPY (SELECT nome FROM dim_canal GROUP BY 1) TO '${out}'`, '25006'],
      [`COPY dim_canal FROM '${secretFile}'`, '25006'],
      [`ATTACH '${join(secretDir, 'x.db')}' AS x`, '42601'],
      ['DETACH x', '42601'],
      ['INSTALL httpfs', '42601'],
      ['LOAD httpfs', '42601'],
      ["LOAD 'httpfs'", '25006'],
      ['PRAGMA version', '42601'],
      ["PRAGMA enable_external_access = true", '42601'],
      ['CALL pragma_version()', '25006'],
      [`EXPORT DATABASE '${secretDir}'`, '42601'],
      [`IMPORT DATABASE '${secretDir}'`, '42601'],
      ["CREATE SECRET s (TYPE s3, KEY_ID 'x', SECRET 'y')", '42601'],
      ['SUMMARIZE dim_canal', '42601'],
      ['DESCRIBE dim_canal', '42601'],
      ['FROM dim_canal SELECT nome', '42601'],
      [`SELECT * FROM '${secretFile}'`, '42601'],
      [`SELECT nome FROM dim_canal, "${secretFile}" GROUP BY 1`, '0A000'],
    ];
    await withClient(async (c) => {
      for (const [sql, code] of statements) {
        const a = await answer(c, sql);
        expect(a.code, `${sql} → ${a.text}`).toBe(code);
        expect(a.text).not.toContain(marker);
        expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      }
    });
    expect(existsSync(out)).toBe(false);
  });

  it('refuses reading the engine catalog through a CTE name used outside its scope', async () => {
    await withClient(async (c) => {
      for (const view of ['pg_settings', 'duckdb_tables', 'sqlite_master']) {
        // The WITH comes first, so a check by name alone takes the view's name for a CTE; outside
        // the CTE's scope, DuckDB would read its own system view of that name.
        const sql = `SELECT (WITH ${view} AS (SELECT 1 AS one) SELECT 1) AS a, (SELECT count(*) FROM ${view}) AS n, nome FROM dim_canal GROUP BY 3`;
        const a = await answer(c, sql);
        expect(a.code, `${sql} → ${a.text}`).toBe('42501');
        expect(a.text).toContain(view);
      }
    });
  });

  it('SET and RESET of engine settings reach no engine: files stay unreadable and the timeout stays', async () => {
    await withClient(async (c) => {
      for (const sql of ['SET enable_external_access = true', 'SET lock_configuration = false', "SET memory_limit = '64GB'", 'SET threads = 64', 'SET statement_timeout = 0', 'RESET ALL']) {
        const a = await answer(c, sql);
        expect(a.code ?? 'ok', sql).toMatch(/^(ok|42704|0A000|55P02)$/);
      }
      await c.query('SET enable_external_access = true');
      const a = await answer(c, `SELECT x.* FROM (SELECT nome FROM dim_canal GROUP BY 1) v, (SELECT content FROM read_text('${secretFile}')) x`);
      expect(a.code).toBe('42501');
      expect(a.text).not.toContain(marker);
      const started = Date.now();
      const runaway = await answer(c, RUNAWAY);
      expect(runaway.code).toBe('57014');
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1500);
    });
  });
});

/** Legitimate post-processing that never ends: four copies of the calendar cross-joined (427⁴ rows). */
const RUNAWAY = `SELECT sum(a.dia + b.dia + c.dia + d.dia) AS s
  FROM (SELECT data, dia FROM dim_tempo GROUP BY 1, 2) a, (SELECT data, dia FROM dim_tempo GROUP BY 1, 2) b,
       (SELECT data, dia FROM dim_tempo GROUP BY 1, 2) c, (SELECT data, dia FROM dim_tempo GROUP BY 1, 2) d`;

describe('runaway statements and cancels', () => {
  it('a recursive CTE or a huge range() over a model query is refused at once', async () => {
    await withClient(async (c) => {
      for (const sql of [
        'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT nome, (SELECT count(*) FROM t) FROM dim_canal GROUP BY 1',
        'SELECT nome, (SELECT sum(hash(i)) FROM range(2000000000) t(i)) FROM dim_canal GROUP BY 1',
        'SELECT nome, generate_series(1, 2000000000) FROM dim_canal GROUP BY 1',
        'SELECT nome, unnest(range(2000000000)) FROM dim_canal GROUP BY 1',
      ]) {
        const started = Date.now();
        const a = await answer(c, sql);
        expect(a.code, `${sql} → ${a.text}`).toMatch(/^(0A000|42501|42883)$/);
        expect(Date.now() - started).toBeLessThan(TIMEOUT_MS);
      }
    });
  });

  it('ends runaway post-processing at the timeout with 57014 while /livez and other queries answer fast', async () => {
    await withClient(async (c) => {
      const started = Date.now();
      const running = answer(c, RUNAWAY);
      const [a, latencies, other] = await Promise.all([
        running.then((r) => ({ ...r, ms: Date.now() - started })),
        pollLivez(stack.url, running),
        (async () => {
          await new Promise((r) => setTimeout(r, 300));
          const t = performance.now();
          const r = await withClient((o) => o.query('SELECT MEASURE(count) AS n FROM dim_canal'));
          return { n: Number(r.rows[0].n), ms: performance.now() - t };
        })(),
      ]);
      expect(a.code, a.text).toBe('57014');
      expect(a.text).toContain('canceling statement due to statement timeout');
      expect(a.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 100);
      expect(a.ms).toBeLessThan(TIMEOUT_MS + 1500);
      expect(latencies.length).toBeGreaterThan(10);
      expectResponsive(latencies);
      const [canals] = await queryGold(gold, 'SELECT count(*) AS n FROM gold.dim_canal');
      expect(other.n).toBe(Number(canals!.n));
      console.log(`runaway ended after ${a.ms} ms; /livez p95 ${percentile(latencies, 0.95).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms over ${latencies.length} polls; concurrent query ${other.ms.toFixed(0)} ms`);
      // The connection is still usable after the timeout.
      expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    });
  });

  it('a CancelRequest interrupts running post-processing within 1 s', async () => {
    await withClient(async (c) => {
      const query = new pg.Query(RUNAWAY);
      const ended = new Promise<{ code?: string; message?: string; at: number }>((resolve) => {
        query.on('error', (e: Error & { code?: string }) => resolve({ code: e.code, message: e.message, at: Date.now() }));
        query.on('end', () => resolve({ at: Date.now() }));
      });
      c.query(query);
      const livez = pollLivez(stack.url, ended);
      await new Promise((r) => setTimeout(r, 400));
      const cancelledAt = Date.now();
      sendCancel(clientConfig(), c, query);
      const e = await ended;
      const latencies = await livez;
      expect(e.code, e.message).toBe('57014');
      expect(e.message).toContain('canceling statement due to user request');
      expect(e.at - cancelledAt).toBeLessThan(1000);
      expectResponsive(latencies);
      console.log(`cancel took effect after ${e.at - cancelledAt} ms; /livez max ${Math.max(...latencies).toFixed(1)} ms over ${latencies.length} polls`);
      expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    });
  });
});

describe('ordinary post-processing still answers', () => {
  it('a nested query with arithmetic and a CASE over a view equals hand-written SQL on the gold tables', async () => {
    const got = await withClient((c) =>
      c.query({
        text: `SELECT canal, receita * 2 AS dobro, CASE WHEN receita > 1500 THEN 'alta' ELSE 'baixa' END AS faixa
               FROM (SELECT canal_nome AS canal, MEASURE(vendas_liquidas) AS receita FROM vendas GROUP BY 1) t
               ORDER BY canal`,
        rowMode: 'array',
      }),
    );
    const expected = await queryGold(gold, `
      SELECT canal, receita * 2 AS dobro, CASE WHEN receita > 1500 THEN 'alta' ELSE 'baixa' END AS faixa FROM (
        SELECT c.nome AS canal,
               sum(CASE WHEN NOT coalesce(f.is_cancelado, false) AND coalesce(f.status_pedido, '') <> 'test'
                        THEN f.valor_liquido - coalesce(f.valor_devolvido, 0) END) AS receita
        FROM gold.fato_vendas f JOIN gold.dim_canal c ON c.canal_sk = f.canal_sk GROUP BY 1) t
      ORDER BY canal`);
    expect(expected.length).toBeGreaterThan(1);
    expect(new Set(expected.map((r) => r.faixa)).size).toBe(2);
    expect(got.rows.map((r: unknown[]) => [r[0], Number(r[1]), r[2]])).toEqual(expected.map((r) => [r.canal, Number(r.dobro), r.faixa]));
  });

  it('a top-N join back to a subquery with date functions equals hand-written SQL', async () => {
    const got = await withClient((c) =>
      c.query({
        text: `SELECT t.mes, t.pedidos, round(t.pedidos * 100.0 / tot.total, 1) AS pct
               FROM (SELECT date_trunc('month', data_venda) AS mes, MEASURE(pedidos) AS pedidos FROM vendas GROUP BY 1) t
               CROSS JOIN (SELECT MEASURE(pedidos) AS total FROM vendas) tot
               WHERE EXTRACT(year FROM t.mes) = 2024
               ORDER BY t.pedidos DESC, t.mes LIMIT 3`,
        rowMode: 'array',
      }),
    );
    const expected = await queryGold(gold, `
      WITH valid AS (SELECT * FROM gold.fato_vendas WHERE NOT coalesce(is_cancelado, false) AND coalesce(status_pedido, '') <> 'test')
      SELECT strftime(date_trunc('month', data_venda), '%Y-%m') AS mes, count(DISTINCT pedido_id) AS pedidos,
             round(count(DISTINCT pedido_id) * 100.0 / (SELECT count(DISTINCT pedido_id) FROM valid), 1) AS pct
      FROM valid WHERE year(data_venda) = 2024 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3`);
    expect(expected).toHaveLength(3);
    const month = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v)).slice(0, 7);
    expect(got.rows.map((r: unknown[]) => [month(r[0]), Number(r[1]), Number(r[2])])).toEqual(expected.map((r) => [r.mes, Number(r.pedidos), Number(r.pct)]));
  });
});
