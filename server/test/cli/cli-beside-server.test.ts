/**
 * The pipeline CLI beside a running `npm start` (issue 11). The real server runs in a child process
 * on a temp lakehouse at a tiny scale and holds its DuckDB file; the real CLI runs in child
 * processes. Lakehouse commands go through the server's jobs API and their results are checked
 * through the REST API (hand-written orders, hand-counted lines); expected conditions (lakehouse
 * held, no stream, Kinesis unreachable, no AWS credentials) exit with their documented code and a
 * plain message, never "internal error".
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runMain, type MainProcess } from '../api/support/run-main.ts';
import { cliEnv, REPO_ROOT, runCliProcess, type CliRun } from './run-cli-process.ts';

const NEW_DAY = '2025-03-11';
const ORDER_ID = 'OCLI0000001';

describe('the CLI beside a running server', () => {
  let dir: string;
  let server: MainProcess;
  let restUrl: string;
  const cli = (...args: string[]) => runCliProcess([...args, '--lakehouse-dir', dir]);

  /** A REST /load of one measure, retried on Cube's "Continue wait". */
  async function load(query: object): Promise<number> {
    for (;;) {
      const response = await fetch(`${restUrl}/load?query=${encodeURIComponent(JSON.stringify(query))}`);
      const body = (await response.json()) as { error?: string; data?: Record<string, unknown>[] };
      if (body.error === 'Continue wait') continue;
      expect(response.status, JSON.stringify(body)).toBe(200);
      return Number(Object.values(body.data![0] ?? {})[0] ?? 0);
    }
  }

  function expectNoInternalError(run: CliRun): void {
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/internal error/i);
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-beside-server-'));
    const generated = await runCliProcess(['generate', '--scale', '0.01', '--seed', '5', '--from', '2025-03-01', '--to', '2025-03-10', '--lakehouse-dir', dir]);
    expect(generated.code, generated.stderr).toBe(0);
    server = runMain(REPO_ROOT, cleanEnv({
      LAKEHOUSE_DIR: dir, CUBEJS_DEV_MODE: 'true', PORT: '0', CUBEJS_PG_SQL_PORT: 'false', LAKEHOUSE_STREAM_RATE: '0', CUBEJS_LOG_LEVEL: 'warn',
    }));
    const [, url] = await server.waitFor(/REST API: (\S+)/, 240_000);
    restUrl = url!;
    await server.waitFor(/Streaming: Kinesis/, 60_000);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'server.json'), 'utf8'))).toMatchObject({ pid: server.child.pid, duckdbPath: path.join(dir, 'lakehouse.duckdb') });
  });

  afterAll(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('ingests through the jobs API: the good lines land, the broken one is quarantined', async () => {
    // A new day with one order (ids of a generated customer and products) and three lines, one broken.
    const landing = path.join(dir, 'landing');
    const firstOrder = fs.readFileSync(path.join(landing, 'erp/orders/dt=2025-03-01/orders_20250301.csv'), 'utf8').split('\n')[1]!.split(',');
    const products = fs.readFileSync(path.join(landing, 'erp/order_lines/dt=2025-03-01/order_lines_20250301.csv'), 'utf8')
      .split('\n').slice(1, 3).map((l) => l.split(',')[2]!);
    const ts = `${NEW_DAY} 10:00:00`;
    const write = (file: string, lines: string[]) => {
      fs.mkdirSync(path.dirname(path.join(landing, file)), { recursive: true });
      fs.writeFileSync(path.join(landing, file), `${lines.join('\n')}\n`);
    };
    write(`erp/orders/dt=${NEW_DAY}/orders_20250311.csv`, [
      'order_id,customer_id,channel,store_id,order_ts,status,order_discount,campaign_id,utm_source,utm_medium,utm_campaign,updated_at',
      `${ORDER_ID},${firstOrder[1]},site,L000,${ts},paid,0.00,,,,,${ts}`,
    ]);
    write(`erp/order_lines/dt=${NEW_DAY}/order_lines_20250311.csv`, [
      'order_id,line_no,product_id,quantity,unit_price,line_discount,updated_at',
      `${ORDER_ID},1,${products[0]},2,10.00,0.00,${ts}`,
      `${ORDER_ID},2,"${products[1]},3,10.00,0.00,${ts}`, // unterminated quote: quarantined, the next line still lands
      `${ORDER_ID},3,${products[1]},5,10.00,0.00,${ts}`,
    ]);

    const run = await cli('ingest', '--no-rds');
    expectNoInternalError(run);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/held by the running server \(PID \d+, http:\/\/\S+\): ingesting through its jobs API/);
    // table, files, skipped, read, accepted, quarantined: 3 lines written, 2 good, 1 broken.
    expect(run.stdout).toMatch(/erp_order_lines\s+1\s+\d+\s+3\s+2\s+1\s/);
    expect(run.stdout).toMatch(/erp_orders\s+1\s+\d+\s+1\s+1\s+0\s/);
  });

  it('transforms through the jobs API: the new order is queryable with the units of its good lines', async () => {
    const run = await cli('transform');
    expectNoInternalError(run);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Transformed silver, gold/);
    const units = await load({ measures: ['fato_vendas.unidades'], filters: [{ member: 'fato_vendas.pedido_id', operator: 'equals', values: [ORDER_ID] }] });
    expect(units).toBe(2 + 5);
  });

  it('checks through the jobs API', async () => {
    const run = await cli('check');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('silver: all checks passed\ngold: all checks passed\n');
  });

  it('reports an error the server found with its code and exit 1 (unknown table)', async () => {
    const run = await cli('ingest', '--tables', 'nope');
    expectNoInternalError(run);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error \[PIPELINE_INPUT\]: Unknown bronze table\(s\) nope/);
  });

  it('lists and builds rollups through the pre-aggregation endpoints', async () => {
    const status = await cli('preagg', 'status');
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/fato_vendas\.por_canal_dia/);
    const build = await cli('preagg', 'build', '--only', 'fato_vendas.por_canal_dia');
    expectNoInternalError(build);
    expect(build.code, build.stderr).toBe(0);
    expect(build.stdout).toMatch(/fato_vendas\.por_canal_dia.*'ready'/);
  });

  it('produces to the local stream of the running server by default, and the events become queryable', async () => {
    const before = await load({ measures: ['eventos.eventos'] });
    const run = await cli('stream', 'produce', '--count', '12', '--rate', '200');
    expectNoInternalError(run);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^12 events acknowledged on ecommerce-events \(the local stream of the running server/);
    const deadline = Date.now() + 60_000;
    let after = before;
    while (after < before + 12 && Date.now() < deadline) {
      await sleep(500);
      after = await load({ measures: ['eventos.eventos'] });
    }
    expect(after).toBe(before + 12);
  });

  it('refuses stream consume and options the server cannot honour, with exit 3', async () => {
    const consume = await cli('stream', 'consume', '--drain');
    expectNoInternalError(consume);
    expect(consume.code).toBe(3);
    expect(consume.stderr).toMatch(/error \[LAKEHOUSE_BUSY\]: .*lakehouse\.duckdb is held by the running server .* consumes its own stream/);
    const landing = await cli('ingest', '--landing', path.join(dir, 'elsewhere'));
    expect(landing.code).toBe(3);
    expect(landing.stderr).toMatch(/error \[LAKEHOUSE_BUSY\]: .*so --landing cannot apply/);
  });

  it('names the holder of a lock it cannot go around (no server announced for that folder), with exit 3', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-other-'));
    try {
      const run = await runCliProcess(['ingest', '--lakehouse-dir', other, '--duckdb', path.join(dir, 'lakehouse.duckdb'), '--no-rds']);
      expectNoInternalError(run);
      expect(run.code).toBe(3);
      expect(run.stderr).toContain(`error [LAKEHOUSE_BUSY]: ${path.join(dir, 'lakehouse.duckdb')} is held by process ${server.child.pid}`);
      expect(run.stderr).toMatch(/hint: .*stop that process/);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  it('after the server stops: the announcement is gone and the CLI opens the lakehouse itself', async () => {
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(fs.existsSync(path.join(dir, 'server.json'))).toBe(false);
    // A stale announcement (its process gone) is ignored.
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.on('exit', resolve));
    fs.writeFileSync(path.join(dir, 'server.json'), JSON.stringify({
      pid: gone.pid, url: 'http://127.0.0.1:9', restBasePath: '/cubejs-api/v1', duckdbPath: path.join(dir, 'lakehouse.duckdb'), startedAt: new Date().toISOString(),
    }));
    const run = await cli('ingest', '--no-rds');
    expectNoInternalError(run);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/jobs API/);
    expect(run.stdout).toMatch(/erp_order_lines\s+0\s+\d+\s+0\s+0\s+0\s/); // every file already ingested
  });
});

