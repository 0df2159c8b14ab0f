/**
 * Builds and refreshes rollups: decides which partitions to (re)build from each rollup's
 * refresh key, runs the build queries on the source (through the engine, no row limit), loads
 * them into the store, and records a status per rollup. A failed build leaves the previous
 * version serving and records the error.
 */
import type { Cube, Granularity, PreAggregation, SemanticModel, SqlTemplate } from '../model/model-types.ts';
import type { CubeQuery } from '../query/query-types.ts';
import type { QueryResult } from '../drivers/driver-types.ts';
import { sameBuildRange, type BuildRange, type PreAggregationStore } from './preagg-store.ts';
import { modelForRollupBuild, rollupBuildQuery } from './rollup-build-query.ts';
import { refreshKeyValue } from '../reuse/freshness.ts';
import { partitionRange, partitionsInUpdateWindow } from './refresh-schedule.ts';
import { isStandardGranularity, parseLocal, truncate } from './granularity-math.ts';
import { rollupStoreKey } from './rollup-signature.ts';
import { dimensionColumn } from './rollup-cube.ts';
import { UserError } from '../errors/user-error.ts';
import { changeStampForBatch, modelWithQueryableStamp } from './lambda-rollup.ts';

/** Runs a Cube query on the source without the API row limit; columns named by member alias. */
export type RunSourceQuery = (model: SemanticModel, query: CubeQuery) => Promise<QueryResult>;
/** Runs raw SQL on the source (refresh_key.sql, build_range_start/end). */
export type RunSourceSql = (sql: string) => Promise<QueryResult>;

export interface RollupStatus {
  readonly id: string; // "cube.rollup"
  readonly cube: string;
  readonly name: string;
  readonly state: 'never_built' | 'building' | 'ready' | 'failed';
  readonly lastRefreshAt?: string;
  readonly lastDurationMs?: number;
  readonly rowCount: number;
  readonly partitions: number;
  readonly refreshKeyValue?: string;
  readonly lastError?: string;
  /** Cube's name of the type (`rollup`; lambdas are served from their batch rollup's status). */
  readonly type?: 'rollup';
  readonly timeDimension?: string;
  readonly granularity?: string;
  readonly partitionGranularity?: string;
  /** The range `build_range_start/end` last built (local ISO, inclusive; null = open end). */
  readonly buildRange?: readonly [string | null, string | null];
  /** Each partition held: its key, the time range it covers, when it was built, its rows. */
  readonly partitionDetails?: readonly PartitionDetail[];
  /** Partitions the last refresh pass listed that are not built (a build running, or one that failed). */
  readonly missingPartitions?: readonly string[];
}

export interface PartitionDetail {
  /** Partition key as the jobs selector takes it ('' for an unpartitioned rollup). */
  readonly partition: string;
  /** Local ISO bounds, inclusive (absent for an unpartitioned rollup). */
  readonly from?: string;
  readonly to?: string;
  readonly builtAt: string;
  readonly rowCount: number;
  readonly table: string;
}

export interface RefreshOptions {
  /** Rebuild every partition even when refresh keys did not change. */
  readonly force?: boolean;
  readonly only?: readonly string[]; // rollup ids
}

export interface RefreshDeps {
  readonly store: PreAggregationStore;
  readonly runSourceQuery: RunSourceQuery;
  readonly runSourceSql: RunSourceSql;
  readonly concurrency: number;
  readonly now?: () => number;
}

const DEFAULT_EVERY = '1 hour';

export function rollupId(cube: string, rollup: string): string {
  return `${cube}.${rollup}`;
}

export class RollupRefresher {
  private readonly deps: RefreshDeps;
  private readonly statuses = new Map<string, RollupStatus>();
  private readonly inFlight = new Map<string, Promise<RollupStatus>>();
  private readonly slotWaiters: (() => void)[] = [];
  private running = 0;

  constructor(deps: RefreshDeps) {
    this.deps = deps;
  }

