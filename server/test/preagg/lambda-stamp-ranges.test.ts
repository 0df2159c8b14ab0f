/**
 * A stamped `rollup_lambda` whose hourly partitions were built at different moments, end to end
 * (model → engine → matcher → pre-aggregation store → DuckDB source). The refresh clock is
 * injected so each build happens "at" a chosen moment of a simulated day, as the scheduled refresh
 * leaves them: the oldest hours built once and then left behind by the update window, the recent
 * ones rebuilt later. The source rewrites whole minutes (late events) in hours already left
 * behind, both between builds and after the last one, and keeps appending minutes.
 *
 * Expected answers and expected tails come from hand-written SQL over the source table and from
 * what the test itself knows of its builds (the source's latest stamp read right before each
 * refresh, the hours each refresh was meant to rebuild), never from the code under test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Driver, QueryOptions, QueryResult } from '../../src/drivers/driver-types.ts';
import { DuckDbDriver } from '../../src/drivers/duckdb-driver.ts';
import { createDuckDbDialect } from '../../src/sql/dialects/duckdb/duckdb-dialect.ts';
import { createEngine } from '../../src/engine/create-engine.ts';
import { compileModel } from '../../src/model/compile-model.ts';
import { openPreAggregations } from '../../src/preagg/open-pre-aggregations.ts';
import { compileBuildQuery } from '../../src/engine/compile-build-query.ts';
import { rollupStoreKey } from '../../src/preagg/rollup-signature.ts';
import type { CubeQuery } from '../../src/query/query-types.ts';
import { ctx } from './preagg-harness.ts';

const CUBE = 'campaign_minutes';
const LAMBDA = `${CUBE}.live`;
const BATCH = `${CUBE}.by_minute`;

// Mirrors model/cubes/campanhas_tempo_real.yml: minute buckets, hourly partitions, a short
// incremental refresh key, a hidden change stamp rewritten with its whole minute.
const MODEL_YAML = `
cubes:
  - name: ${CUBE}
    sql_table: src.campaign_minutes
    dimensions:
      - { name: key, sql: "strftime(minute, '%Y-%m-%d %H:%M') || '|' || campaign || '|' || channel", type: string, primary_key: true }
      - { name: minute, sql: minute, type: time }
      - { name: campaign, sql: campaign, type: string }
      - { name: channel, sql: channel, type: string }
      - name: updated_at
        sql: updated_at
        type: time
        public: false
        meta:
          lambda_change_stamp: true
    measures:
      - { name: sessions, sql: sessions, type: sum }
      - { name: orders, sql: orders, type: sum }
    pre_aggregations:
      - name: live
        type: rollup_lambda
        union_with_source_data: true
        rollups:
          - CUBE.by_minute
      - name: by_minute
        measures: [CUBE.sessions, CUBE.orders]
        dimensions: [CUBE.campaign, CUBE.channel]
        time_dimension: CUBE.minute
        granularity: minute
        partition_granularity: hour
        refresh_key:
          every: 10 second
          incremental: true
          update_window: 1 hour
`;

const DAY = '2026-01-10';
const at = (hhmmss: string): number => Date.parse(`${DAY}T${hhmmss}Z`);
const hh = (h: number): string => String(h).padStart(2, '0');

// The micro-batch writes a minute 62 s after it starts, so at any moment the source holds every
// minute whose write time has passed, stamped with that write time.
const WRITE_DELAY_S = 62;

type Row = Record<string, unknown>;

/** Records every statement the pre-aggregation side sends to the source, with what came back. */
class RecordingDriver implements Driver {
  readonly name: string;
  readonly calls: { sql: string; result: QueryResult }[] = [];
  constructor(private readonly inner: Driver) {
    this.name = inner.name;
  }
  async query(sql: string, params: readonly unknown[], options?: QueryOptions): Promise<QueryResult> {
    const result = await this.inner.query(sql, params, options);
    this.calls.push({ sql, result });
    return result;
  }
  testConnection(): Promise<void> {
    return this.inner.testConnection();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** A source table, a store, a lambda engine and a clock, with the moves a scenario is made of. */
async function openWorld() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lambda-stamp-ranges-'));
  const instance = await DuckDBInstance.create(':memory:');
  const source = DuckDbDriver.fromInstance(instance);
  let clock = at('00:00:00');
  const now = () => new Date(clock);

  const sql = async (text: string): Promise<Row[]> => {
    const result = await source.query(text, []);
    return Array.from({ length: result.rowCount }, (_, r) => Object.fromEntries(result.columns.map((c, i) => [c.name, result.data[i]![r]])));
  };
  const scalar = async (text: string): Promise<unknown> => Object.values((await sql(text))[0]!)[0];
  await sql(`CREATE SCHEMA src; CREATE TABLE src.campaign_minutes (
    minute TIMESTAMP, campaign VARCHAR, channel VARCHAR, sessions INTEGER, orders INTEGER, updated_at TIMESTAMP)`);

  const model = compileModel([{ path: 'cubes/campaign_minutes.yml', content: MODEL_YAML }]);
  const dialect = createDuckDbDialect();
  const recorder = new RecordingDriver(source);
  const preAggregations = await openPreAggregations({
    storePath: path.join(dir, 'preagg.duckdb'), stagingDir: path.join(dir, 'staging'),
    sourceDriver: recorder, sourceDialect: dialect, compileBuild: compileBuildQuery, model: () => model, concurrency: 1, now,
  });
  // The engine reads the source through the plain driver: every statement recorded during a load
  // is then the lambda's own (its tail).
  const engine = createEngine({ model, driver: source, dialect, now, matchPreAggregation: preAggregations.matcher });
  const builds: { stamp: string; hours: string[] }[] = [];

  return {
    sql,
    scalar,
    builds,
    setClock: (hhmmss: string) => void (clock = at(hhmmss)),

    /** Appends minutes [from, to] as the stream would: 2 channels × 3 campaigns, some groups absent. */
    writeMinutes: (from: string, to: string) =>
      sql(`INSERT INTO src.campaign_minutes
        SELECT m.minute, c.campaign, ch.channel, 1 + (m.i * 13 + c.k * 7 + ch.k * 3) % 17, (m.i + c.k + ch.k) % 3,
          m.minute + INTERVAL ${WRITE_DELAY_S} SECOND
        FROM (SELECT minute, CAST(epoch(minute - TIMESTAMP '${DAY} 00:00:00') / 60 AS INTEGER) AS i
              FROM generate_series(TIMESTAMP '${DAY} ${from}', TIMESTAMP '${DAY} ${to}', INTERVAL 1 MINUTE) AS t(minute)) m
        CROSS JOIN (VALUES ('spring', 0), ('summer', 1), ('brand', 2)) AS c(campaign, k)
        CROSS JOIN (VALUES ('cpc', 0), ('email', 1)) AS ch(channel, k)
        WHERE (m.i * 7 + c.k * 3 + ch.k * 5) % 4 <> 0`),

    /** A late event rewrites a whole minute: every row of it gets the new stamp, values change, a group appears. */
    async rewriteMinute(minute: string, stamp: string, newCampaign: string) {
      await sql(`UPDATE src.campaign_minutes SET sessions = sessions + 100, orders = orders + 1, updated_at = TIMESTAMP '${DAY} ${stamp}'
        WHERE minute = TIMESTAMP '${DAY} ${minute}'`);
      await sql(`INSERT INTO src.campaign_minutes VALUES (TIMESTAMP '${DAY} ${minute}', '${newCampaign}', 'email', 7, 2, TIMESTAMP '${DAY} ${stamp}')`);
    },

    /**
     * Refreshes the batch at `moment`, noting what the test knows of that build: the source's
     * latest stamp just before it (the refresher reads its stamp before building) and the hours
     * the update window should make it (re)build.
     */
    async refreshAt(moment: string, hours: string[]) {
      clock = at(moment);
      const stamp = String(await scalar(`SELECT strftime(max(updated_at), '%Y-%m-%dT%H:%M:%S.%g') FROM src.campaign_minutes`));
      const [status] = await preAggregations.refresher.refresh(model, { only: [BATCH] });
      expect(status?.state, status?.lastError).toBe('ready');
      builds.push({ stamp, hours });
    },

    /** The stamp of the latest build that (re)built `hour`. */
    buildStampOf(hour: string): string {
      return builds.filter((b) => b.hours.includes(hour)).at(-1)!.stamp;
    },

    partitions: () => preAggregations.store.partitions(rollupStoreKey(model.cubes[CUBE]!, model.cubes[CUBE]!.preAggregations.by_minute!)),

    /** Loads through the lambda engine: rows, the pre-aggregations the engine reports, the tail statements sent meanwhile. */
    async load(query: CubeQuery) {
      const before = recorder.calls.length;
      const result = (await engine.load(query, ctx)).results[0]!;
      const rows = Array.from({ length: result.rowCount }, (_, r) => Object.fromEntries(result.columns.map((c, i) => [c.name, result.data[i]![r]])));
      return { rows, used: Object.keys(result.usedPreAggregations), tails: recorder.calls.slice(before) };
    },

    async close() {
      await preAggregations.close();
      await source.close();
      instance.closeSync();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

type World = Awaited<ReturnType<typeof openWorld>>;

/** Sums come back as strings or numbers depending on the path (store, source, DuckDB's HUGEINT): compare as numbers. */
function numeric(rows: readonly Row[], columns: readonly string[]): Row[] {
  return rows.map((r) => Object.fromEntries(columns.map((k) => [k, typeof r[k] === 'string' && /^-?\d+(\.\d+)?$/.test(r[k] as string) ? Number(r[k]) : r[k]])));
}

const M = `${CUBE}.minute`;
const SHAPES: { name: string; query: CubeQuery; oracle: string }[] = [
  {
    name: 'by minute',
    query: { measures: [`${CUBE}.sessions`, `${CUBE}.orders`], timeDimensions: [{ dimension: M, granularity: 'minute' }], order: [[`${M}.minute`, 'asc']] },
    oracle: `SELECT strftime(minute, '%Y-%m-%dT%H:%M:00.000') AS "${M}.minute", sum(sessions) AS "${CUBE}.sessions", sum(orders) AS "${CUBE}.orders"
      FROM src.campaign_minutes GROUP BY 1 ORDER BY 1`,
  },
  {
    name: 'by hour and campaign',
    query: { measures: [`${CUBE}.sessions`, `${CUBE}.orders`], dimensions: [`${CUBE}.campaign`], timeDimensions: [{ dimension: M, granularity: 'hour' }], order: [[`${M}.hour`, 'asc'], [`${CUBE}.campaign`, 'asc']] },
    oracle: `SELECT strftime(date_trunc('hour', minute), '%Y-%m-%dT%H:00:00.000') AS "${M}.hour", campaign AS "${CUBE}.campaign", sum(sessions) AS "${CUBE}.sessions", sum(orders) AS "${CUBE}.orders"
      FROM src.campaign_minutes GROUP BY 1, 2 ORDER BY 1, 2`,
  },
  {
    name: 'totals',
    query: { measures: [`${CUBE}.sessions`, `${CUBE}.orders`] },
    oracle: `SELECT sum(sessions) AS "${CUBE}.sessions", sum(orders) AS "${CUBE}.orders" FROM src.campaign_minutes`,
  },
  {
    // 'late' exists only in rewritten minutes: a stale stored minute or a double count shows here.
    name: 'filtered on campaign, by minute and channel',
    query: {
      measures: [`${CUBE}.sessions`, `${CUBE}.orders`], dimensions: [`${CUBE}.channel`],
      timeDimensions: [{ dimension: M, granularity: 'minute' }],
      filters: [{ member: `${CUBE}.campaign`, operator: 'equals', values: ['late', 'summer'] }],
      order: [[`${M}.minute`, 'asc'], [`${CUBE}.channel`, 'asc']],
    },
    oracle: `SELECT strftime(minute, '%Y-%m-%dT%H:%M:00.000') AS "${M}.minute", channel AS "${CUBE}.channel", sum(sessions) AS "${CUBE}.sessions", sum(orders) AS "${CUBE}.orders"
      FROM src.campaign_minutes WHERE campaign IN ('late', 'summer') GROUP BY 1, 2 ORDER BY 1, 2`,
  },
];

async function expectAnswersLikeSource(world: World): Promise<void> {
  for (const shape of SHAPES) {
    const lambda = await world.load(shape.query);
    expect(lambda.used, shape.name).toEqual([LAMBDA]);
    expect(lambda.tails.length, shape.name).toBe(1);
    const expected = await world.sql(shape.oracle);
    expect(expected.length, shape.name).toBeGreaterThan(0);
    // Only the oracle's columns: the engine also returns the bare time dimension next to the granular one.
    const columns = Object.keys(expected[0]!);
    expect(numeric(lambda.rows, columns), shape.name).toEqual(numeric(expected, columns));
  }
}

/** The tail one query sends, with its distinct buckets as 'HH:MM'. */
async function observeTail(world: World) {
  const { used, tails } = await world.load({ measures: [`${CUBE}.sessions`], timeDimensions: [{ dimension: M, granularity: 'hour' }] });
  expect(used).toEqual([LAMBDA]);
  expect(tails).toHaveLength(1);
  const tail = tails[0]!;
  expect(tail.sql).toContain('updated_at');
  const minuteColumn = tail.result.columns.findIndex((c) => c.type === 'time' && /minute/i.test(c.name));
  expect(minuteColumn).toBeGreaterThanOrEqual(0);
  const minutes = [...new Set(tail.result.data[minuteColumn]!.map((v) => String(v).slice(11, 16)))].sort();
  return { rows: tail.result.rowCount, minutes };
}

/** Hand-computed sizes, in rows grouped like the batch (minute, campaign, channel). */
async function handTail(world: World, hours: readonly number[], watermark: string) {
  const groups = (where: string) => world.scalar(`SELECT count(*) FROM (SELECT DISTINCT minute, campaign, channel FROM src.campaign_minutes WHERE ${where})`).then(Number);
  const minutesWhere = (where: string) => world.sql(`SELECT DISTINCT strftime(minute, '%H:%M') AS m FROM src.campaign_minutes WHERE ${where} ORDER BY 1`).then((rows) => rows.map((r) => String(r.m)));
  const hourStart = (h: number) => `TIMESTAMP '${DAY} ${hh(h)}:00:00'`;
  // Best a stamp per partition can do: a minute comes from the source when it is after the
  // watermark or stamped at or after the read that preceded its own partition's last build (a
  // write in that same instant may have missed the build).
  const perPartition = hours
    .map((h, i) => `(minute >= ${hourStart(h)} ${hours[i + 1] !== undefined ? `AND minute < ${hourStart(hours[i + 1]!)}` : ''} AND updated_at >= TIMESTAMP '${world.buildStampOf(hh(h)).replace('T', ' ')}')`)
    .join(' OR ');
  const ideal = `minute > TIMESTAMP '${DAY} ${watermark}' OR ${perPartition}`;
  // One stamp for the whole lease, the oldest build's: what the code before the ranges read.
  const oldest = world.builds.map((b) => b.stamp).sort()[0]!.replace('T', ' ');
  const single = `minute > TIMESTAMP '${DAY} ${watermark}' OR updated_at >= TIMESTAMP '${oldest}'`;
  return { ideal: await groups(ideal), idealMinutes: await minutesWhere(ideal), singleStamp: await groups(single), groups };
}

describe('lambda tail with a few build moments (old hours left behind by the update window)', () => {
  let world: World;
  const HOURS = [0, 1, 2, 3, 4, 5, 6];
  // The last stored minute: the last build ran at 06:20, when 06:18 was the latest minute written.
  const WATERMARK = '06:18:00';

  beforeAll(async () => {
    world = await openWorld();
    // 04:10 — first refresh: every hour is missing, all built with the same stamp.
    await world.writeMinutes('00:00:00', '04:08:00');
    await world.refreshAt('04:10:00', ['00', '01', '02', '03', '04']);
    // Between builds: a late event rewrites 02:30; hour 02 is never rebuilt, so only its own
    // (first) stamp can bring the minute back.
    await world.rewriteMinute('02:30:00', '05:00:00', 'late');
    // 05:20 — the window (1 hour) reaches back to 04:00: 04 rebuilt, 05 new; 00–03 left as they are.
    await world.writeMinutes('04:09:00', '05:18:00');
    await world.refreshAt('05:20:00', ['04', '05']);
    // Rewritten before hour 05's next build, which then holds it: not a tail minute.
    await world.rewriteMinute('05:10:00', '05:40:00', 'late');
    // 06:20 — window from 05:00: 05 rebuilt, 06 new; 04 now left behind too, with its own stamp.
    await world.writeMinutes('05:19:00', '06:18:00');
    await world.refreshAt('06:20:00', ['05', '06']);

    // After the last build: the stream appends minutes and rewrites closed ones — a late event in
    // an old hour, one in the middle hour, and a session ending in the current hour.
    await world.writeMinutes('06:19:00', '06:24:00');
    await world.rewriteMinute('01:17:00', '06:23:30', 'late');
    await world.rewriteMinute('04:44:00', '06:24:10', 'late');
    await world.rewriteMinute('06:05:00', '06:24:40', 'retarget');
    world.setClock('06:25:30');
  }, 120_000);

  afterAll(async () => {
    await world?.close();
  });

  it('builds the partitions the scenario describes: old hours keep their first stamp, recent ones later ones', () => {
    // Guards the premise of the tests below; the stamps compared are the test's own reads.
    expect(world.partitions().map((p) => [p.partition.slice(11, 13), p.changeStamp])).toEqual(HOURS.map((h) => [hh(h), world.buildStampOf(hh(h))]));
    expect(new Set(world.builds.map((b) => b.stamp)).size).toBe(3);
    expect(world.partitions().map((p) => p.watermark).sort().at(-1)).toBe(`${DAY}T${WATERMARK}.000`);
  });

  it('answers like hand-written SQL over the source for every query shape, served by the lambda', async () => {
    await expectAnswersLikeSource(world);
  });

  it('reads from the source only the rewritten minutes and those after the watermark, not every minute since the oldest build', async () => {
    const tail = await observeTail(world);
    const hand = await handTail(world, HOURS, WATERMARK);
    // The same expectation named by minutes: the four minutes rewritten after their hour's last
    // build, the last stored minute (its stamp is exactly the last build's read) and the six
    // appended after the watermark. 05:10 was rewritten before hour 05's last build: not here.
    const byName = await hand.groups(`strftime(minute, '%H:%M') IN ('01:17', '02:30', '04:44', '06:05', '06:18') OR minute >= TIMESTAMP '${DAY} 06:19:00'`);
    console.log('lambda tail rows (few build moments)', { observed: tail.rows, ideal: hand.ideal, singleStamp: hand.singleStamp, minutes: tail.minutes.join(' ') });

    expect(tail.minutes).toEqual(['01:17', '02:30', '04:44', '06:05', '06:18', '06:19', '06:20', '06:21', '06:22', '06:23', '06:24']);
    expect(tail.minutes).toEqual(hand.idealMinutes);
    expect(tail.rows).toBe(hand.ideal);
    expect(hand.ideal).toBe(byName);
    // The untouched minutes of old hours stay out: one stamp would read everything written since
    // 04:09 (over two hours of minutes).
    expect(hand.singleStamp).toBeGreaterThan(10 * hand.ideal);
  });
});

describe('lambda tail after a day of hourly refreshes (more build moments than stamp ranges)', () => {
  let world: World;
  const HOURS = Array.from({ length: 24 }, (_, h) => h);
  const WATERMARK = '23:08:00';
  const rewritten: string[] = [];

  beforeAll(async () => {
    world = await openWorld();
    await world.writeMinutes('00:00:00', '03:08:00');
    await world.refreshAt('03:10:00', ['00', '01', '02', '03']);
    // Every hour the refresh rebuilds the previous hour and builds the new one, so each hour
    // leaves the window with a stamp of its own: far more distinct stamps than ranges, and ranges
    // must merge partitions built an hour apart. Just before each refresh a late event rewrites a
    // minute of the hour left behind at the previous refresh: only that hour's own (older) stamp
    // brings it back, whichever partition it shares a range with.
    for (let k = 4; k <= 23; k++) {
      await world.writeMinutes(`${hh(k - 1)}:09:00`, `${hh(k)}:08:00`);
      await world.rewriteMinute(`${hh(k - 2)}:30:00`, `${hh(k)}:05:00`, 'late');
      rewritten.push(`${hh(k - 2)}:30`);
      await world.refreshAt(`${hh(k)}:10:00`, [hh(k - 1), hh(k)]);
    }
    await world.writeMinutes('23:09:00', '23:14:00');
    await world.rewriteMinute('07:45:00', '23:14:30', 'late');
    rewritten.push('07:45');
    world.setClock('23:15:30');
  }, 120_000);

  afterAll(async () => {
    await world?.close();
  });

  it('leaves an own build stamp on every hour (more than a dozen distinct stamps)', () => {
    expect(world.partitions().map((p) => [p.partition.slice(11, 13), p.changeStamp])).toEqual(HOURS.map((h) => [hh(h), world.buildStampOf(hh(h))]));
    expect(new Set(world.partitions().map((p) => p.changeStamp)).size).toBeGreaterThan(12);
    expect(world.partitions().map((p) => p.watermark).sort().at(-1)).toBe(`${DAY}T${WATERMARK}.000`);
  });

  it('answers like hand-written SQL over the source for every query shape, served by the lambda', async () => {
    await expectAnswersLikeSource(world);
  });

  it('reads only the minutes rewritten after their hour was built and those after the watermark, a day later still', async () => {
    const tail = await observeTail(world);
    const hand = await handTail(world, HOURS, WATERMARK);
    console.log('lambda tail rows (a day of hourly refreshes)', { observed: tail.rows, ideal: hand.ideal, singleStamp: hand.singleStamp, idealMinutes: hand.idealMinutes.length, observedMinutes: tail.minutes.length });
    for (const minute of rewritten) expect(tail.minutes, minute).toContain(minute);
    // Hours left behind share a range only with a stamp read after their last minute, so no
    // untouched minute of theirs comes along: the tail stays what it was after the first hours.
    expect(tail.minutes).toEqual(hand.idealMinutes);
    expect(tail.rows).toBe(hand.ideal);
    expect(hand.singleStamp).toBeGreaterThan(10 * hand.ideal);
  });
});
