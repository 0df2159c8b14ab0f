/**
 * `/cubejs-api/v1/explain` and the pre-aggregation page's data on the real server (composition
 * root `buildStack`, express app, real JWTs, the repository's model over the gold fixture): the
 * same authentication, access policies and query validation as `/load`, errors in Cube's
 * `{error}` shape, and `GET /pre-aggregations` with partitions, their ranges and build times,
 * plus rebuilding one partition through the jobs protocol.
 */
import { SignJWT } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SemanticServer } from '../../src/server.ts';
import { startStack, type Stack } from '../support/stack.ts';

const SECRET = 'explain-api-test-secret-of-32-bytes!!';
const ROLLUP = 'fato_vendas.por_canal_dia';
let stack: Stack;
let server: SemanticServer;

const token = (claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('10m').sign(new TextEncoder().encode(SECRET));

beforeAll(async () => {
  stack = await startStack({ data: 'gold', security: { secret: SECRET }, preaggs: true });
  server = stack.server;
  const statuses = await stack.preAggregations!.refresher.refresh(stack.engine.currentModel(), { force: true, only: [ROLLUP] });
  expect(statuses.map((s) => s.state)).toEqual(['ready']);
}, 120_000);

afterAll(async () => stack?.close());

const QUERY = { measures: ['fato_vendas.vendas_liquidas'], dimensions: ['dim_canal.nome'], timeDimensions: [{ dimension: 'fato_vendas.data_venda', granularity: 'month', dateRange: ['2024-02-01', '2024-03-31'] }] };

describe('/cubejs-api/v1/explain over HTTP', () => {
  it('answers GET and POST alike, naming the rollup /load reads and its partitions', async () => {
    const auth = await token({ groups: ['internal'] });
    const got = await request(server.app).get('/cubejs-api/v1/explain').query({ query: JSON.stringify(QUERY) }).set('Authorization', auth);
    expect(got.status).toBe(200);
    expect(got.body.servedBy).toEqual({ preAggregation: ROLLUP, type: 'rollup', tableName: expect.any(String), partitions: ['2024-02-01T00:00:00', '2024-03-01T00:00:00'] });
    expect(got.body.query).toMatchObject({ measures: QUERY.measures, dimensions: QUERY.dimensions });
    expect(got.body.candidates[0]).toEqual({ preAggregation: ROLLUP, type: 'rollup', served: true, reasons: [] });
    const posted = await request(server.app).post('/cubejs-api/v1/explain').send({ query: QUERY }).set('Authorization', auth);
    expect(posted.status).toBe(200);
    expect(posted.body.servedBy).toEqual(got.body.servedBy);
    const load = await request(server.app).get('/cubejs-api/v1/load').query({ query: JSON.stringify(QUERY) }).set('Authorization', auth);
    expect(Object.keys(load.body.usedPreAggregations)).toEqual([ROLLUP]);
    expect(load.body.usedPreAggregations[ROLLUP].targetTableName).toBe(got.body.servedBy.tableName);
  });

  it('applies the caller\'s access policy: a store manager\'s row filter keeps the rollup out, as in /load', async () => {
    const auth = await token({ groups: ['gerente_loja'], lojas: ['L001'] });
    const explained = await request(server.app).get('/cubejs-api/v1/explain').query({ query: JSON.stringify(QUERY) }).set('Authorization', auth);
    expect(explained.status).toBe(200);
    expect(explained.body.servedBy).toBeNull();
    expect(explained.body.candidates.find((c: { preAggregation: string }) => c.preAggregation === ROLLUP).reasons).toEqual([
      { code: 'ROW_FILTER_ON_NON_ROLLUP_MEMBER', message: expect.stringContaining('fato_vendas.loja_id'), member: 'fato_vendas.loja_id' },
    ]);
    expect(explained.body.suggestion.definition.dimensions).toEqual(['dim_canal.nome', 'loja_id']);
    // The campaign cubes are hidden from store managers (as in /meta): so are their rollups.
    const ids = explained.body.candidates.map((c: { preAggregation: string }) => c.preAggregation);
    expect(ids).toContain('fato_vendas.novos_recorrentes_mes');
    expect(ids.filter((id: string) => id.startsWith('campanhas_tempo_real.'))).toEqual([]);
    const internal = await request(server.app).get('/cubejs-api/v1/explain').query({ query: JSON.stringify(QUERY) }).set('Authorization', await token({ groups: ['internal'] }));
    expect(internal.body.candidates.map((c: { preAggregation: string }) => c.preAggregation)).toContain('campanhas_tempo_real.metricas_tempo_real');
    const load = await request(server.app).get('/cubejs-api/v1/load').query({ query: JSON.stringify(QUERY) }).set('Authorization', auth);
    expect(load.body.usedPreAggregations).toEqual({});
  });

  it('answers a compareDateRange query per period', async () => {
    const auth = await token({ groups: ['internal'] });
    const query = { ...QUERY, timeDimensions: [{ ...QUERY.timeDimensions[0], dateRange: undefined, compareDateRange: [['2024-02-01', '2024-02-29'], ['2024-03-01', '2024-03-15T12:00:00']] }] };
    const explained = await request(server.app).post('/cubejs-api/v1/explain').send({ query }).set('Authorization', auth);
    expect(explained.status).toBe(200);
    expect(explained.body.periods).toHaveLength(2);
    expect(explained.body.periods[0].servedBy.preAggregation).toBe(ROLLUP);
    expect(explained.body.periods[1].servedBy).toBeNull();
    expect(explained.body.periods[1].candidates.find((c: { preAggregation: string }) => c.preAggregation === ROLLUP).reasons.map((r: { code: string }) => r.code)).toEqual(['DATE_RANGE_NOT_ALIGNED']);
  });

  it('rejects bad input with 400 and Cube\'s error shape, and a missing token with 403', async () => {
    const auth = await token({ groups: ['internal'] });
    const cases: [string, (r: request.Test) => request.Test][] = [
      ['no query', (r) => r],
      ['malformed JSON', (r) => r.query({ query: '{"measures":' })],
      ['unknown member', (r) => r.query({ query: JSON.stringify({ measures: ['fato_vendas.nao_existe'] }) })],
      ['wrong shape', (r) => r.query({ query: JSON.stringify({ measures: 'fato_vendas.count' }) })],
      ['several queries', (r) => r.query({ query: JSON.stringify([QUERY, QUERY]) })],
    ];
    for (const [name, build] of cases) {
      const response = await build(request(server.app).get('/cubejs-api/v1/explain').set('Authorization', auth));
      expect(response.status, name).toBe(400);
      expect(typeof response.body.error, name).toBe('string');
    }
    const bodyNotObject = await request(server.app).post('/cubejs-api/v1/explain').set('Authorization', auth).set('Content-Type', 'application/json').send('[1]');
    expect(bodyNotObject.status).toBe(400);
    const anonymous = await request(server.app).get('/cubejs-api/v1/explain').query({ query: JSON.stringify(QUERY) });
    expect(anonymous.status).toBe(403);
    expect(typeof anonymous.body.error).toBe('string');
  });
});

describe('GET /cubejs-api/v1/pre-aggregations and rebuilding one partition', () => {
  it('lists each partition with its range, build time and rows, as its stored table holds them', async () => {
    const auth = await token({ scope: ['jobs'], groups: ['internal'] });
    const listed = await request(server.app).get('/cubejs-api/v1/pre-aggregations').set('Authorization', auth);
    expect(listed.status).toBe(200);
    const status = listed.body.preAggregations.find((s: { id: string }) => s.id === ROLLUP);
    expect(status).toMatchObject({ state: 'ready', type: 'rollup', timeDimension: 'fato_vendas.data_venda', granularity: 'day', partitionGranularity: 'month', missingPartitions: [] });
    // The months the source has rows in (hand-written SQL over the model's own time column), one partition each.
    const months = await stack.driver.query(`SELECT DISTINCT strftime(date_trunc('month', data_venda), '%Y-%m-%dT%H:%M:%S') FROM gold.fato_vendas WHERE data_venda IS NOT NULL ORDER BY 1`, []);
    const partitionKeys = status.partitionDetails.map((p: { partition: string }) => p.partition);
    expect(partitionKeys).toEqual(expect.arrayContaining((months.data[0] ?? []).map(String)));
    expect(status.partitions).toBe(partitionKeys.length);
    // Each partition's rows and day range read from its table in the store.
    const store = stack.preAggregations!.store.storeDriver;
    for (const p of status.partitionDetails as { partition: string; from: string; to: string; rowCount: number; table: string; builtAt: string }[]) {
      const held = await store.query(`SELECT count(*), strftime(min("fato_vendas.data_venda.day"), '%Y-%m-%dT%H:%M:%S.%g'), strftime(max("fato_vendas.data_venda.day"), '%Y-%m-%dT%H:%M:%S.%g') FROM ${p.table}`, []);
      expect(Number(held.data[0]![0]), p.partition).toBe(p.rowCount);
      expect(String(held.data[1]![0]) >= p.from && String(held.data[2]![0]) <= p.to, `${p.partition}: ${held.data[1]![0]}..${held.data[2]![0]} within ${p.from}..${p.to}`).toBe(true);
      expect(Number.isNaN(Date.parse(p.builtAt))).toBe(false);
    }
    expect(status.rowCount).toBe(status.partitionDetails.reduce((sum: number, p: { rowCount: number }) => sum + p.rowCount, 0));
    const march = status.partitionDetails.find((p: { partition: string }) => p.partition === '2024-03-01T00:00:00');
    expect(march).toMatchObject({ from: '2024-03-01T00:00:00.000', to: '2024-03-31T23:59:59.999' });
  });

  it('rebuilds the one partition a jobs selector names and leaves the others as they were', async () => {
    const auth = await token({ scope: ['jobs'], groups: ['internal'] });
    const list = async () => (await request(server.app).get('/cubejs-api/v1/pre-aggregations').set('Authorization', auth)).body.preAggregations.find((s: { id: string }) => s.id === ROLLUP);
    const before = await list();
    const posted = await request(server.app).post('/cubejs-api/v1/pre-aggregations/jobs').set('Authorization', auth).send({ action: 'post', selector: { preAggregations: [ROLLUP], partitions: ['2024-03-01T00:00:00'] } });
    expect(posted.status).toBe(200);
    expect(posted.body).toHaveLength(1);
    let status = '';
    for (let i = 0; i < 200; i++) {
      status = (await request(server.app).post('/cubejs-api/v1/pre-aggregations/jobs').set('Authorization', auth).send({ action: 'get', tokens: posted.body })).body[0].status;
      if (status !== 'processing' && status !== 'scheduled') break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(status).toBe('done');
    const after = await list();
    const changed = after.partitionDetails.filter((p: { partition: string; table: string }) => before.partitionDetails.find((b: { partition: string }) => b.partition === p.partition).table !== p.table);
    expect(changed.map((p: { partition: string }) => p.partition)).toEqual(['2024-03-01T00:00:00']);
    expect(after.partitionDetails.map((p: { rowCount: number }) => p.rowCount)).toEqual(before.partitionDetails.map((p: { rowCount: number }) => p.rowCount));

    const bad = await request(server.app).post('/cubejs-api/v1/pre-aggregations/jobs').set('Authorization', auth).send({ action: 'post', selector: { preAggregations: [ROLLUP], partitions: ['março'] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/partition key or a local ISO date/);
    const unknown = await request(server.app).post('/cubejs-api/v1/pre-aggregations/jobs').set('Authorization', auth).send({ action: 'post', selector: { preAggregations: [ROLLUP], partitions: ['2031-01-01'] } });
    expect(unknown.status).toBe(404);
    const notList = await request(server.app).post('/cubejs-api/v1/pre-aggregations/jobs').set('Authorization', auth).send({ action: 'post', selector: { preAggregations: [ROLLUP], partitions: '2024-03-01' } });
    expect(notList.status).toBe(400);
  });
});
