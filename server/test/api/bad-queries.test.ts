/**
 * Bad input through HTTP gets 400/403 with a message naming the problem, never a 500; outside dev
 * mode every route of the API needs a valid JWT.
 */
import { SignJWT } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.ts';

const SECRET = 'bad-queries-secret-0123456789abcdef';
let stack: Stack;
let token: string;

async function sign(claims: Record<string, unknown>, options: { secret?: string; exp?: number; nbf?: number } = {}): Promise<string> {
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt();
  if (options.exp !== undefined) jwt = jwt.setExpirationTime(options.exp);
  if (options.nbf !== undefined) jwt = jwt.setNotBefore(options.nbf);
  return jwt.sign(new TextEncoder().encode(options.secret ?? SECRET));
}

beforeAll(async () => {
  stack = await startStack({ data: 'corpus', security: { secret: SECRET }, env: { CUBEJS_DB_QUERY_LIMIT: '1000' } });
  token = await sign({ user: 'tester' });
});
afterAll(async () => stack?.close());

function post(query: unknown, auth: string | undefined = token) {
  const req = request(stack.server.app).post('/cubejs-api/v1/load');
  if (auth) req.set('Authorization', auth);
  return req.send({ query });
}

describe('bad queries', () => {
  it('names an unknown member', async () => {
    const res = await post({ measures: ['ECommerce.nope'] });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/ECommerce\.nope/);
  });

  it('names an unknown cube', async () => {
    const res = await post({ dimensions: ['Nope.city'] });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/Nope/);
  });

  it('refuses a hidden member', async () => {
    const res = await post({ measures: ['ECommerce.hiddenSum'] });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/hidden/i);
  });

  it('names a wrong filter operator', async () => {
    const res = await post({ measures: ['ECommerce.count'], filters: [{ member: 'ECommerce.city', operator: 'like', values: ['x'] }] });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/"like" is not a filter operator/);
    expect(res.body.type).toBe('INVALID_OPERATOR');
  });

  it('rejects malformed JSON in the query parameter and in the body', async () => {
    const get = await request(stack.server.app).get('/cubejs-api/v1/load').set('Authorization', token).query({ query: '{"measures": [' });
    expect(get.status).toBe(400);
    expect(get.body.error).toMatch(/not valid JSON/);
    const body = await request(stack.server.app)
      .post('/cubejs-api/v1/load')
      .set('Authorization', token)
      .set('Content-Type', 'application/json')
      .send('{"query": {"measures": ["ECommerce.count"]');
    expect(body.status).toBe(400);
    expect(body.body.error).toMatch(/Request body is not valid JSON/);
  });

  it('names an unparseable date range', async () => {
    const res = await post({
      measures: ['ECommerce.count'],
      timeDimensions: [{ dimension: 'ECommerce.orderDate', dateRange: 'the day after never' }],
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/the day after never/);
  });

  it('refuses a limit over CUBEJS_DB_QUERY_LIMIT', async () => {
    const res = await post({ measures: ['ECommerce.count'], limit: 1001 });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/limit 1001/);
    expect(res.body.type).toBe('LIMIT_EXCEEDED');
  });

  it('answers broken percent-encoding and runaway nesting with 400, not a crash', async () => {
    const broken = await request(stack.server.app).get('/cubejs-api/v1/load?query=%E0%A4%A').set('Authorization', token);
    expect(broken.status).toBe(400);
    expect(broken.body.type).toBe('MALFORMED_JSON');
    const nested = '{"and":['.repeat(3000) + '{"member":"ECommerce.city","operator":"set"}' + ']}'.repeat(3000);
    const deep = await request(stack.server.app)
      .post('/cubejs-api/v1/load')
      .set('Authorization', token)
      .set('Content-Type', 'application/json')
      .send(`{"query":{"measures":["ECommerce.count"],"filters":[${nested}]}}`);
    expect(deep.status).toBe(400);
    expect(deep.body.error).toMatch(/nests deeper than 32 levels/);
  });

  it('requires the query parameter', async () => {
    const res = await request(stack.server.app).get('/cubejs-api/v1/load').set('Authorization', token);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('Query param is required');
  });

  it('names an unknown query key', async () => {
    const res = await post({ measures: ['ECommerce.count'], dimension: ['ECommerce.city'] });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/"dimension" is not allowed/);
  });
});

describe('JWT outside dev mode', () => {
  it('answers 403 without a token on every API route', async () => {
    for (const path of ['/cubejs-api/v1/load?query={}', '/cubejs-api/v1/sql?query={}', '/cubejs-api/v1/dry-run?query={}', '/cubejs-api/v1/meta']) {
      const res = await request(stack.server.app).get(path);
      expect(res.status, path).toBe(403);
      expect(res.body.error).toBe("Authorization header isn't set");
    }
  });

  it('answers 403 for a token signed with another secret', async () => {
    const res = await post({ measures: ['ECommerce.count'] }, await sign({}, { secret: 'some-other-secret-0123456789abcdef' }));
    expect(res.status).toBe(403);
    expect(res.body.error).toMatch(/signature verification failed/);
  });

  it('answers 403 for an expired token', async () => {
    const res = await post({ measures: ['ECommerce.count'] }, await sign({}, { exp: Math.floor(Date.now() / 1000) - 10 }));
    expect(res.status).toBe(403);
    expect(res.body.error).toMatch(/expired/);
  });

  it('answers 403 for garbage in the Authorization header', async () => {
    const res = await post({ measures: ['ECommerce.count'] }, 'Bearer not.a.jwt');
    expect(res.status).toBe(403);
    expect(res.body.type).toBe('INVALID_TOKEN');
  });

  it('serves a request with a valid token, with or without Bearer', async () => {
    expect((await post({ measures: ['ECommerce.count'] })).status).toBe(200);
    expect((await post({ measures: ['ECommerce.count'] }, `Bearer ${token}`)).status).toBe(200);
  });

  it('keeps health probes and the OpenAPI document public, and the playground off', async () => {
    expect((await request(stack.server.app).get('/livez')).status).toBe(200);
    expect((await request(stack.server.app).get('/cubejs-api/v1/openapi.json')).status).toBe(200);
    expect((await request(stack.server.app).get('/')).status).toBe(404);
  });
});
