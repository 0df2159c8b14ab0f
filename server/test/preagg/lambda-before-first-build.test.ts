/**
 * Regression (issue 11): the lambda suite under load saw the lambda engine answer no rows where
 * the raw query had 6. The order that a busy machine produces, made deterministic here:
 *
 *   1. a dashboard query arrives while the source is still empty: the lambda's batch was never
 *      built, so the source answers (0 rows) — and that answer went into the result cache;
 *   2. the first scheduled build runs while the source is still empty: nothing to build;
 *   3. the stream lands rows;
 *   4. the same query again: the batch is still not built, the source answers again — and the
 *      cached 0 rows of step 1 were served for the rest of the refresh-key interval (10 s).
 *
 * A query a live lambda (`union_with_source_data`) would answer must be as fresh from the source
 * as from the lambda. Expected answers come from hand-written SQL on the source table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SemanticEngine } from '../../src/engine/engine-types.ts';
import type { SemanticModel } from '../../src/model/model-types.ts';
import type { QueryOrchestrator } from '../../src/reuse/query-orchestrator.ts';
import type { PreAggregations } from '../../src/preagg/open-pre-aggregations.ts';
import { startStack, type Stack } from '../support/stack.ts';
import type { CubeQuery } from '../../src/query/query-types.ts';
import { ctx } from './preagg-harness.ts';

// A live lambda cube (as model/cubes/campanhas_tempo_real.yml) and a plain cube over the same table.
const MODEL_YAML = `
cubes:
  - name: live_minutes
    sql_table: src.minutes
    dimensions:
      - { name: key, sql: "strftime(minute, '%H:%M') || campaign", type: string, primary_key: true }
      - { name: minute, sql: minute, type: time }
      - { name: campaign, sql: campaign, type: string }
      - { name: updated_at, sql: updated_at, type: time, public: false, meta: { lambda_change_stamp: true } }
    measures:
      - { name: sessions, sql: sessions, type: sum }
    pre_aggregations:
      - name: live
        type: rollup_lambda
        union_with_source_data: true
        rollups: [CUBE.by_minute]
      - name: by_minute
        measures: [CUBE.sessions]
        dimensions: [CUBE.campaign]
        time_dimension: CUBE.minute
        granularity: minute
        partition_granularity: hour
        refresh_key: { every: 10 second, incremental: true, update_window: 2 hour }
  - name: plain_minutes
    sql_table: src.minutes
    dimensions:
      - { name: key, sql: "strftime(minute, '%H:%M') || campaign", type: string, primary_key: true }
      - { name: campaign, sql: campaign, type: string }
    measures:
      - { name: sessions, sql: sessions, type: sum }
`;

const LIVE: CubeQuery = {
  measures: ['live_minutes.sessions'],
  dimensions: ['live_minutes.campaign'],
  timeDimensions: [{ dimension: 'live_minutes.minute', granularity: 'minute' }],
  order: [['live_minutes.minute.minute', 'asc'], ['live_minutes.campaign', 'asc']],
};
const PLAIN: CubeQuery = { measures: ['plain_minutes.sessions'] };

describe('a live lambda before its first build', () => {
  let stack: Stack;
  let preAggregations: PreAggregations;
  let orchestrator: QueryOrchestrator;
  let engine: SemanticEngine;
  let model: SemanticModel;

  const sql = async (text: string) => {
    const result = await stack.driver.query(text, []);
    return Array.from({ length: result.rowCount }, (_, r) => Object.fromEntries(result.columns.map((c, i) => [c.name, result.data[i]![r]])));
  };
  const load = async (query: CubeQuery) => {
    const result = (await engine.load(query, ctx)).results[0]!;
    const rows = Array.from({ length: result.rowCount }, (_, r) => Object.fromEntries(result.columns.map((c, i) => [c.name, result.data[i]![r]])));
    return { rows, used: Object.keys(result.usedPreAggregations) };
  };
  /** The live query written by hand over the source table. */
  const byHand = async () =>
    (await sql(`SELECT strftime(minute, '%Y-%m-%dT%H:%M:00.000') AS m, campaign, CAST(sum(sessions) AS BIGINT) AS s
                FROM src.minutes GROUP BY ALL ORDER BY m, campaign`)).map((r) => [r.m, r.campaign, Number(r.s)]);
  const asTriples = (rows: readonly Record<string, unknown>[]) =>
    rows.map((r) => [r['live_minutes.minute.minute'], r['live_minutes.campaign'], Number(r['live_minutes.sessions'])]);

  beforeAll(async () => {
    // An empty source table, the model file, rollups built one at a time; the result cache is on, as in `npm start`.
    stack = await startStack({
      data: { sql: `CREATE SCHEMA src; CREATE TABLE src.minutes (minute TIMESTAMP, campaign VARCHAR, sessions INTEGER, updated_at TIMESTAMP)` },
      model: { files: { 'cubes/minutes.yml': MODEL_YAML } },
      preaggs: true,
      env: { CUBEJS_SCHEDULED_REFRESH_CONCURRENCY: '1' },
    });
    engine = stack.engine;
    model = engine.currentModel();
    preAggregations = stack.preAggregations!;
    orchestrator = stack.orchestrator;
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('answers from the source as fresh as the lambda would, not from a cached empty answer', async () => {
    const empty = await load(LIVE);
    expect(empty.rows).toEqual([]);
    expect(empty.used).toEqual([]);
    const [status] = await preAggregations.refresher.refresh(model, { only: ['live_minutes.by_minute'] });
    expect(status?.state).toBe('never_built');

    await sql(`INSERT INTO src.minutes VALUES
      ('2026-01-10 09:57:00', 'a', 3, '2026-01-10 09:57:05'), ('2026-01-10 09:57:00', 'b', 1, '2026-01-10 09:57:05'),
      ('2026-01-10 09:58:00', 'a', 2, '2026-01-10 09:58:05'), ('2026-01-10 09:58:00', 'c', 4, '2026-01-10 09:58:05'),
      ('2026-01-10 09:59:00', 'b', 5, '2026-01-10 09:59:05'), ('2026-01-10 09:59:00', 'c', 6, '2026-01-10 09:59:05')`);
    const expected = await byHand();
    expect(expected).toHaveLength(6);
    const fresh = await load(LIVE);
    expect(fresh.used).toEqual([]);
    expect(asTriples(fresh.rows)).toEqual(expected);

    // Once built, the lambda serves it, with the same rows; a later write shows at once.
    const [built] = await preAggregations.refresher.refresh(model, { only: ['live_minutes.by_minute'] });
    expect(built?.state).toBe('ready');
    const served = await load(LIVE);
    expect(served.used).toEqual(['live_minutes.live']);
    expect(asTriples(served.rows)).toEqual(expected);
    await sql(`INSERT INTO src.minutes VALUES ('2026-01-10 10:00:00', 'a', 7, '2026-01-10 10:00:05')`);
    expect(asTriples((await load(LIVE)).rows)).toEqual(await byHand());
  });

  it('keeps caching source answers of cubes no live lambda covers', async () => {
    const first = await load(PLAIN);
    const hits = orchestrator.stats().cache.hits;
    await sql(`INSERT INTO src.minutes VALUES ('2026-01-10 10:01:00', 'z', 100, '2026-01-10 10:01:05')`);
    const second = await load(PLAIN);
    // Same refresh-key interval: the cached answer, by Cube's refresh_key rules (every 10 s).
    expect(second.rows).toEqual(first.rows);
    expect(orchestrator.stats().cache.hits).toBe(hits + 1);
  });
});
