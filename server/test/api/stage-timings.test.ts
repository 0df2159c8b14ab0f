/**
 * Per-stage timings of the engine (issue 13): the stack wired as `main.ts` wires it (one metrics
 * registry given to `buildStack` and `createServer`, the SQL API on the same engine), real queries
 * through REST, GraphQL and a real `pg` client over the Postgres wire, each answer checked against
 * SQL written here, and `/metrics` scraped before and after each: the count of
 * `semantic_stage_duration_seconds` grows for every stage under that API's label. In dev mode a
 * REST answer also carries the breakdown in `annotation.timings`.
 */
import pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/observability/create-metrics.ts';
import type { SemanticServer } from '../../src/server.ts';
import { startConfiguredSqlApi } from '../../src/api/sql/start-configured-sql-api.ts';
import type { SqlServer } from '../../src/api/sql/start-sql-server.ts';
import { queryDuckDb, startStack, type Stack } from '../support/stack.ts';

/** Every stage a first-time query runs, in `load`'s order (engine/create-engine.ts). */
const STAGES = ['rewrite', 'normalize', 'plan', 'authorize', 'choose-source', 'lower', 'execute', 'shape'];

let duckdbPath: string;
let stack: Stack;
let server: SemanticServer;
let sqlServer: SqlServer;

beforeAll(async () => {
  stack = await startStack({ data: 'corpus', metrics: createMetrics(), env: { CUBEJS_PLAYGROUND: 'false' } });
  duckdbPath = stack.duckdbPath;
  server = stack.server;
  const started = await startConfiguredSqlApi({ port: 0, host: '127.0.0.1', devMode: true, engine: stack.engine, getModel: () => stack.engine.currentModel() });
  sqlServer = started.server!;
});

afterAll(async () => {
  await sqlServer?.close();
  await stack?.close();
});

/** `semantic_stage_duration_seconds_count` by stage for one API, read from /metrics as Prometheus would. */
async function stageCounts(api: string): Promise<Record<string, number>> {
  const text = (await request(server.app).get('/metrics')).text;
  const counts: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^semantic_stage_duration_seconds_count\{([^}]*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (labels.api === api) counts[labels.stage!] = Number(m[2]);
  }
  return counts;
}

function expectEveryStageGrew(before: Record<string, number>, after: Record<string, number>): void {
  for (const stage of STAGES) expect(after[stage] ?? 0, `stage ${stage}`).toBeGreaterThan(before[stage] ?? 0);
}

describe('per-stage timings', () => {
  it('REST: every stage is counted under api="rest", and the dev-mode answer shows the breakdown', async () => {
    const before = await stageCounts('rest');
    const query = { measures: ['ECommerce.count'], dimensions: ['ECommerce.city'], order: { 'ECommerce.city': 'asc' } };
    const res = await request(server.app).post('/cubejs-api/v1/load').send({ query });
    expect(res.status).toBe(200);
    const expected = await queryDuckDb(duckdbPath, 'SELECT city, count(customer_id) AS n FROM ecommerce GROUP BY city ORDER BY city');
    expect(res.body.data.map((r: Record<string, unknown>) => [r['ECommerce.city'], Number(r['ECommerce.count'])])).toEqual(expected.map((r) => [r.city, Number(r.n)]));
    expectEveryStageGrew(before, await stageCounts('rest'));

    const timings = res.body.annotation.timings as Record<string, number>;
    expect(Object.keys(timings).sort()).toEqual([...STAGES].sort());
    for (const stage of STAGES) expect(timings[stage]).toBeGreaterThanOrEqual(0);
    // The members' annotation is unchanged beside it.
    expect(res.body.annotation.measures['ECommerce.count']).toMatchObject({ type: 'number' });
  });

  it('GraphQL: every stage is counted under api="graphql"', async () => {
    const before = await stageCounts('graphql');
    const res = await request(server.app)
      .post('/cubejs-api/graphql')
      .send({ query: '{ cube(orderBy: { eCommerce: { city: asc } }) { eCommerce { city totalQuantity } } }' });
    expect(res.body.errors).toBeUndefined();
    const expected = await queryDuckDb(duckdbPath, 'SELECT city, sum(quantity) AS q FROM ecommerce GROUP BY city ORDER BY city');
    const rows = res.body.data.cube.map((r: { eCommerce: Record<string, unknown> }) => [r.eCommerce.city, Number(r.eCommerce.totalQuantity)]);
    expect(rows).toEqual(expected.map((r) => [r.city, Number(r.q)]));
    expectEveryStageGrew(before, await stageCounts('graphql'));
  });

  it('SQL API: every stage is counted under api="sql" for a query a pg client sends over the wire', async () => {
    const before = await stageCounts('sql');
    const client = new pg.Client({ host: '127.0.0.1', port: sqlServer.port, user: 'anyone', password: 'any', database: 'db' });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT city, MEASURE("totalProfit") AS p FROM "ECommerce" GROUP BY 1 ORDER BY 1');
      const expected = await queryDuckDb(duckdbPath, 'SELECT city, sum(profit) AS p FROM ecommerce GROUP BY city ORDER BY city');
      expect(rows.map((r) => [r.city, Number(r.p)])).toEqual(expected.map((r) => [r.city, Number(r.p)]));
    } finally {
      await client.end();
    }
    expectEveryStageGrew(before, await stageCounts('sql'));
  });

  it('a stage that did not run is not counted: a repeated REST query skips planning', async () => {
    const query = { measures: ['ECommerce.totalSales'], dimensions: ['ECommerce.city'] };
    const first = await request(server.app).post('/cubejs-api/v1/load').send({ query });
    expect(first.status).toBe(200);
    const before = await stageCounts('rest');
    const again = await request(server.app).post('/cubejs-api/v1/load').send({ query });
    expect(again.body.data).toEqual(first.body.data);
    const after = await stageCounts('rest');
    expect(after.rewrite).toBe(before.rewrite! + 1);
    // Answered from the answer memo or the compile cache, unless the clock crossed a second (a new compile key).
    const timings = again.body.annotation.timings as Record<string, number>;
    if (timings.plan === undefined) expect(after.plan).toBe(before.plan);
    else expect(after.plan).toBe(before.plan! + 1);
  });
});
