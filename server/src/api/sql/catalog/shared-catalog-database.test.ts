import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { compileModel } from '../../../model/compile-model.ts';
import { buildModelTables, visibleTables, type ModelTable } from './model-tables.ts';
import { hideMembersSql } from './hide-members-sql.ts';
import { SharedCatalogDatabase, type CatalogScope } from './shared-catalog-database.ts';
import type { CatalogDatabase } from './catalog-database.ts';
import { readDataRow } from '../wire/frontend-builders.ts';

const MODEL = `cubes:
  - name: orders
    sql_table: orders
    description: One row per order
    measures:
      - { name: count, type: count }
      - { name: revenue, sql: amount, type: sum, description: Gross revenue }
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: city, sql: city, type: string }
      - { name: email, sql: email, type: string, description: Customer e-mail }
  - name: customers
    sql_table: customers
    measures:
      - { name: count, type: count }
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: name, sql: name, type: string }
`;
const HIDDEN = new Set(['orders.email', 'orders.revenue', 'customers.count', 'customers.name']);
const isVisible = (path: string) => !HIDDEN.has(path);

/** What clients read to list tables, columns and comments (psql \d, information_schema, pgjdbc, Npgsql). */
const CLIENT_QUERIES = [
  `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2`,
  `SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
  `SELECT c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), pg_catalog.col_description(a.attrelid, a.attnum)
     FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1, 2`,
  `SELECT c.relname, pg_catalog.obj_description(c.oid, 'pg_class') FROM pg_catalog.pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' ORDER BY 1`,
  `SELECT d.description FROM pg_catalog.pg_description d JOIN pg_catalog.pg_class c ON c.oid = d.objoid WHERE c.relnamespace = 'public'::regnamespace ORDER BY 1`,
  `SELECT t.typname FROM pg_catalog.pg_type t WHERE t.typnamespace = 'public'::regnamespace ORDER BY 1`,
];

async function rows(catalog: CatalogDatabase, sql: string): Promise<(string | null)[][]> {
  const r = await catalog.execute(sql, [], [], [], []);
  return r.rows.map((raw) => readDataRow(raw.subarray(5)).map((v) => (v === null ? null : v.toString('utf8'))));
}

let tables: ModelTable[];
let shared: SharedCatalogDatabase;
let oracle: SharedCatalogDatabase;
const everything: CatalogScope = { key: '*' };
let restricted: CatalogScope;

beforeAll(async () => {
  tables = [...buildModelTables(compileModel([{ path: 'model.yml', content: MODEL }])).values()];
  restricted = { key: 'restricted', hideSql: hideMembersSql(tables, isVisible) };
  shared = await SharedCatalogDatabase.create(tables);
  // The catalog as it was built before: a database holding only what the caller may see.
  oracle = await SharedCatalogDatabase.create(visibleTables(tables, isVisible));
}, 120_000);
afterAll(async () => {
  await shared?.close();
  await oracle?.close();
});

