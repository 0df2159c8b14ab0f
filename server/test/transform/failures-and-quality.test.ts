import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { isUserError } from '../../src/errors/user-error.ts';
import { DataQualityError, runQualityChecks } from '../../src/lakehouse/quality/run-quality-checks.ts';
import { runTransformations } from '../../src/lakehouse/transform/run-transformations.ts';
import { SQL_DIR, goldSnapshot, loadFixture, openEmptyLakehouse, rows } from './transform-fixture.ts';

async function builtLakehouse(): Promise<DuckDBConnection> {
  const connection = await openEmptyLakehouse();
  await loadFixture(connection, '01_bronze_batch1.sql');
  await runTransformations(connection, { sqlDir: SQL_DIR });
  return connection;
}

/** A copy of notebooks/sql in a temp dir, with an extra gold file appended. */
function sqlDirWithExtraGoldFile(name: string, sql: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'transform-sql-'));
  fs.cpSync(SQL_DIR, dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'gold', name), sql);
  return dir;
}

async function silverAndGold(connection: DuckDBConnection) {
  return { gold: await goldSnapshot(connection), lines: await rows(connection, 'SELECT * FROM silver.order_lines ORDER BY order_id, line_no') };
}

describe('a failing SQL step', () => {
  it('leaves every table as it was and names the file, statement and line', async () => {
    const connection = await builtLakehouse();
    await loadFixture(connection, '02_bronze_batch2.sql');
    const before = await silverAndGold(connection);
    const sqlDir = sqlDirWithExtraGoldFile('99_broken.sql', '-- a broken step\nCREATE TABLE IF NOT EXISTS gold.broken (x INT);\n\nINSERT INTO gold.broken SELECT no_such_column FROM gold.fato_vendas;\n');
    const error = await runTransformations(connection, { sqlDir }).catch((e: unknown) => e);
    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^gold\/99_broken\.sql: statement 2 \(line 4\) failed: .*no_such_column/s);
    expect(await silverAndGold(connection)).toEqual(before);
    expect(await rows(connection, "SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'broken'")).toEqual([{ n: '0' }]);
  });

  it('reports a missing SQL folder as a user error', async () => {
    const connection = await openEmptyLakehouse();
    await expect(runTransformations(connection, { sqlDir: path.join(os.tmpdir(), 'no-such-sql-dir') })).rejects.toThrow(/SQL folder not found/);
  });
});

describe('data-quality checks', () => {
  let connection: DuckDBConnection;
  beforeAll(async () => {
    connection = await builtLakehouse();
  });

  it('pass on every layer of a clean build', async () => {
    for (const layer of ['bronze', 'silver', 'gold'] as const) {
      const report = await runQualityChecks(connection, layer);
      expect(report.passed).toBe(true);
      expect(report.results.length).toBeGreaterThan(5);
    }
  });

  it('fail on corrupted gold with a readable report naming table, check and samples', async () => {
    const corrupted = await builtLakehouse();
    await corrupted.run(`INSERT INTO gold.fato_vendas SELECT * REPLACE (999 AS produto_sk) FROM gold.fato_vendas WHERE venda_id = 'erp:O1:1'`);
    await corrupted.run(`UPDATE gold.fato_vendas SET tipo_cliente = 'vip' WHERE venda_id = 'pos:S0:1'`);
    await corrupted.run(`UPDATE gold.dim_cliente SET is_atual = true WHERE cliente_id = 'C001'`);
    const error = await runQualityChecks(corrupted, 'gold').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataQualityError);
    const message = (error as DataQualityError).message;
    expect((error as DataQualityError).code).toBe('DATA_QUALITY');
    expect(message).toContain('Data quality checks failed for the gold layer');
    expect(message).toContain('gold.fato_vendas: unique(venda_id): 1 failing row(s), e.g. erp:O1:1 ×2');
    expect(message).toContain('gold.fato_vendas: references(produto_sk → gold.dim_produto.produto_sk): 1 failing row(s), e.g. erp:O1:1: 999');
    expect(message).toContain('gold.fato_vendas: accepted_values(tipo_cliente in novo|recorrente|nao_identificado|sem_historico): 1 failing row(s), e.g. pos:S0:1: vip');
    expect(message).toContain('gold.dim_cliente: one current version per customer: 1 failing row(s), e.g. C001: 2 current versions');
    expect(message.split('\n').length).toBe(1 + (error as DataQualityError).report.results.filter((r) => r.failures > 0).length);
  });

  it('fail when a table of the layer is missing', async () => {
    const empty = await openEmptyLakehouse();
    await expect(runQualityChecks(empty, 'gold')).rejects.toThrow(/gold\.fato_vendas: table exists: 1 failing row\(s\), e\.g\. gold\.fato_vendas is missing/);
  });
});