  status(model: SemanticModel): RollupStatus[] {
    return listRollups(model).map(({ cube, rollup }) => {
      const id = rollupId(cube.name, rollup.name);
      const known = this.statuses.get(id);
      const key = rollupStoreKey(cube, rollup);
      const partitions = this.deps.store.partitions(key);
      const rowCount = partitions.reduce((sum, p) => sum + p.rowCount, 0);
      const base = known
        ? { ...known, rowCount, partitions: partitions.length }
        : { id, cube: cube.name, name: rollup.name, state: partitions.length ? ('ready' as const) : ('never_built' as const), rowCount, partitions: partitions.length, lastRefreshAt: partitions.map((p) => p.builtAt).sort().at(-1) };
      const td = rollup.timeDimensions[0];
      const granularity = rollup.partitionGranularity;
      const range = this.deps.store.buildRange(key);
      return {
        ...base,
        type: 'rollup' as const,
        ...(td ? { timeDimension: td.dimension, granularity: td.granularity } : {}),
        ...(granularity ? { partitionGranularity: granularity } : {}),
        ...(range ? { buildRange: [range[0] ?? null, range[1] ?? null] as const } : {}),
        partitionDetails: partitions.map((p) => {
          const bounds = p.partition && granularity && isStandardGranularity(granularity) ? partitionRange(p.partition, granularity) : undefined;
          return { partition: p.partition, ...(bounds ? { from: bounds[0], to: bounds[1] } : {}), builtAt: p.builtAt, rowCount: p.rowCount, table: p.table };
        }),
        missingPartitions: this.deps.store.missingPartitions(key),
      };
    });
  }

  /** Refreshes the rollups whose refresh key changed (all with `force`); builds share the concurrency limit. */
  async refresh(model: SemanticModel, options: RefreshOptions = {}): Promise<RollupStatus[]> {
    await this.dropStale(model);
    const targets = listRollups(model).filter(({ cube, rollup }) => {
      const id = rollupId(cube.name, rollup.name);
      return options.only ? options.only.includes(id) : rollup.scheduledRefresh || options.force;
    });
    return Promise.all(targets.map(({ cube, rollup }) => this.refreshOne(model, cube, rollup, options.force ?? false)));
  }

  /**
   * Coalesces concurrent refreshes of the same rollup; at most `concurrency` builds run at once.
   * `partitions` rebuilds only those partitions (keys, or any time inside them), whatever their
   * refresh keys say: the pre-aggregation page's "rebuild this partition".
   */
  refreshOne(model: SemanticModel, cube: Cube, rollup: PreAggregation, force: boolean, partitions?: readonly string[]): Promise<RollupStatus> {
    const selected = partitions ? partitionKeysFor(rollup, partitions) : undefined;
    const id = rollupId(cube.name, rollup.name);
    const flightKey = selected ? `${id}#${selected.join(',')}` : id;
    let running = this.inFlight.get(flightKey);
    if (!running) {
      running = this.withSlot(() => this.build(model, cube, rollup, force, selected)).finally(() => this.inFlight.delete(flightKey));
      this.inFlight.set(flightKey, running);
    }
    return running;
  }

  /** Is any build running or waiting for a slot? */
  get busy(): boolean {
    return this.inFlight.size > 0;
  }