describe('where stream produce goes without a running server', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-no-server-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const produce = (extra: string[], env?: NodeJS.ProcessEnv) =>
    runCliProcess(['stream', 'produce', '--count', '5', '--no-catalog', '--lakehouse-dir', dir, ...extra], env);

  it('says there is no local stream (exit 4) instead of calling AWS', async () => {
    const run = await produce([]);
    expectPlain(run, 4, /error \[SOURCE_UNREACHABLE\]: No local stream: no server runs on .*\n {2}hint: Start `npm start`.*--endpoint.*--aws/);
  });

  it('reports an unreachable Kinesis endpoint (exit 4)', async () => {
    const run = await produce(['--endpoint', 'http://127.0.0.1:9']);
    expectPlain(run, 4, /error \[SOURCE_UNREACHABLE\]: Kinesis at http:\/\/127\.0\.0\.1:9 is unreachable \(ECONNREFUSED\)/);
  });

  it('reports AWS without credentials (exit 1)', async () => {
    const env = cliEnv({
      AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined, AWS_PROFILE: undefined,
      AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: path.join(dir, 'none'), AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none'),
    });
    const run = await produce(['--aws'], env);
    expectPlain(run, 1, /error \[ACCESS_DENIED\]: No AWS credentials found for AWS Kinesis in [a-z0-9-]+/);
  });

  function expectPlain(run: CliRun, code: number, message: RegExp): void {
    expect(run.code, run.stderr).toBe(code);
    expect(run.stderr).toMatch(message);
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/internal error|\n\s+at /);
  }
});
