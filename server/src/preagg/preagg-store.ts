/**
 * The pre-aggregation store: an embedded DuckDB database apart from the lakehouse (our
 * counterpart of Cube Store). Each build writes a new versioned table per partition; the
 * catalog switches to it in one statement, so a query sees either the old or the new version,
 * never a half-built one. Queries take a lease on the tables they read; a superseded table is
 * dropped once no lease holds it.
 *
 * Rows reach the store from any source driver as a columnar `QueryResult`; they are staged as a
 * CSV file in `stagingDir` and bulk-loaded with `read_csv` (the way Cube loads external
 * rollups into Cube Store through files). A staging or load failure drops the new table and
 * leaves the previous version serving.
 */
import { mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ColumnInfo, Driver, QueryOptions, QueryResult } from '../drivers/driver-types.ts';
import { UserError } from '../errors/user-error.ts';
import { quoteIdentifier, sqlTypeFor } from './store-types.ts';
import { writeStagingCsv } from './staging-csv.ts';

export interface PartitionInfo {
  readonly partition: string; // '' for an unpartitioned rollup, else the partition start (ISO date)
  readonly table: string;
  readonly builtAt: string;
  readonly rowCount: number;
  readonly refreshKeyValue: string;
  /**
   * Latest time-dimension value in the partition (local ISO), or '' when none: a lambda rollup
   * unions the stored rows with source rows newer than this watermark.
   */
  readonly watermark: string;
  /**
   * For the batch rollup of a lambda whose source declares a change stamp: the source's latest
   * stamp read before this partition was built ('' otherwise). Source buckets stamped after it may
   * differ from the stored rows, so a lambda query reads them from the source (lambda-boundary.ts).
   */
  readonly changeStamp: string;
}

/** The time range a rollup's partitions hold in full (local ISO, inclusive; undefined = unbounded). */
export type BuildRange = readonly [string | undefined, string | undefined];

export function sameBuildRange(a: BuildRange | undefined, b: BuildRange | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a[0] === b[0] && a[1] === b[1]);
}

/**
 * When the oldest of these partitions was built (ms), undefined for none: the data an answer read
 * from them is at least that old (Cube's getLastUpdatedAtTimestamp takes the oldest too).
 */
export function oldestBuiltAt(partitions: readonly PartitionInfo[]): number | undefined {
  const times = partitions.map((p) => Date.parse(p.builtAt)).filter((t) => !Number.isNaN(t));
  return times.length === 0 ? undefined : Math.min(...times);
}

/** A snapshot of a rollup's tables taken for one query; `release()` when the query is done. */
export interface RollupLease {
  readonly tables: readonly string[];
  readonly columns: readonly ColumnInfo[];
  readonly partitions: readonly PartitionInfo[];
  release(): void;
}

export interface StoreOptions {
  /** Folder for the CSV files of builds in progress (default: a folder under the OS temp dir). */
  readonly stagingDir?: string;
}

/** Below this many partitions a union plans fast enough; above this many rows the copy costs too much. */
const CONSOLIDATE_FROM_PARTITIONS = 4;
const CONSOLIDATE_UP_TO_ROWS = 5_000_000;

// Not "preagg": a store file named preagg.duckdb is a catalog of that name, and DuckDB would find both ambiguous.
const SCHEMA = 'rollups';

export class PreAggregationStore {
  private readonly driver: Driver;
  private readonly readDriver: Driver;
  private readonly stagingDir: string;
  private readonly active = new Map<string, Map<string, PartitionInfo>>(); // storeKey → partition → info
  private readonly columns = new Map<string, readonly ColumnInfo[]>();
  private readonly leases = new Map<string, number>(); // table → readers
  private readonly superseded = new Set<string>();
  /** Drops started and not finished: listing tables and closing wait for them. */
  private readonly drops = new Set<Promise<void>>();
  /** Sorted partitions per rollup, rebuilt after a catalog change (leases read it on every query). */
  private readonly sorted = new Map<string, readonly PartitionInfo[]>();
  private readonly buildRanges = new Map<string, BuildRange>();
  /** Partition keys the last refresh pass listed per rollup (built or still to build). */
  private readonly expected = new Map<string, readonly string[]>();
  /** Per rollup, one table holding all its partitions, and the partition tables it was copied from. */
  private readonly consolidated = new Map<string, { readonly table: string; readonly sources: string }>();
  private version = Date.now();
  private changes = 0;