  private async withSlot<T>(work: () => Promise<T>): Promise<T> {
    while (this.running >= Math.max(1, this.deps.concurrency)) await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      this.slotWaiters.shift()?.();
    }
  }

  private async build(model: SemanticModel, cube: Cube, rollup: PreAggregation, force: boolean, selected?: readonly string[]): Promise<RollupStatus> {
    const id = rollupId(cube.name, rollup.name);
    const key = rollupStoreKey(cube, rollup);
    const started = this.now();
    const previous = this.statuses.get(id);
    this.statuses.set(id, { ...(previous ?? { id, cube: cube.name, name: rollup.name, rowCount: 0, partitions: 0 }), state: 'building' });
    try {
      const refreshKeyValue = await this.refreshKeyValue(rollup);
      // Read before listing and building partitions: whatever the source rewrites afterwards is
      // stamped later, so a lambda reads it from the source (lambda-boundary.ts).
      const stampPath = changeStampForBatch(model, cube, rollup);
      const changeStamp = stampPath ? await this.latestStamp(model, cube, stampPath, rollup) : '';
      const listed = await this.partitionsToBuild(model, cube, rollup, key, refreshKeyValue, force || selected !== undefined);
      const { covered } = listed;
      let partitionsToBuild = listed.partitions;
      if (selected) {
        const unknown = selected.filter((p) => !partitionsToBuild.includes(p));
        if (unknown.length > 0) throw new Error(`partition ${unknown.join(', ')} of ${id} is not one the source has data for within the build range (partitions: ${partitionsToBuild.join(', ') || 'none'})`);
        partitionsToBuild = [...selected];
      }
      // Once the pass has built them, the store holds the build range's partitions in full.
      if (partitionsToBuild.length === 0) {
        if (covered) this.deps.store.setBuildRange(key, covered);
        await this.consolidate(key);
        // Up to date: the status keeps describing the last real build.
        const latest = this.deps.store.partitions(key).map((p) => p.builtAt).sort().at(-1);
        const status: RollupStatus = { ...this.readyStatus(id, cube, rollup, started, refreshKeyValue), lastRefreshAt: previous?.lastRefreshAt ?? latest, lastDurationMs: previous?.lastDurationMs };
        this.statuses.set(id, status);
        return status;
      }
      const buildModel = modelForRollupBuild(model, cube, rollup);
      const granularity = rollup.partitionGranularity;
      for (const partition of partitionsToBuild) {
        const range = partition && granularity ? partitionRange(partition, granularity) : undefined;
        const result = storedColumns(await this.deps.runSourceQuery(buildModel, rollupBuildQuery(cube, rollup, range)));
        await this.deps.store.replacePartition(key, partition, result, refreshKeyValue, watermarkOf(rollup, result), changeStamp);
      }
      if (covered) this.deps.store.setBuildRange(key, covered);
      await this.consolidate(key);
      const status = this.readyStatus(id, cube, rollup, started, refreshKeyValue);
      this.statuses.set(id, status);
      return status;
    } catch (error) {
      const status: RollupStatus = {
        ...this.readyStatus(id, cube, rollup, started, previous?.refreshKeyValue),
        state: 'failed',
        lastRefreshAt: previous?.lastRefreshAt,
        lastError: error instanceof Error ? error.message : String(error),
      };
      this.statuses.set(id, status);
      return status;
    }
  }

  /** Store tables of rollups the current model no longer has (edited or removed) are dropped. */
  private async dropStale(model: SemanticModel): Promise<void> {
    const current = new Set(listRollups(model).map(({ cube, rollup }) => rollupStoreKey(cube, rollup)));
    for (const key of this.deps.store.storeKeys()) {
      if (!current.has(key)) await this.deps.store.dropPartitionsExcept(key, new Set());
    }
  }

  /** One table for reads of every partition (an optimization: on failure the partitions still serve). */
  private async consolidate(key: string): Promise<void> {
    await this.deps.store.consolidate(key).catch(() => undefined);
  }

  private readyStatus(id: string, cube: Cube, rollup: PreAggregation, started: number, refreshKeyValue?: string): RollupStatus {
    const partitions = this.deps.store.partitions(rollupStoreKey(cube, rollup));
    return {
      id,
      cube: cube.name,
      name: rollup.name,
      state: partitions.length ? 'ready' : 'never_built',
      lastRefreshAt: new Date(this.now()).toISOString(),
      lastDurationMs: this.now() - started,
      rowCount: partitions.reduce((sum, p) => sum + p.rowCount, 0),
      partitions: partitions.length,
      refreshKeyValue,
    };
  }

  /** The rollup's refresh-key value now (reuse/freshness.ts: every, cron or sql). */
  private refreshKeyValue(rollup: PreAggregation): Promise<string> {
    return refreshKeyValue(rollup.refreshKey, this.now(), DEFAULT_EVERY, (sql) => this.deps.runSourceSql(plainSql(sql)));
  }

  /**
   * Partitions ('' when unpartitioned) to rebuild now, dropping those out of the build range, and
   * the range they will cover (with `build_range_start/end`).
   */
  private async partitionsToBuild(model: SemanticModel, cube: Cube, rollup: PreAggregation, key: string, refreshKeyValue: string, force: boolean): Promise<{ partitions: string[]; covered?: BuildRange }> {
    const granularity = rollup.partitionGranularity;
    const existing = new Map(this.deps.store.partitions(key).map((p) => [p.partition, p]));
    if (!granularity || !isStandardGranularity(granularity) || rollup.timeDimensions.length === 0) {
      const current = existing.get('');
      await this.deps.store.setExpectedPartitions(key, ['']);
      return { partitions: force || !current || current.refreshKeyValue !== refreshKeyValue ? [''] : [] };
    }
    const { keys: all, covered } = await this.partitionKeys(model, cube, rollup, granularity);
    // Until the partitions of a new range are built, queries go to the source.
    if (covered && !sameBuildRange(this.deps.store.buildRange(key), covered)) this.deps.store.setBuildRange(key, undefined);
    await this.deps.store.dropPartitionsExcept(key, new Set(all));
    await this.deps.store.setExpectedPartitions(key, all);
    const missing = all.filter((p) => !existing.has(p));
    if (force) return { partitions: all, covered };
    const changed = all.filter((p) => existing.has(p) && existing.get(p)!.refreshKeyValue !== refreshKeyValue);
    if (rollup.refreshKey?.incremental) {
      const window = rollup.refreshKey.updateWindow;
      const recent = window ? partitionsInUpdateWindow(changed, granularity, window, this.now()) : changed;
      return { partitions: [...new Set([...missing, ...recent])].sort(), covered };
    }
    return { partitions: [...new Set([...missing, ...changed])].sort(), covered };
  }

  /** The source's latest change stamp ('' when no row has one). */
  private async latestStamp(model: SemanticModel, cube: Cube, stampPath: string, rollup: PreAggregation): Promise<string> {
    const result = await this.deps.runSourceQuery(modelWithQueryableStamp(model, cube, stampPath), {
      dimensions: [stampPath],
      filters: [{ member: stampPath, operator: 'set' }],
      order: [[stampPath, 'desc']],
      limit: 1,
      timezone: rollup.refreshKey?.timezone ?? 'UTC',
    });
    const column = result.columns.findIndex((c) => c.name === stampPath);
    const value = result.data[column]?.[0];
    return typeof value === 'string' ? value : '';
  }

  /**
   * Partition keys with data at the source (the distinct buckets of the partition granularity),
   * kept to those touching [build_range_start, build_range_end] when the rollup declares them.
   */
  private async partitionKeys(model: SemanticModel, cube: Cube, rollup: PreAggregation, granularity: Granularity): Promise<{ keys: string[]; covered?: BuildRange }> {
    const dimension = rollup.timeDimensions[0]!.dimension;
    const result = await this.deps.runSourceQuery(model, { timeDimensions: [{ dimension, granularity }], timezone: rollup.refreshKey?.timezone ?? 'UTC', order: [] });
    const column = result.columns.findIndex((c) => c.name === `${dimension}.${granularity}`);
    const values = (result.data[column] ?? []).filter((v) => v !== null && v !== undefined).map((v) => String(v).slice(0, 19));
    const from = await this.buildRangeBound(cube, rollup, 'start');
    const to = await this.buildRangeBound(cube, rollup, 'end');
    const kept = [...new Set(values)].sort().filter((key) => {
      const [start, end] = partitionRange(key, granularity);
      return (from === undefined || end >= from) && (to === undefined || start <= to);
    });
    if (from !== undefined || to !== undefined) {
      // Whole partitions are built: the rollup holds every row from the start of the first to the end of the last.
      const covered: BuildRange = [
        from === undefined ? undefined : partitionRange(partitionKeyOf(from, granularity), granularity)[0],
        to === undefined ? undefined : partitionRange(partitionKeyOf(to, granularity), granularity)[1],
      ];
      return { keys: kept, covered };
    }
    return { keys: kept };
  }

  /** A build range bound as local ISO time ('YYYY-MM-DDTHH:MM:SS.sss'), from the SQL the rollup gives. */
  private async buildRangeBound(cube: Cube, rollup: PreAggregation, side: 'start' | 'end'): Promise<string | undefined> {
    const template = side === 'start' ? rollup.buildRangeStart : rollup.buildRangeEnd;
    if (!template) return undefined;
    const result = await this.deps.runSourceSql(plainSql(template));
    const value = result.data[0]?.[0];
    const text = typeof value === 'string' ? value.trim().replace(' ', 'T') : value instanceof Date ? value.toISOString() : undefined;
    if (!text || !/^\d{4}-\d{2}-\d{2}/.test(text)) {
      throw new Error(`build_range_${side} of ${cube.name}.${rollup.name} must return one date or timestamp, got ${JSON.stringify(value ?? null)}`);
    }
    const base = text.slice(0, 23);
    const rest = side === 'start' ? 'T00:00:00.000' : 'T23:59:59.999';
    // A date, a timestamp to the minute or second, or to the millisecond: completed to the millisecond.
    return base.length < 23 ? base + rest.slice(base.length - 10) : base;
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }
}

