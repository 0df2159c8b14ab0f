import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../open-lakehouse.ts';
import type { BatchContext } from './ingest-types.ts';

/**
 * This batch's rows in `bronze.<table>` (a source's table, or the quarantine) by landing-relative
 * file: loaders compare what landed with what each file holds to find the few files to read again
 * for the quarantine, and the batch reconciles every file's accepted + quarantined rows. The batch's
 * `_ingested_at` is filtered too: bronze is append-only, so its zone maps skip every older row group
 * and the count reads only this batch's rows, not the whole table.
 */
export async function batchRowsPerFile(connection: DuckDBConnection, table: string, ctx: BatchContext): Promise<Map<string, number>> {
  const counted = await connection.runAndReadAll(`SELECT _source, count(*) FROM bronze.${table}
    WHERE _ingested_at = TIMESTAMP '${ctx.ingestedAt}' AND _batch_id = ${sqlString(ctx.batchId)} GROUP BY _source`);
  return new Map(counted.getRows().map(([file, n]) => [String(file), Number(n)]));
}
