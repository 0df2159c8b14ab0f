import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResidualSandbox, sandboxInstanceSettings } from './residual-sandbox.ts';
import type { ResidualSandbox, SandboxTable } from './sandbox-types.ts';
import { DEFAULT_SANDBOX_OPTIONS } from './sandbox-options.ts';

const ORDERS: SandboxTable = {
  name: '__scan_0',
  rowCount: 5,
  columns: [
    { name: 'city', type: 'VARCHAR', values: ['Recife', 'Salvador', null, 'Recife', 'Olinda'] },
    { name: 'amount', type: 'DOUBLE', values: ['10.5', 20, '30.25', null, '5'] },
    { name: 'n', type: 'BIGINT', values: [1, '2', 3, 4, 5] },
    { name: 'sold_at', type: 'TIMESTAMP', values: ['2024-01-31T23:00:00.000', '2024-02-01T00:00:00.000', null, '2024-03-15T12:30:00.000', '2024-03-01T00:00:00.000'] },
    { name: 'paid', type: 'BOOLEAN', values: [true, false, 'true', null, 'false'] },
  ],
};

/** Enough rows that a cross join of three copies (8·10⁹ rows) outlasts any timeout here, in little memory. */
const MANY: SandboxTable = { name: '__scan_1', rowCount: 2000, columns: [{ name: 'i', type: 'BIGINT', values: Array.from({ length: 2000 }, (_, i) => i) }] };
const ENDLESS = 'SELECT sum(a.i * b.i + c.i) FROM __scan_1 a, __scan_1 b, __scan_1 c';

let sandbox: ResidualSandbox;

beforeAll(async () => {
  sandbox = await createResidualSandbox({ timeoutMs: 1500, memoryLimit: '64MB', maxConcurrent: 2 });
});
afterAll(async () => {
  await sandbox?.close();
});

async function failure(run: Promise<unknown>): Promise<{ sqlState: string; message: string }> {
  try {
    await run;
  } catch (error) {
    return { sqlState: (error as { sqlState?: string }).sqlState ?? 'none', message: (error as Error).message };
  }
  throw new Error('expected the evaluation to fail');
}

