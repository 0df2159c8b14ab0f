import type { RdsClient } from './rds-client.ts';

/** A table of the transactional database that ingestion extracts incrementally by `updated_at`. */
export interface RdsTable {
  readonly name: 'order_status' | 'returns';
  readonly key: string;
  /** Columns in order, with the type in the common subset of Postgres and MySQL. */
  readonly columns: readonly (readonly [string, string])[];
}

export const RDS_TABLES: readonly RdsTable[] = [
  { name: 'order_status', key: 'order_id', columns: [['order_id', 'VARCHAR(40)'], ['status', 'VARCHAR(20)'], ['updated_at', 'TIMESTAMP(6)']] },
  {
    name: 'returns', key: 'return_id',
    columns: [['return_id', 'VARCHAR(60)'], ['source_system', 'VARCHAR(10)'], ['order_id', 'VARCHAR(40)'], ['line_no', 'INT'],
      ['quantity', 'INT'], ['refund_amount', 'DECIMAL(18,2)'], ['refunded_at', 'TIMESTAMP(6)'], ['updated_at', 'TIMESTAMP(6)']],
  },
];

/** Creates the RDS tables (and the `updated_at` index incremental extraction relies on) when missing. */
export async function ensureRdsTables(client: RdsClient): Promise<void> {
  for (const table of RDS_TABLES) {
    const columns = table.columns.map(([name, type]) => `${name} ${type}${name === table.key ? ' NOT NULL PRIMARY KEY' : ''}`).join(', ');
    await client.query(`CREATE TABLE IF NOT EXISTS ${table.name} (${columns})`);
    if (client.dialect === 'postgres') {
      await client.query(`CREATE INDEX IF NOT EXISTS ${table.name}_updated_at ON ${table.name} (updated_at)`);
    } else {
      const existing = await client.query(`SHOW INDEX FROM ${table.name} WHERE Key_name = '${table.name}_updated_at'`);
      if (existing.length === 0) await client.query(`CREATE INDEX ${table.name}_updated_at ON ${table.name} (updated_at)`);
    }
  }
}

/** Inserts or updates rows by key (rows in column order), in batches that stay under parameter limits. */
export async function upsertRdsRows(client: RdsClient, table: RdsTable, rows: readonly (readonly unknown[])[]): Promise<void> {
  const names = table.columns.map(([name]) => name);
  const updates = names.filter((n) => n !== table.key);
  const conflict = client.dialect === 'postgres'
    ? `ON CONFLICT (${table.key}) DO UPDATE SET ${updates.map((n) => `${n} = EXCLUDED.${n}`).join(', ')}`
    : `ON DUPLICATE KEY UPDATE ${updates.map((n) => `${n} = VALUES(${n})`).join(', ')}`;
  const batchSize = 1000;
  for (let start = 0; start < rows.length; start += batchSize) {
    const batch = rows.slice(start, start + batchSize);
    let i = 0;
    const tuples = batch.map(() => `(${names.map(() => client.placeholder(++i)).join(', ')})`).join(', ');
    await client.query(`INSERT INTO ${table.name} (${names.join(', ')}) VALUES ${tuples} ${conflict}`, batch.flat());
  }
}