/** The text of SQL the rollup runs on the source as it is (refresh_key.sql, build_range_*): member references are not expanded there. */
function plainSql(template: SqlTemplate): string {
  return template.map((part) => (part.kind === 'text' ? part.text : '')).join('');
}

/**
 * Partition keys from a selector's values: a key as GET /pre-aggregations lists it, or any local
 * ISO time inside the partition. Throws a UserError for an unpartitioned rollup or a value that is
 * not a time.
 */
export function partitionKeysFor(rollup: PreAggregation, values: readonly string[]): string[] {
  const granularity = rollup.partitionGranularity;
  if (!granularity || !isStandardGranularity(granularity) || rollup.timeDimensions.length === 0) {
    throw new UserError('QUERY_INVALID', `${rollup.cube}.${rollup.name} has no partitions (no partition_granularity): rebuild it whole`);
  }
  return [...new Set(values.map((value) => {
    const millis = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?)?$/.test(value) ? parseLocal(value) : Number.NaN;
    if (Number.isNaN(millis)) throw new UserError('QUERY_INVALID', `partition ${JSON.stringify(value)} of ${rollup.cube}.${rollup.name} must be a partition key or a local ISO date/time inside it, e.g. "2024-03-01"`);
    return partitionKeyOf(new Date(millis).toISOString().slice(0, 23), granularity);
  }))].sort();
}

