/**
 * The pre-aggregation endpoints on the real server (composition root `buildStack`, express app,
 * real JWTs): the jobs protocol the Airflow DAG `preagg_refresh` speaks, the status listing,
 * and `/load` naming the rollup once it is built.
 */
import { SignJWT } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SemanticServer } from '../../src/server.ts';
import { startStack, type Stack } from '../support/stack.ts';

const SECRET = 'preagg-jobs-test-secret-of-32-bytes!!';
let stack: Stack;
let server: SemanticServer;

const token = (claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('10m').sign(new TextEncoder().encode(SECRET));

beforeAll(async () => {
  stack = await startStack({ data: 'gold', security: { secret: SECRET }, preaggs: true });
  server = stack.server;
});

afterAll(async () => stack?.close());

const QUERY = { measures: ['fato_vendas.vendas_liquidas'], dimensions: ['dim_canal.nome'], timeDimensions: [{ dimension: 'fato_vendas.data_venda', granularity: 'month', dateRange: ['2024-01-01', '2024-06-30'] }] };

describe('pre-aggregation jobs endpoint', () => {
  it('serves from the source before the build, then builds through the jobs protocol and serves from the rollup', async () => {
    const auth = await token({ sub: 'airflow', scope: ['jobs'], groups: ['internal'] });
    const before = await request(server.app).get('/cubejs-api/v1/load').query({ query: JSON.stringify(QUERY) }).set('Authorization', auth);
    expect(before.status).toBe(200);
    expect(before.body.usedPreAggregations).toEqual({});

    const posted = await request(server.app).post('/cubejs-api/v1/pre-aggregations/jobs').set('Authorization', auth)
      .send({ action: 'post', selector: { contexts: [{ securityContext: {} }], timezones: ['UTC'], preAggregations: ['fato_vendas.por_canal_dia'] } });
    expect(posted.status).toBe(200);
    expect(posted.body).toHaveLength(1);
    let statuses: Record<string, { status: string; table: string }> = {};
    for (let i = 0; i < 200; i++) {
      const polled = await request(server.app).post('/cubejs-api/v1/pre-aggregations/jobs').set('Authorization', auth).send({ action: 'get', resType: 'object', tokens: posted.body });
      statuses = polled.body;
      if (Object.values(statuses).every((s) => s.status === 'done' || s.status.startsWith('failure'))) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(Object.values(statuses)).toEqual([expect.objectContaining({ status: 'done', table: 'fato_vendas.por_canal_dia' })]);

    const after = await request(server.app).get('/cubejs-api/v1/load').query({ query: JSON.stringify(QUERY) }).set('Authorization', auth);
    expect(Object.keys(after.body.usedPreAggregations)).toEqual(['fato_vendas.por_canal_dia']);
    const sort = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r)).sort();
    expect(sort(after.body.data)).toEqual(sort(before.body.data));
    const sql = await request(server.app).get('/cubejs-api/v1/sql').query({ query: JSON.stringify(QUERY) }).set('Authorization', auth);
    expect(sql.body.sql.preAggregations).toMatchObject([{ preAggregationId: 'fato_vendas.por_canal_dia' }]);

    const listed = await request(server.app).get('/cubejs-api/v1/pre-aggregations').set('Authorization', auth);
    expect(listed.status).toBe(200);
    const built = listed.body.preAggregations.find((s: { id: string }) => s.id === 'fato_vendas.por_canal_dia');
    expect(built).toMatchObject({ state: 'ready', partitions: expect.any(Number), rowCount: expect.any(Number), lastDurationMs: expect.any(Number), lastRefreshAt: expect.any(String) });
    expect(built.rowCount).toBeGreaterThan(0);
    expect(listed.body.preAggregations.find((s: { id: string }) => s.id === 'fato_vendas.novos_recorrentes_mes')).toMatchObject({ state: 'never_built', rowCount: 0 });
  });

  it('reports an unknown token as missing, and rejects bad requests with 400 and tokens without the jobs scope with 403', async () => {
    const auth = await token({ scope: ['jobs'] });
    const missing = await request(server.app).post('/cubejs-api/v1/pre-aggregations/jobs').set('Authorization', auth).send({ action: 'get', tokens: ['nope'] });
    expect(missing.body).toEqual([expect.objectContaining({ token: 'nope', status: 'missing' })]);
    const badAction = await request(server.app).post('/cubejs-api/v1/pre-aggregations/jobs').set('Authorization', auth).send({ action: 'run' });
    expect(badAction.status).toBe(400);
    expect(badAction.body.error).toContain('action');
    const unknown = await request(server.app).post('/cubejs-api/v1/pre-aggregations/jobs').set('Authorization', auth).send({ action: 'post', selector: { preAggregations: ['fato_vendas.nao_existe'] } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toContain('fato_vendas.nao_existe');
    const noScope = await request(server.app).post('/cubejs-api/v1/pre-aggregations/jobs').set('Authorization', await token({ sub: 'dashboard' })).send({ action: 'post' });
    expect(noScope.status).toBe(403);
    const noToken = await request(server.app).get('/cubejs-api/v1/pre-aggregations');
    expect(noToken.status).toBe(403);
  });
});
