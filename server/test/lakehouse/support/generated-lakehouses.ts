/**
 * What the restart and concurrency suites compare lakehouses by, and where they build them: the
 * row counts and sums of the tables an interrupted generation would leave short (the RDS sources
 * in bronze and the gold facts built from them), read the same way from every lakehouse, and temp
 * lakehouse folders removed together at the end.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openLakehouse } from '../../../src/lakehouse/open-lakehouse.ts';
import { resolveLakehousePaths, type LakehousePaths } from '../../../src/lakehouse/lakehouse-paths.ts';

const TABLE_TOTALS = `
  SELECT 'bronze.order_status', count(*), 0 FROM bronze.order_status
  UNION ALL SELECT 'bronze.returns', count(*), coalesce(sum(refund_amount), 0) FROM bronze.returns
  UNION ALL SELECT 'gold.fato_vendas', count(*), coalesce(sum(valor_liquido), 0) FROM gold.fato_vendas
  UNION ALL SELECT 'gold.fato_devolucoes', count(*), coalesce(sum(valor_devolvido), 0) FROM gold.fato_devolucoes
  ORDER BY 1`;

/** [table, rows, sum] of each compared table, as text. */
export async function tableTotals(duckdbPath: string): Promise<string[][]> {
  const connection = await openLakehouse(duckdbPath);
  try {
    return (await connection.runAndReadAll(TABLE_TOTALS)).getRows().map((row) => row.map(String));
  } finally {
    connection.closeSync();
  }
}

/** Fresh lakehouse folders named `<prefix>…` under the temp dir; `removeAll()` deletes every one. */
export function tempLakehouses(prefix: string): { paths(): LakehousePaths; removeAll(): void } {
  const dirs: string[] = [];
  return {
    paths() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
      dirs.push(dir);
      return resolveLakehousePaths({ dir }, {});
    },
    removeAll() {
      for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
