/**
 * Freshness rules of refresh keys, one module for the result cache and the rollup builds alike
 * (https://cube.dev/docs/reference/data-model/cube#refresh_key): a refresh key's value changes
 * exactly when what it guards must be computed again.
 * - `every: "1 hour"`: the number of the interval `now` falls in (epoch-aligned);
 * - `every: "0 8 * * *"` (a cron string, in the key's `timezone`, default UTC): the latest
 *   scheduled time at or before `now`;
 * - `sql`: the first row the query returns (run by the caller: only rollup builds run it here).
 * An answer read from the source is cached under the values of every cube it reads
 * (`sourceFreshness`); a cube without a refresh key uses Cube's default, every 10 seconds, and a
 * cube keyed by SQL is checked at its `every` or those 10 seconds (its query is not run per request).
 */
import { Cron } from 'croner';
import type { RefreshKey, SemanticModel, SqlTemplate } from '../model/model-types.ts';
import type { NormalizedFilter, NormalizedQuery } from '../query/query-types.ts';
import type { QueryResult } from '../drivers/driver-types.ts';
import { UserError } from '../errors/user-error.ts';
import { intervalBucket, intervalMillis, isInterval } from '../time/interval.ts';
import { BoundedStore } from './bounded-store.ts';

/** Cube's refresh interval of a cube without a refresh key (and of one keyed only by SQL). */
export const SOURCE_DEFAULT_EVERY = '10 seconds';

/** Runs a refresh key's SQL on its data source. */
export type RunRefreshSql = (sql: SqlTemplate) => Promise<QueryResult>;

/**
 * The value of `key` at `now` (ms): its SQL's first row when it has SQL, else its `every` (or
 * `defaultEvery` without a key). Throws a UserError for an `every` that is neither an interval
 * nor a cron string.
 */
export async function refreshKeyValue(key: RefreshKey | undefined, now: number, defaultEvery: string, runSql: RunRefreshSql): Promise<string> {
  if (key?.sql) {
    const result = await runSql(key.sql);
    return JSON.stringify(result.data.map((column) => column[0] ?? null));
  }
  return everyValue(key?.every ?? defaultEvery, now, key?.timezone);
}

/** The value of an `every` (an interval or a cron string) at `now` (ms). */
export function everyValue(every: string, now: number, timezone = 'UTC'): string {
  if (isInterval(every)) return intervalBucket(every, now);
  return `cron:${latestTick(every, timezone, now)}`;
}

/**
 * Refresh-key values of a query the source answers, one per cube it reads (sorted by cube):
 * the freshness part of its result-cache key. Which cubes a query reads and their rules are
 * worked out once per (normalized query, model) — the compile stages keep the normalized query,
 * so a repeated request only computes the values at `now`.
 */
export function sourceFreshness(query: NormalizedQuery, model: SemanticModel, now: number): string[] {
  let known = sourceRules.get(query);
  if (!known || known.model !== model) {
    known = { model, rules: cubesRead(query).map((name) => cubeRule(name, model.cubes[name]?.refreshKey)) };
    sourceRules.set(query, known);
  }
  return known.rules.map((rule) => rule(now));
}

const sourceRules = new WeakMap<NormalizedQuery, { readonly model: SemanticModel; readonly rules: readonly ((now: number) => string)[] }>();

function cubesRead(query: NormalizedQuery): string[] {
  const cubes = new Set<string>();
  for (const m of query.measures) cubes.add(m.member.cube);
  for (const d of query.dimensions) cubes.add(d.member.cube);
  for (const td of query.timeDimensions) cubes.add(td.target.member.cube);
  for (const s of query.segments) cubes.add(s.member.cube);
  const visit = (f: NormalizedFilter): void => {
    if (f.kind === 'member' || f.kind === 'measureFilter') cubes.add(f.target.member.cube);
    else f.filters.forEach(visit);
  };
  query.filters.forEach(visit);
  return [...cubes].sort();
}

/** A cube's value at `now`, as `cube:value`; a malformed `every` keeps the default (never longer than the data allows). */
function cubeRule(name: string, key: RefreshKey | undefined): (now: number) => string {
  const every = key?.every;
  if (every !== undefined && isInterval(every)) {
    const ms = intervalMillis(every);
    return (now) => `${name}:${Math.floor(now / ms)}`;
  }
  if (every !== undefined) {
    try {
      latestTick(every, key?.timezone ?? 'UTC', Date.now());
      return (now) => `${name}:cron:${latestTick(every, key?.timezone ?? 'UTC', now)}`;
    } catch {
      // not a cron string either: the default below
    }
  }
  const ms = intervalMillis(SOURCE_DEFAULT_EVERY);
  return (now) => `${name}:${Math.floor(now / ms)}`;
}

interface Schedule {
  readonly cron: Cron;
  /** The last tick found and the next one: `now` in [from, until) has tick `from`. */
  from: number;
  until: number;
}

const schedules = new BoundedStore<Schedule>({ maxEntries: 256 });

/** The latest time (ms) at or before `now` that the cron string `pattern` schedules. */
function latestTick(pattern: string, timezone: string, now: number): number {
  const id = `${timezone}\u0000${pattern}`;
  let schedule = schedules.get(id);
  if (!schedule) {
    let cron: Cron;
    try {
      cron = new Cron(pattern, { paused: true, timezone });
    } catch (error) {
      throw new UserError('QUERY_INVALID', `Cannot read the refresh key "${pattern}": expected an interval such as "1 hour" or a cron string (${(error as Error).message})`);
    }
    schedule = { cron, from: Number.NaN, until: Number.NaN };
    schedules.set(id, schedule);
  }
  if (now >= schedule.from && now < schedule.until) return schedule.from;
  // A tick in the same millisecond as `now` counts as reached (croner looks strictly before).
  const previous = schedule.cron.previousRuns(1, new Date(now + 1))[0];
  const next = schedule.cron.nextRun(new Date(now));
  schedule.from = previous ? previous.getTime() : Number.NEGATIVE_INFINITY;
  schedule.until = next ? next.getTime() : Number.POSITIVE_INFINITY;
  return schedule.from;
}
