import type { DuckDBConnection } from '@duckdb/node-api';
import type { BatchContext } from './ingest-types.ts';
import { thisBatchSql } from './load-sql.ts';

/**
 * Rows of this batch that landed in `bronze.<table>`, by landing-relative file: a loader compares
 * them with what each file holds to find the few files it must read again for the quarantine.
 */
export async function acceptedPerFile(connection: DuckDBConnection, table: string, ctx: BatchContext): Promise<Map<string, number>> {
  const landed = await connection.runAndReadAll(`SELECT _source, count(*) FROM bronze.${table} WHERE ${thisBatchSql(ctx)} GROUP BY _source`);
  return new Map(landed.getRows().map(([file, n]) => [String(file), Number(n)]));
}