describe('evaluate', () => {
  it('computes expressions, CASE and nested levels over the loaded tables, with their types', async () => {
    const r = await sandbox.evaluate({
      tables: [ORDERS],
      sql: `SELECT city, total * 2 AS doubled, CASE WHEN total > 15 THEN 'big' ELSE 'small' END AS size, month
            FROM (SELECT city, sum(amount) AS total, date_trunc('month', min(sold_at)) AS month FROM __scan_0 WHERE city IS NOT NULL GROUP BY city) t
            ORDER BY city`,
    });
    expect(r.columns.map((c) => `${c.name}:${c.type}`)).toEqual(['city:VARCHAR', 'doubled:DOUBLE', 'size:VARCHAR', 'month:TIMESTAMP']);
    // By hand: Olinda 5 (March), Recife 10.5 + NULL (January), Salvador 20 (February).
    expect(r.data).toEqual([
      ['Olinda', 'Recife', 'Salvador'],
      [10, 21, 40],
      ['small', 'small', 'big'],
      ['2024-03-01 00:00:00', '2024-01-01 00:00:00', '2024-02-01 00:00:00'],
    ]);
    expect(r.rowCount).toBe(3);
  });

  it('keeps row order, NULLs and booleans, and sorts NULLs as PostgreSQL does', async () => {
    const r = await sandbox.evaluate({ tables: [ORDERS], sql: 'SELECT n, paid, city FROM __scan_0' });
    expect(r.data).toEqual([['1', '2', '3', '4', '5'], [true, false, true, null, false], ['Recife', 'Salvador', null, 'Recife', 'Olinda']]);
    const asc = await sandbox.evaluate({ tables: [ORDERS], sql: 'SELECT city FROM __scan_0 ORDER BY city' });
    expect(asc.data[0]).toEqual(['Olinda', 'Recife', 'Recife', 'Salvador', null]);
    const desc = await sandbox.evaluate({ tables: [ORDERS], sql: 'SELECT city FROM __scan_0 ORDER BY city DESC' });
    expect(desc.data[0]).toEqual([null, 'Salvador', 'Recife', 'Recife', 'Olinda']);
  });

  it('shows each evaluation only its own tables, even under the same name at the same time', async () => {
    const own = (v: string): SandboxTable => ({ name: '__scan_0', rowCount: 1, columns: [{ name: 'v', type: 'VARCHAR', values: [v] }] });
    const answers = await Promise.all(['a', 'b', 'c', 'd'].map((v) => sandbox.evaluate({ tables: [own(v)], sql: 'SELECT v FROM __scan_0' })));
    expect(answers.map((r) => r.data[0])).toEqual([['a'], ['b'], ['c'], ['d']]);
    expect((await failure(sandbox.evaluate({ tables: [], sql: 'SELECT v FROM __scan_0' }))).sqlState).toBe('42501');
  });

  it("answers 0A000 naming DuckDB's reason when DuckDB cannot run what PostgreSQL's parser accepts", async () => {
    // `at` is a column name to PostgreSQL, a keyword to DuckDB.
    const e = await failure(sandbox.evaluate({ tables: [ORDERS], sql: 'SELECT min(at) FROM (SELECT sold_at AS at FROM __scan_0) t' }));
    expect(e).toMatchObject({ sqlState: '0A000', message: expect.stringContaining('Parser Error') });
  });

  it('refuses table functions and settings before running anything', async () => {
    expect(await failure(sandbox.evaluate({ tables: [ORDERS], sql: "SELECT * FROM __scan_0, read_text('/etc/hostname')" }))).toMatchObject({ sqlState: '42501', message: expect.stringContaining('read_text') });
    expect(await failure(sandbox.evaluate({ tables: [ORDERS], sql: "SELECT current_setting('threads') FROM __scan_0" }))).toMatchObject({ sqlState: '42501', message: expect.stringContaining('current_setting') });
  });

  it('ends a runaway statement at the timeout with 57014, and the next one runs', async () => {
    const started = Date.now();
    const e = await failure(sandbox.evaluate({ tables: [MANY], sql: ENDLESS }));
    const took = Date.now() - started;
    expect(e).toEqual({ sqlState: '57014', message: 'canceling statement due to statement timeout' });
    expect(took).toBeGreaterThanOrEqual(1400);
    expect(took).toBeLessThan(2500);
    expect((await sandbox.evaluate({ tables: [ORDERS], sql: 'SELECT count(*) AS n FROM __scan_0' })).data).toEqual([['5']]);
  });

  it('interrupts the running statement within a second of a cancel', async () => {
    const controller = new AbortController();
    const running = failure(sandbox.evaluate({ tables: [MANY], sql: ENDLESS, signal: controller.signal }));
    await new Promise((r) => setTimeout(r, 300));
    const cancelled = Date.now();
    controller.abort();
    const e = await running;
    expect(e).toEqual({ sqlState: '57014', message: 'canceling statement due to user request' });
    expect(Date.now() - cancelled).toBeLessThan(1000);
  });

  it('answers 53200 when the working set or the result passes the memory limit, and keeps serving', async () => {
    const working = await failure(sandbox.evaluate({ tables: [MANY], sql: "SELECT string_agg(repeat('x', 100000), ',') FROM __scan_1" }));
    expect(working.sqlState).toBe('53200');
    const result = await failure(sandbox.evaluate({ tables: [MANY], sql: "SELECT repeat('x', 1000) FROM __scan_1 a, (SELECT i FROM __scan_1 LIMIT 100) b" }));
    expect(result).toMatchObject({ sqlState: '53200', message: expect.stringContaining('64MB') });
    expect((await sandbox.evaluate({ tables: [ORDERS], sql: 'SELECT max(n) FROM __scan_0' })).data).toEqual([['5']]);
  });

  it("answers 53200 for strings DuckDB's memory limit does not bound, built in the sandbox's process: the server's memory stays where it was", async () => {
    // Each passes the static check (no constant length over a million) and would build a string of
    // 0.5 to 3.6 GB: concatenations of a column over CTE levels, replace() multiplying a string,
    // printf's width taken from an argument.
    const CONCAT = `WITH a AS (SELECT repeat('x', 1000000) AS s), b AS (SELECT s||s||s||s||s||s||s||s AS s FROM a),
      c AS (SELECT s||s||s||s||s||s||s||s AS s FROM b), d AS (SELECT s||s||s||s||s||s||s||s AS s FROM c) SELECT length(s) FROM d`;
    const before = process.memoryUsage().rss;
    for (const sql of [CONCAT, "SELECT length(replace(repeat('a', 60000), 'a', repeat('b', 60000)))", "SELECT length(printf('%*d', 900000000, 5))"]) {
      expect(await failure(sandbox.evaluate({ tables: [ORDERS], sql }))).toMatchObject({ sqlState: '53200' });
    }
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 2 ** 20);
    expect((await sandbox.evaluate({ tables: [ORDERS], sql: "SELECT length(repeat('ab', n::INTEGER)) AS l FROM __scan_0 ORDER BY n" })).data).toEqual([['2', '4', '6', '8', '10']]);
  });

  it('waits for a free slot past maxConcurrent, and a waiting evaluation can be cancelled', async () => {
    const one = await createResidualSandbox({ timeoutMs: 1500, memoryLimit: '64MB', maxConcurrent: 1 });
    try {
      const first = failure(one.evaluate({ tables: [MANY], sql: ENDLESS }));
      const controller = new AbortController();
      const second = failure(one.evaluate({ tables: [ORDERS], sql: 'SELECT 1 FROM __scan_0', signal: controller.signal }));
      setTimeout(() => controller.abort(), 200);
      const started = Date.now();
      expect((await second).sqlState).toBe('57014');
      expect(Date.now() - started).toBeLessThan(1000);
      expect((await first).message).toBe('canceling statement due to statement timeout');
    } finally {
      await one.close();
    }
  });
});