/** The key of the partition holding a local ISO time ('YYYY-MM-DDTHH:MM:SS.sss'). */
function partitionKeyOf(iso: string, granularity: Granularity): string {
  return new Date(truncate(parseLocal(iso), granularity)).toISOString().slice(0, 19);
}

/** Every rollup of the model with its cube. */
export function listRollups(model: SemanticModel): { cube: Cube; rollup: PreAggregation }[] {
  return Object.values(model.cubes).flatMap((cube) =>
    Object.values(cube.preAggregations)
      .filter((rollup) => rollup.type === 'rollup')
      .map((rollup) => ({ cube, rollup })),
  );
}

/** Latest value of the rollup's first time dimension in the built rows ('' when none). */
function watermarkOf(rollup: PreAggregation, result: QueryResult): string {
  const td = rollup.timeDimensions[0];
  if (!td) return '';
  const index = result.columns.findIndex((c) => c.name === dimensionColumn(td.dimension, td.granularity));
  let latest = '';
  for (const value of result.data[index] ?? []) if (typeof value === 'string' && value > latest) latest = value;
  return latest;
}

/**
 * Keeps one column per stored value: the engine returns a time dimension with a granularity
 * twice (`x.day` and `x`); the store keeps the granular one.
 */
export function storedColumns(result: QueryResult): QueryResult {
  const names = new Set(result.columns.map((c) => c.name));
  const keep = result.columns.map((c) => !result.columns.some((other) => other.name !== c.name && other.name.startsWith(`${c.name}.`) && names.has(other.name)));
  return {
    columns: result.columns.filter((_, i) => keep[i]),
    data: result.data.filter((_, i) => keep[i]),
    rowCount: result.rowCount,
  };
}
