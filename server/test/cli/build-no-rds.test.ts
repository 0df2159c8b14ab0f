/**
 * `cli build --no-rds` builds without any RDS source: nothing is generated into an embedded
 * Postgres and nothing is read from one (it created and loaded `<lakehouse>/rds` anyway, because
 * "no RDS URL" fell back to the default one; found by a QA engineer).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index.ts';

let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('cli build --no-rds', () => {
  it('builds gold from the landing files alone and never opens an RDS', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'build-no-rds-'));
    const code = await runCli(['node', 'cli', 'build', '--no-rds', '--lakehouse-dir', dir, '--scale', '0.005', '--seed', '7']);
    expect(code).toBe(0);
    expect(existsSync(path.join(dir, 'rds'))).toBe(false);
    const instance = await DuckDBInstance.create(path.join(dir, 'lakehouse.duckdb'), { access_mode: 'READ_ONLY' });
    const connection = await instance.connect();
    try {
      const count = async (sql: string) => Number((await connection.runAndReadAll(sql)).getRows()[0]![0]);
      expect(await count('SELECT count(*) FROM gold.fato_vendas')).toBeGreaterThan(0);
      const rdsTables = await count("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'bronze' AND table_name IN ('order_status', 'returns')");
      const rdsRows = rdsTables === 0 ? 0 : await count('SELECT (SELECT count(*) FROM bronze.order_status) + (SELECT count(*) FROM bronze.returns)');
      expect(rdsRows).toBe(0);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  }, 180_000);
});