describe('SharedCatalogDatabase', () => {
  it('hides a table with no visible member and the hidden columns of the others', () => {
    expect(restricted.hideSql).toBe('DROP TABLE public."customers";\nALTER TABLE public."orders" DROP COLUMN "revenue", DROP COLUMN "email"');
    expect(hideMembersSql(tables, () => true)).toBeUndefined();
  });

  it('answers client catalog queries in a restricted scope exactly as a catalog holding only the visible tables', async () => {
    for (const sql of CLIENT_QUERIES) {
      const expected = await rows(oracle.scoped(everything), sql);
      expect(await rows(shared.scoped(restricted), sql), sql).toEqual(expected);
    }
    const listed = await rows(shared.scoped(restricted), CLIENT_QUERIES[0]!);
    expect(listed.map((r) => r[1])).toEqual(['__cubeJoinField', 'city', 'count']); // primary keys are not public
    // Everything is still there for callers who may see it, whatever ran before.
    const full = await rows(shared.scoped(everything), CLIENT_QUERIES[1]!);
    expect(full.map((r) => r[0])).toEqual(['customers', 'orders']);
  });

  it('keeps the OIDs and column numbers of visible tables the same in every scope', async () => {
    const sql = `SELECT 'orders'::regclass::oid, a.attnum FROM pg_catalog.pg_attribute a WHERE a.attrelid = 'orders'::regclass AND a.attname = 'city'`;
    expect(await rows(shared.scoped(restricted), sql)).toEqual(await rows(shared.scoped(everything), sql));
  });

  it('never lets concurrent callers of different scopes see each other’s catalog', async () => {
    const other: CatalogScope = { key: 'no-city', hideSql: hideMembersSql(tables, (p) => p !== 'orders.city') };
    const columnsOf = async (scope: CatalogScope) =>
      (await rows(shared.scoped(scope), `SELECT column_name FROM information_schema.columns WHERE table_name = 'orders' ORDER BY 1`)).map((r) => r[0]);
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => columnsOf([restricted, everything, other][i % 3]!)));
    answers.forEach((columns, i) => {
      if (i % 3 === 0) expect(columns).toEqual(['__cubeJoinField', 'city', 'count']);
      else if (i % 3 === 1) expect(columns).toEqual(['__cubeJoinField', 'city', 'count', 'email', 'revenue']);
      else expect(columns).toEqual(['__cubeJoinField', 'count', 'email', 'revenue']);
    });
  });

  it('reports a hidden column as missing (42703) and keeps hiding after the error', async () => {
    const catalog = shared.scoped(restricted);
    await expect(catalog.describe('SELECT email FROM orders', [])).rejects.toMatchObject({ fields: { C: '42703' } });
    await expect(catalog.execute('SELECT count(*) FROM customers', [], [], [], [])).rejects.toMatchObject({ fields: { C: '42P01' } });
    expect((await rows(catalog, `SELECT count(*) FROM information_schema.columns WHERE table_name = 'orders'`))[0]).toEqual(['3']);
    expect((await shared.scoped(everything).describe('SELECT email FROM orders', [])).fields?.map((f) => f.name)).toEqual(['email']);
  });

  it("gives now() the statement's time in a restricted scope, not the time its hiding began", async () => {
    const catalog = shared.scoped(restricted);
    const [[first]] = await rows(catalog, 'SELECT extract(epoch from now())::text');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const [[second]] = await rows(catalog, 'SELECT extract(epoch from now())::text');
    expect(Number(second) - Number(first)).toBeGreaterThanOrEqual(0.04);
  });

  it('starts PGlite off the event loop', async () => {
    // The event loop's own busy time, not wall-clock gaps between timers: a loaded machine delays
    // timers whatever this code does, while PGlite creating its cluster in this thread kept the loop
    // busy 1.5–3 s (measured before it moved to a worker). Preemption on busy cores stretches the
    // few milliseconds of message passing left, hence the margin.
    const before = performance.eventLoopUtilization();
    const another = await SharedCatalogDatabase.create(tables);
    await rows(another.scoped(restricted), CLIENT_QUERIES[0]!);
    await another.close();
    const busy = performance.eventLoopUtilization(before).active;
    expect(busy).toBeLessThan(1000);
  }, 60_000);
});

