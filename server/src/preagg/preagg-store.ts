/**
 * The pre-aggregation store: an embedded DuckDB database apart from the lakehouse (our
 * counterpart of Cube Store). Each build writes a new versioned table per partition; the
 * catalog switches to it in one transaction, so a query sees either the old or the new version,
 * never a half-built one. Queries take a lease on the tables they read; a superseded table is
 * dropped once no lease holds it.
 */
import type { ColumnInfo, Driver, QueryResult } from '../drivers/driver-types.ts';
import { quoteIdentifier, sqlTypeFor, toSqlValue } from './store-types.ts';

export interface PartitionInfo {
  readonly partition: string; // '' for an unpartitioned rollup, else the partition start (ISO date)
  readonly table: string;
  readonly builtAt: string;
  readonly rowCount: number;
  readonly refreshKeyValue: string;
}

/** A snapshot of a rollup's tables taken for one query; `release()` when the query is done. */
export interface RollupLease {
  readonly tables: readonly string[];
  readonly columns: readonly ColumnInfo[];
  release(): void;
}

const INSERT_BATCH_ROWS = 500;

export class PreAggregationStore {
  private readonly driver: Driver;
  private readonly active = new Map<string, Map<string, PartitionInfo>>(); // rollupId → partition → info
  private readonly columns = new Map<string, readonly ColumnInfo[]>();
  private readonly leases = new Map<string, number>(); // table → readers
  private readonly superseded = new Set<string>();
  private version = Date.now();

  constructor(driver: Driver) {
    this.driver = driver;
  }

  get storeDriver(): Driver {
    return this.driver;
  }

  /** Creates the catalog and reloads what earlier runs built, so a restart serves at once. */
  async init(): Promise<void> {
    await this.driver.query('CREATE SCHEMA IF NOT EXISTS preagg', []);
    await this.driver.query(
      `CREATE TABLE IF NOT EXISTS preagg._partitions (rollup_id VARCHAR, partition_key VARCHAR, table_name VARCHAR,
        built_at VARCHAR, row_count BIGINT, refresh_key_value VARCHAR, columns_json VARCHAR, PRIMARY KEY (rollup_id, partition_key))`,
      [],
    );
    const result = await this.driver.query('SELECT rollup_id, partition_key, table_name, built_at, row_count, refresh_key_value, columns_json FROM preagg._partitions', []);
    const [ids, partitions, tables, builtAt, rowCounts, refreshKeys, columnsJson] = result.data;
    for (let i = 0; i < result.rowCount; i++) {
      const rollupId = String(ids![i]);
      this.partitionsOf(rollupId).set(String(partitions![i]), {
        partition: String(partitions![i]),
        table: String(tables![i]),
        builtAt: String(builtAt![i]),
        rowCount: Number(rowCounts![i]),
        refreshKeyValue: String(refreshKeys![i]),
      });
      this.columns.set(rollupId, JSON.parse(String(columnsJson![i])) as ColumnInfo[]);
    }
  }

