/**
 * The streaming gold tables (notebooks/sql/streaming/00_tables.sql) added to the gold fixture,
 * with campaign-by-minute rows written by hand-made SQL: three campaigns over four hours of
 * 2024-05-01 (several hourly partitions for the per-minute rollup of campanhas_tempo_real), one
 * credited to '(direct)', values varied by minute so sums differ per bucket.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';

const STREAMING_TABLES = path.resolve(import.meta.dirname, '../../../notebooks/sql/streaming/00_tables.sql');

export async function addStreamingGold(instance: DuckDBInstance): Promise<void> {
  const connection = await instance.connect();
  try {
    await connection.run(await readFile(STREAMING_TABLES, 'utf8'));
    await connection.run(`INSERT INTO gold.campanha_metricas_minuto
      SELECT strftime(m, '%Y-%m-%d %H:%M:%S') || '|' || s || '|' || md || '|' || c, m, CAST(strftime(m, '%Y%m%d') AS INT), s, md, c,
        1 + k % 5, 1 + k % 4, k % 4, k % 3, k % 2, k % 2, 2 + k % 7, 1 + k % 6, k % 4, k % 2, k % 3, k % 2,
        CAST((k % 2) * (19.9 + k % 5) AS DECIMAL(18,2)), m + INTERVAL 5 SECOND
      FROM (SELECT TIMESTAMP '2024-05-01 09:00:00' + i * INTERVAL 7 MINUTE AS m, i, j, i * 3 + j AS k,
                   ['google', 'meta', '(direct)'][j + 1] AS s, ['cpc', 'social', '(direct)'][j + 1] AS md, ['maes2024', 'bf2024', '(direct)'][j + 1] AS c
            FROM range(0, 35) a(i), range(0, 3) b(j))`);
  } finally {
    connection.closeSync();
  }
}