describe("the sandbox's DuckDB, should the static check miss something", () => {
  let secret: string;
  let marker: string;

  beforeAll(async () => {
    marker = `sandbox-marker-${randomBytes(8).toString('hex')}`;
    secret = join(await mkdtemp(join(tmpdir(), 'sandbox-')), 'secret.csv');
    await writeFile(secret, `a\n${marker}\n`);
  });

  it('cannot read files, attach databases, install or load extensions, or change its settings', async () => {
    const instance = await DuckDBInstance.create(':memory:', sandboxInstanceSettings(DEFAULT_SANDBOX_OPTIONS));
    const c = await instance.connect();
    const attempt = async (sql: string): Promise<string> => {
      try {
        return JSON.stringify((await c.runAndReadAll(sql)).getRowsJson());
      } catch (error) {
        return `refused: ${(error as Error).message}`;
      }
    };
    try {
      const answers = [
        await attempt(`SELECT * FROM read_text('${secret}')`),
        await attempt(`SELECT * FROM read_csv('${secret}')`),
        await attempt(`SELECT * FROM '${secret}'`),
        await attempt(`SELECT * FROM glob('${secret}')`),
        await attempt(`COPY (SELECT 1) TO '${secret}.out'`),
        await attempt(`ATTACH '${secret}.db'`),
        await attempt('INSTALL httpfs'),
        await attempt('LOAD httpfs'),
        await attempt('SET enable_external_access = true'),
        await attempt('SET lock_configuration = false'),
        await attempt("SET memory_limit = '64GB'"),
        await attempt('SET threads = 8'),
      ];
      for (const answer of answers) expect(answer).toMatch(/^refused: /);
      expect(answers.join('\n')).not.toContain(marker);
      const settings = await attempt("SELECT name, value FROM duckdb_settings() WHERE name IN ('enable_external_access', 'lock_configuration', 'threads', 'memory_limit', 'autoload_known_extensions', 'autoinstall_known_extensions', 'max_temp_directory_size') ORDER BY name");
      expect(JSON.parse(settings)).toEqual([
        ['autoinstall_known_extensions', 'false'],
        ['autoload_known_extensions', 'false'],
        ['enable_external_access', 'false'],
        ['lock_configuration', 'true'],
        ['max_temp_directory_size', '0 bytes'],
        ['memory_limit', '488.2 MiB'],
        ['threads', '1'],
      ]);
    } finally {
      c.closeSync();
      instance.closeSync();
    }
  });
});