  /**
   * Loads one partition's rows into a fresh table and swaps it in. On any failure the new table
   * is dropped and the previous version keeps serving; the error propagates to the caller.
   */
  async replacePartition(rollupId: string, partition: string, result: QueryResult, refreshKeyValue: string): Promise<PartitionInfo> {
    const table = `preagg.${quoteIdentifier(`${rollupId}__${partition.replace(/[^0-9A-Za-z]/g, '') || 'all'}__${(this.version++).toString(36)}`)}`;
    const types = result.columns.map((column, i) => sqlTypeFor(column.type, result.data[i] ?? []));
    try {
      const columnSql = result.columns.map((c, i) => `${quoteIdentifier(c.name)} ${types[i]}`).join(', ');
      await this.driver.query(`CREATE TABLE ${table} (${columnSql})`, []);
      await this.insertRows(table, result, types);
      const info: PartitionInfo = { partition, table, builtAt: new Date().toISOString(), rowCount: result.rowCount, refreshKeyValue };
      // One statement, so the persisted catalog switches atomically; queries read the in-memory
      // catalog, switched below in one synchronous step.
      await this.driver.query('INSERT OR REPLACE INTO preagg._partitions VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        rollupId, partition, table, info.builtAt, info.rowCount, refreshKeyValue, JSON.stringify(result.columns),
      ]);
      const previous = this.partitionsOf(rollupId).get(partition);
      this.partitionsOf(rollupId).set(partition, info);
      this.columns.set(rollupId, result.columns);
      if (previous) this.retire(previous.table);
      return info;
    } catch (error) {
      await this.driver.query(`DROP TABLE IF EXISTS ${table}`, []).catch(() => undefined);
      throw error;
    }
  }

  /** Removes partitions no longer in the build range (e.g. after `build_range_start` moved). */
  async dropPartitionsExcept(rollupId: string, keep: ReadonlySet<string>): Promise<void> {
    for (const [partition, info] of [...this.partitionsOf(rollupId)]) {
      if (keep.has(partition)) continue;
      await this.driver.query('DELETE FROM preagg._partitions WHERE rollup_id = $1 AND partition_key = $2', [rollupId, partition]);
      this.partitionsOf(rollupId).delete(partition);
      this.retire(info.table);
    }
  }

  partitions(rollupId: string): readonly PartitionInfo[] {
    return [...this.partitionsOf(rollupId).values()].sort((a, b) => a.partition.localeCompare(b.partition));
  }

  isBuilt(rollupId: string): boolean {
    return this.partitionsOf(rollupId).size > 0;
  }

  /** Takes a lease on the rollup's current tables, or undefined when it has never been built. */
  lease(rollupId: string): RollupLease | undefined {
    const partitions = this.partitions(rollupId);
    const columns = this.columns.get(rollupId);
    if (partitions.length === 0 || !columns) return undefined;
    const tables = partitions.map((p) => p.table);
    for (const table of tables) this.leases.set(table, (this.leases.get(table) ?? 0) + 1);
    let released = false;
    return {
      tables,
      columns,
      release: () => {
        if (released) return;
        released = true;
        for (const table of tables) {
          const readers = (this.leases.get(table) ?? 1) - 1;
          if (readers > 0) this.leases.set(table, readers);
          else this.leases.delete(table);
          if (readers <= 0 && this.superseded.has(table)) void this.dropTable(table);
        }
      },
    };
  }

  async close(): Promise<void> {
    await this.driver.close();
  }

  private partitionsOf(rollupId: string): Map<string, PartitionInfo> {
    let partitions = this.active.get(rollupId);
    if (!partitions) {
      partitions = new Map();
      this.active.set(rollupId, partitions);
    }
    return partitions;
  }

  private retire(table: string): void {
    if (this.leases.has(table)) this.superseded.add(table);
    else void this.dropTable(table);
  }

  private async dropTable(table: string): Promise<void> {
    this.superseded.delete(table);
    await this.driver.query(`DROP TABLE IF EXISTS ${table}`, []).catch(() => undefined);
  }

  private async insertRows(table: string, result: QueryResult, types: readonly string[]): Promise<void> {
    const width = result.columns.length;
    for (let start = 0; start < result.rowCount; start += INSERT_BATCH_ROWS) {
      const end = Math.min(result.rowCount, start + INSERT_BATCH_ROWS);
      const params: unknown[] = [];
      const rows: string[] = [];
      for (let row = start; row < end; row++) {
        const cells: string[] = [];
        for (let col = 0; col < width; col++) {
          params.push(toSqlValue(result.data[col]![row]));
          cells.push(`CAST($${params.length} AS ${types[col]})`);
        }
        rows.push(`(${cells.join(', ')})`);
      }
      await this.driver.query(`INSERT INTO ${table} VALUES ${rows.join(', ')}`, params);
    }
  }
}