describe('SharedCatalogDatabase bounds', () => {
  const TIMEOUT_MS = 1000;
  const RECURSIVE = 'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM t) SELECT count(*) FROM t';
  let bounded: SharedCatalogDatabase;
  const errors: Error[] = [];
  beforeAll(async () => {
    bounded = await SharedCatalogDatabase.create(tables, { limits: { timeoutMs: TIMEOUT_MS, memoryBytes: 512e6 }, onError: (e) => errors.push(e) });
  }, 120_000);
  afterAll(async () => {
    await bounded?.close();
    // Stopping threads on purpose is no crash.
    expect(errors).toEqual([]);
  });

  /** Whatever a unit answers or throws, with the time it took. */
  async function outcome(run: Promise<unknown>): Promise<{ code?: string; message?: string; ms: number }> {
    const started = performance.now();
    try {
      await run;
      return { ms: performance.now() - started };
    } catch (e) {
      const error = e as { sqlState?: string; fields?: Record<string, string>; message: string };
      return { code: error.sqlState ?? error.fields?.C, message: error.message, ms: performance.now() - started };
    }
  }

  it('ends a runaway statement at the timeout with 57014, then runs the units queued behind it on a new thread, seeing the same catalog', async () => {
    const before = await Promise.all(CLIENT_QUERIES.map((sql) => rows(bounded.scoped(restricted), sql)));
    const oids = `SELECT c.oid::int, c.relname, a.attnum, a.attname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 ORDER BY 1, 3`;
    const oidsBefore = await rows(bounded.scoped(everything), oids);
    const restartsBefore = bounded.restarts;
    const runaway = outcome(bounded.scoped(everything).execute(RECURSIVE, [], [], [], []));
    // Queued behind it, in both kinds of scope: they wait, then answer as before.
    const queued = Promise.all(CLIENT_QUERIES.map((sql) => rows(bounded.scoped(restricted), sql)));
    const queuedOids = rows(bounded.scoped(everything), oids);
    const ended = await runaway;
    expect(ended.code, ended.message).toBe('57014');
    expect(ended.message).toBe('canceling statement due to statement timeout');
    expect(ended.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(ended.ms).toBeLessThan(TIMEOUT_MS + 1000);
    const waited = performance.now();
    expect(await queued).toEqual(before);
    expect(await queuedOids).toEqual(oidsBefore);
    console.log(`runaway ended after ${ended.ms.toFixed(0)} ms; queued units answered ${(performance.now() - waited).toFixed(0)} ms later (new thread)`);
    expect(bounded.restarts).toBe(restartsBefore + 1);
  }, 60_000);

  it('ends a running statement within 1 s of its cancel, and a queued one at once without running it', async () => {
    const running = new AbortController();
    const queuedCancel = new AbortController();
    const huge = outcome(bounded.scoped(everything).execute('SELECT count(*) FROM generate_series(1, 10000000000)', [], [], [], [], running.signal));
    const queued = outcome(bounded.scoped(restricted).execute(RECURSIVE, [], [], [], [], queuedCancel.signal));
    await new Promise((r) => setTimeout(r, 300));
    let cancelledAt = performance.now();
    queuedCancel.abort();
    const q = await queued;
    expect(q.code).toBe('57014');
    expect(q.message).toBe('canceling statement due to user request');
    expect(performance.now() - cancelledAt).toBeLessThan(50);
    const restartsBefore = bounded.restarts;
    cancelledAt = performance.now();
    running.abort();
    const h = await huge;
    expect(h.code).toBe('57014');
    expect(h.message).toBe('canceling statement due to user request');
    expect(performance.now() - cancelledAt).toBeLessThan(1000);
    // The queued recursive CTE never ran: the next unit answers after one restart, well within the timeout.
    expect((await rows(bounded.scoped(everything), 'SELECT 1 + 1'))[0]).toEqual(['2']);
    expect(bounded.restarts).toBe(restartsBefore + 1);
    // A signal already tripped never reaches the database.
    await expect(bounded.scoped(everything).execute('SELECT 1', [], [], [], [], AbortSignal.abort())).rejects.toMatchObject({ sqlState: '57014' });
  }, 60_000);

  it('fails memory blowups with 53200 or 53400 and goes on answering', async () => {
    // The smallest bound, and time enough to reach it: 64 MB of temporary files, 64 MB of answer.
    const small = await SharedCatalogDatabase.create(tables, { limits: { timeoutMs: 60_000, memoryBytes: 256e6 }, onError: (e) => errors.push(e) });
    try {
      await blowUp(small);
    } finally {
      await small.close();
    }
  }, 120_000);

  async function blowUp(small: SharedCatalogDatabase): Promise<void> {
    const catalog = small.scoped(everything);
    const restartsBefore = small.restarts;
    // Past PGlite's memory: Postgres' own out-of-memory error, and the same thread goes on.
    const big = await outcome(catalog.execute(`SELECT length(repeat('x', 300000000))`, [], [], [], []));
    expect(big.code, big.message).toBe('53200');
    // Sorts spilled to temporary files, which PGlite keeps in memory: past temp_file_limit (53400),
    // or past the memory bound first (53200).
    const spilled = await outcome(catalog.execute(`SELECT count(*) FROM (SELECT repeat('x', 1000) || g AS s FROM generate_series(1, 1000000) g ORDER BY 1) t`, [], [], [], []));
    expect(spilled.code, spilled.message).toMatch(/^53[24]00$/);
    expect(small.restarts).toBe(restartsBefore);
    // An answer past a quarter of the bound (100 rows of 1 MB): the thread is stopped and replaced.
    const answer = await outcome(catalog.execute(`SELECT repeat('x', 1000000) FROM generate_series(1, 100)`, [], [], [], []));
    expect(answer.code, answer.message).toBe('53200');
    expect(answer.message).toContain('catalog database ran out of memory');
    expect((await rows(catalog, `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'`))[0]).toEqual(['2']);
    expect(small.restarts).toBe(restartsBefore + 1);
  }
});