  constructor(driver: Driver, options: StoreOptions = {}) {
    this.driver = driver;
    this.readDriver = {
      name: driver.name,
      query: (sql, params, queryOptions) => driver.query(sql, params, { reusePlan: true, ...queryOptions }),
      ...(driver.stream ? { stream: (sql: string, params: readonly unknown[], queryOptions?: QueryOptions) => driver.stream!(sql, params, queryOptions) } : {}),
      testConnection: () => driver.testConnection(),
      // The store closes its driver; a reader never does.
      close: async () => undefined,
    };
    this.stagingDir = options.stagingDir ?? path.join(os.tmpdir(), `preagg-staging-${process.pid}`);
  }

  /**
   * The driver queries of served rollups run on. A stored table is never written after it is built
   * (a rebuild writes a new one), so their plans may be kept and reused (`reusePlan`); the
   * catalog's own `_partitions` table takes writes and is read on `this.driver` directly.
   */
  get storeDriver(): Driver {
    return this.readDriver;
  }

  /**
   * Changes whenever the catalog does (a partition swapped in, dropped or reloaded): an answer
   * computed from leased tables stays valid while it is unchanged.
   */
  get generation(): number {
    return this.changes;
  }

  /** Creates the catalog, reloads what earlier runs built (a restart serves at once) and drops orphans of crashed builds. */
  async init(): Promise<void> {
    await this.driver.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`, []);
    await this.driver.query(
      `CREATE TABLE IF NOT EXISTS ${SCHEMA}._partitions (rollup_id VARCHAR, partition_key VARCHAR, table_name VARCHAR,
        built_at VARCHAR, row_count BIGINT, refresh_key_value VARCHAR, columns_json VARCHAR, watermark VARCHAR, PRIMARY KEY (rollup_id, partition_key))`,
      [],
    );
    // Stores created before lambda rollups lack the column: their partitions read as '' (no stamp).
    await this.driver.query(`ALTER TABLE ${SCHEMA}._partitions ADD COLUMN IF NOT EXISTS change_stamp VARCHAR`, []);
    await this.driver.query(`CREATE TABLE IF NOT EXISTS ${SCHEMA}._expected (rollup_id VARCHAR PRIMARY KEY, partitions_json VARCHAR)`, []);
    const expected = await this.driver.query(`SELECT rollup_id, partitions_json FROM ${SCHEMA}._expected`, []);
    for (let i = 0; i < expected.rowCount; i++) this.expected.set(String(expected.data[0]![i]), JSON.parse(String(expected.data[1]![i])) as string[]);
    const result = await this.driver.query(`SELECT rollup_id, partition_key, table_name, built_at, row_count, refresh_key_value, columns_json, watermark, change_stamp FROM ${SCHEMA}._partitions`, []);
    const [ids, partitions, tables, builtAt, rowCounts, refreshKeys, columnsJson, watermarks, changeStamps] = result.data;
    for (let i = 0; i < result.rowCount; i++) {
      const key = String(ids![i]);
      this.partitionsOf(key).set(String(partitions![i]), {
        partition: String(partitions![i]),
        table: String(tables![i]),
        builtAt: String(builtAt![i]),
        rowCount: Number(rowCounts![i]),
        refreshKeyValue: String(refreshKeys![i]),
        watermark: String(watermarks![i] ?? ''),
        changeStamp: String(changeStamps![i] ?? ''),
      });
      this.columns.set(key, JSON.parse(String(columnsJson![i])) as ColumnInfo[]);
    }
    this.catalogChanged();
    await this.dropOrphanTables(new Set(tables?.map((t) => String(t)) ?? []));
  }

  /**
   * Loads one partition's rows into a fresh table and swaps it in. On any failure the new table
   * is dropped and the previous version keeps serving; the error propagates to the caller.
   */
  async replacePartition(storeKey: string, partition: string, result: QueryResult, refreshKeyValue: string, watermark = '', changeStamp = ''): Promise<PartitionInfo> {
    const version = (this.version++).toString(36);
    const bareName = `${storeKey}__${partition.replace(/[^0-9A-Za-z]/g, '') || 'all'}__${version}`.replace(/[^0-9A-Za-z_@.]/g, '_');
    const table = `${SCHEMA}.${quoteIdentifier(bareName)}`;
    const types = result.columns.map((column, i) => sqlTypeFor(column.type, result.data[i] ?? []));
    const file = path.join(this.stagingDir, `${bareName.replace(/[^0-9A-Za-z_]/g, '_')}.csv`);
    try {
      await this.stage(file, result);
      const spec = result.columns.map((c, i) => `'${c.name.replace(/'/g, "''")}': '${types[i]}'`).join(', ');
      await this.driver.query(
        `CREATE TABLE ${table} AS SELECT * FROM read_csv($1, header = false, auto_detect = false, quote = '"', escape = '"', nullstr = '', allow_quoted_nulls = false, columns = {${spec}})`,
        [file],
      );
      const info: PartitionInfo = { partition, table, builtAt: new Date().toISOString(), rowCount: result.rowCount, refreshKeyValue, watermark, changeStamp };
      // One statement, so the persisted catalog switches atomically; queries read the in-memory
      // catalog, switched below in one synchronous step.
      await this.driver.query(
        `INSERT OR REPLACE INTO ${SCHEMA}._partitions (rollup_id, partition_key, table_name, built_at, row_count, refresh_key_value, columns_json, watermark, change_stamp)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [storeKey, partition, table, info.builtAt, info.rowCount, refreshKeyValue, JSON.stringify(result.columns), watermark, changeStamp],
      );
      const previous = this.partitionsOf(storeKey).get(partition);
      this.partitionsOf(storeKey).set(partition, info);
      this.columns.set(storeKey, result.columns);
      this.catalogChanged();
      if (previous) this.retire(previous.table);
      return info;
    } catch (error) {
      await this.driver.query(`DROP TABLE IF EXISTS ${table}`, []).catch(() => undefined);
      throw error;
    } finally {
      await rm(file, { force: true }).catch(() => undefined);
    }
  }

  /** Removes partitions no longer in the build range (e.g. after `build_range_start` moved). */
  async dropPartitionsExcept(storeKey: string, keep: ReadonlySet<string>): Promise<void> {
    for (const [partition, info] of [...this.partitionsOf(storeKey)]) {
      if (keep.has(partition)) continue;
      await this.driver.query(`DELETE FROM ${SCHEMA}._partitions WHERE rollup_id = $1 AND partition_key = $2`, [storeKey, partition]);
      this.partitionsOf(storeKey).delete(partition);
      this.catalogChanged();
      this.retire(info.table);
    }
    const whole = this.consolidated.get(storeKey);
    if (whole && this.partitionsOf(storeKey).size === 0) this.dropConsolidated(storeKey, whole.table);
  }

  partitions(storeKey: string): readonly PartitionInfo[] {
    let sorted = this.sorted.get(storeKey);
    if (!sorted) {
      // Partition keys are ISO dates ('' when unpartitioned): code-unit order is time order.
      sorted = [...this.partitionsOf(storeKey).values()].sort((a, b) => (a.partition < b.partition ? -1 : a.partition > b.partition ? 1 : 0));
      this.sorted.set(storeKey, sorted);
    }
    return sorted;
  }

  /** Keys of every rollup with tables in the store. */
  storeKeys(): string[] {
    return [...this.active].filter(([, partitions]) => partitions.size > 0).map(([key]) => key);
  }

  isBuilt(storeKey: string): boolean {
    return this.partitionsOf(storeKey).size > 0;
  }

  /**
   * Takes a lease on the rollup's current tables, or undefined when it has never been built.
   * `keep` selects the partitions a query can read (partition pruning); when it keeps none, the
   * first partition is leased so the query still has a table (its date filter then finds nothing).
   */
  lease(storeKey: string, keep?: (partition: PartitionInfo) => boolean): RollupLease | undefined {
    const all = this.partitions(storeKey);
    const columns = this.columns.get(storeKey);
    if (all.length === 0 || !columns) return undefined;
    let partitions = all;
    if (keep) {
      const kept = all.filter(keep);
      partitions = kept.length === all.length ? all : kept.length > 0 ? kept : all.slice(0, 1);
    }
    // The consolidated copy serves pruned reads too: it holds every current partition, and pruning
    // only ever leaves out partitions whose rows the query's own date filter rejects.
    const whole = this.consolidatedTable(storeKey);
    const tables = whole ? [whole] : partitions.map((p) => p.table);
    for (const table of tables) this.leases.set(table, (this.leases.get(table) ?? 0) + 1);
    let released = false;
    return {
      tables,
      columns,
      partitions,
      release: () => {
        if (released) return;
        released = true;
        for (const table of tables) {
          const readers = (this.leases.get(table) ?? 1) - 1;
          if (readers > 0) this.leases.set(table, readers);
          else this.leases.delete(table);
          if (readers <= 0 && this.superseded.has(table)) this.dropInBackground(table);
        }
      },
    };
  }

  /**
   * Copies a rollup's partitions into one table, which then serves every read: DuckDB plans a
   * UNION ALL of two dozen partition tables in about twice the time of one table, and even three
   * (a 90-day query on monthly partitions) cost about a millisecond more than the copy, where the
   * date filter skips row groups by their zone maps (the copy is written partition after partition). Called after a
   * refresh; a no-op while the copy is current, and when the rollup is small in partitions or
   * large in rows (the copy would cost more than it saves).
   */
  async consolidate(storeKey: string): Promise<void> {
    const all = this.partitions(storeKey);
    const partitionTables = all.map((p) => p.table);
    const sources = partitionTables.join(',');
    const current = this.consolidated.get(storeKey);
    if (current?.sources === sources) return;
    const rows = all.reduce((sum, p) => sum + p.rowCount, 0);
    if (all.length < CONSOLIDATE_FROM_PARTITIONS || rows > CONSOLIDATE_UP_TO_ROWS) {
      if (current) this.dropConsolidated(storeKey, current.table);
      return;
    }
    const bareName = `${storeKey}__consolidated__${(this.version++).toString(36)}`.replace(/[^0-9A-Za-z_@.]/g, '_');
    const table = `${SCHEMA}.${quoteIdentifier(bareName)}`;
    // Held while copying, so a concurrent rebuild cannot drop a source table under the copy.
    const lease = this.lease(storeKey)!;
    try {
      await this.driver.query(`CREATE TABLE ${table} AS ${partitionTables.map((t) => `SELECT * FROM ${t}`).join(' UNION ALL ')}`, []);
    } catch (error) {
      await this.driver.query(`DROP TABLE IF EXISTS ${table}`, []).catch(() => undefined);
      throw error;
    } finally {
      lease.release();
    }
    // Read again: another copy may have been registered while this one was written.
    const replaced = this.consolidated.get(storeKey);
    this.consolidated.set(storeKey, { table, sources });
    this.catalogChanged();
    if (replaced) this.retire(replaced.table);
  }

  /** The consolidated copy of a rollup when it holds exactly the current partitions (the only time it may serve). */
  consolidatedTable(storeKey: string): string | undefined {
    const whole = this.consolidated.get(storeKey);
    return whole && whole.sources === this.partitions(storeKey).map((p) => p.table).join(',') ? whole.table : undefined;
  }

  private dropConsolidated(storeKey: string, table: string): void {
    this.consolidated.delete(storeKey);
    this.catalogChanged();
    this.retire(table);
  }

  /** Tables that exist in the store once the drops already decided are done (tests check superseded versions are dropped). */
  async listTables(): Promise<string[]> {
    await this.dropsSettled();
    const result = await this.driver.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name NOT IN ('_partitions', '_expected') ORDER BY 1`, [SCHEMA]);
    return (result.data[0] ?? []).map((t) => `${SCHEMA}.${quoteIdentifier(String(t))}`);
  }

  async close(): Promise<void> {
    await this.dropsSettled();
    await this.driver.close();
  }

  private async stage(file: string, result: QueryResult): Promise<void> {
    try {
      await mkdir(this.stagingDir, { recursive: true });
      await writeStagingCsv(file, result);
    } catch (error) {
      throw new UserError('SOURCE_ERROR', `Cannot stage the rollup rows in ${this.stagingDir}: ${(error as Error).message}`, { cause: error });
    }
  }

  private catalogChanged(): void {
    this.changes++;
    this.sorted.clear();
  }

  /**
   * The time range a rollup with `build_range_start/end` was last built for (local ISO, inclusive),
   * set by each refresh. Kept in memory: after a restart it is unknown until the first refresh,
   * and such a rollup is not used meanwhile (it may lack data the source has).
   */
  buildRange(storeKey: string): BuildRange | undefined {
    return this.buildRanges.get(storeKey);
  }

  /** Records the range (undefined: not known to be built, the rollup is not used). */
  setBuildRange(storeKey: string, range: BuildRange | undefined): void {
    if (sameBuildRange(this.buildRanges.get(storeKey), range)) return;
    if (range) this.buildRanges.set(storeKey, range);
    else this.buildRanges.delete(storeKey);
    this.catalogChanged();
  }

  /**
   * Records the partitions a refresh pass found the rollup should hold. Until each is built (a
   * pass in progress, or a build that failed) the matcher leaves queries touching it to the
   * source: a lease on the others would answer without that partition's rows. Written to the
   * store's catalog before any partition is built, so a build cut short by a crash or a kill is
   * known as such after the restart (its missing partitions are not served).
   */
  async setExpectedPartitions(storeKey: string, partitions: readonly string[]): Promise<void> {
    const before = this.expected.get(storeKey);
    if (before && before.length === partitions.length && before.every((p, i) => p === partitions[i])) return;
    await this.driver.query(`INSERT OR REPLACE INTO ${SCHEMA}._expected (rollup_id, partitions_json) VALUES ($1, $2)`, [storeKey, JSON.stringify(partitions)]);
    this.expected.set(storeKey, [...partitions]);
    this.catalogChanged();
  }

  /** Partitions the last refresh pass listed that the store does not hold (sorted). */
  missingPartitions(storeKey: string): string[] {
    const held = this.partitionsOf(storeKey);
    return (this.expected.get(storeKey) ?? []).filter((p) => !held.has(p)).sort();
  }

  private partitionsOf(storeKey: string): Map<string, PartitionInfo> {
    let partitions = this.active.get(storeKey);
    if (!partitions) {
      partitions = new Map();
      this.active.set(storeKey, partitions);
    }
    return partitions;
  }

  private retire(table: string): void {
    if (this.leases.has(table)) this.superseded.add(table);
    else this.dropInBackground(table);
  }

  /** The caller (a retire, a lease's release) must not wait for the drop; whoever reads the catalog later does. */
  private dropInBackground(table: string): void {
    const drop = this.dropTable(table).finally(() => this.drops.delete(drop));
    this.drops.add(drop);
  }

  private async dropsSettled(): Promise<void> {
    while (this.drops.size > 0) await Promise.all(this.drops);
  }

  private async dropTable(table: string): Promise<void> {
    this.superseded.delete(table);
    await this.driver.query(`DROP TABLE IF EXISTS ${table}`, []).catch(() => undefined);
    // Kept plans over the dropped table would otherwise hold it until they age out.
    this.driver.forgetPlans?.();
  }

  private async dropOrphanTables(catalogued: ReadonlySet<string>): Promise<void> {
    for (const table of await this.listTables()) {
      if (!catalogued.has(table)) await this.dropTable(table);
    }
  }
}
