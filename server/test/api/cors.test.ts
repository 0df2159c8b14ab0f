/**
 * Cross-origin requests (Cube's `http.cors` in the config file), over the real stack and the real
 * config-file loader: without the option no CORS header is ever sent (browsers refuse other
 * origins); with it, preflights are answered and allowed origins get the headers on every route —
 * the `/load` hot route, which answers before express, as much as GraphQL behind it. The rows
 * of an allowed cross-origin `/load` are checked against SQL written here.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import { corpusDatabase, queryDuckDb, startStack, type Stack } from '../support/stack.ts';

const APP = 'https://app.example.com';
const countByCity = { measures: ['ECommerce.count'], dimensions: ['ECommerce.city'], order: { 'ECommerce.city': 'asc' } };

let dir: string;
let withCors: Stack;
let withoutCors: Stack;
let duckdbPath: string;

async function configFile(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cors-'));
  duckdbPath = await corpusDatabase();
  const allowing = await configFile('cors.config.mjs', `export default { http: { cors: { origin: ['${APP}'], maxAge: 600 } } };\n`);
  withCors = await startStack({ data: 'corpus', env: { CUBEJS_CONFIG_PATH: allowing } });
  withoutCors = await startStack({ data: 'corpus' });
});
afterAll(async () => {
  await withCors?.close();
  await withoutCors?.close();
});

describe('without http.cors', () => {
  it('sends no CORS header, to a preflight or to a request', async () => {
    const preflight = await request(withoutCors.server.app).options('/cubejs-api/v1/load').set('Origin', APP).set('Access-Control-Request-Method', 'POST');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const load = await request(withoutCors.server.app).get('/cubejs-api/v1/load').query({ query: JSON.stringify(countByCity) }).set('Origin', APP);
    expect(load.status).toBe(200);
    expect(load.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('with http.cors', () => {
  it('answers a preflight from an allowed origin with the methods and the headers it asked for', async () => {
    const res = await request(withCors.server.app)
      .options('/cubejs-api/v1/load')
      .set('Origin', APP)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(APP);
    expect(res.headers['access-control-allow-methods']).toContain('POST');
    expect(res.headers['access-control-allow-headers']).toBe('authorization,content-type');
    expect(res.headers['access-control-max-age']).toBe('600');
  });

  it('gives an allowed origin the header on /load (answered before express) with the same rows as SQL', async () => {
    for (const res of [
      await request(withCors.server.app).get('/cubejs-api/v1/load').query({ query: JSON.stringify(countByCity) }).set('Origin', APP),
      await request(withCors.server.app).post('/cubejs-api/v1/load').set('Origin', APP).send({ query: countByCity }),
    ]) {
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe(APP);
      expect(res.headers.vary).toMatch(/Origin/);
      const expected = await queryDuckDb(duckdbPath, 'SELECT city, count(customer_id) AS n FROM ecommerce GROUP BY city ORDER BY city');
      expect(res.body.data.map((r: Record<string, unknown>) => [r['ECommerce.city'], Number(r['ECommerce.count'])])).toEqual(expected.map((r) => [r.city, Number(r.n)]));
    }
  });

  it('gives the header on the routes behind express too (GraphQL, meta, errors)', async () => {
    const graphql = await request(withCors.server.app).post('/cubejs-api/graphql').set('Origin', APP).send({ query: '{ __typename }' });
    expect(graphql.headers['access-control-allow-origin']).toBe(APP);
    const meta = await request(withCors.server.app).get('/cubejs-api/v1/meta').set('Origin', APP);
    expect(meta.status).toBe(200);
    expect(meta.headers['access-control-allow-origin']).toBe(APP);
    const refused = await request(withCors.server.app).get('/cubejs-api/v1/load').query({ query: JSON.stringify({ measures: ['ECommerce.nope'] }) }).set('Origin', APP);
    expect(refused.status).toBe(400);
    expect(refused.headers['access-control-allow-origin']).toBe(APP);
  });

  it('gives another origin no CORS header (the browser then refuses the answer)', async () => {
    const res = await request(withCors.server.app).get('/cubejs-api/v1/load').query({ query: JSON.stringify(countByCity) }).set('Origin', 'https://elsewhere.example.com');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await request(withCors.server.app).options('/cubejs-api/v1/load').set('Origin', 'https://elsewhere.example.com').set('Access-Control-Request-Method', 'POST');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('a wrong http option', () => {
  it('is refused at start, naming the file and the option', async () => {
    for (const [name, text, message] of [
      ['bad-cors.config.mjs', `export default { http: { cors: 'yes' } };\n`, /http\.cors must be an object/],
      ['bad-origin.config.mjs', `export default { http: { cors: { origin: 42 } } };\n`, /http\.cors\.origin must be/],
      ['bad-http.config.mjs', `export default { http: [] };\n`, /http must be an object/],
    ] as const) {
      const file = await configFile(name, text);
      const failure = await loadConfig({ cwd: dir, env: { CUBEJS_CONFIG_PATH: file, CUBEJS_DEV_MODE: 'true' } }).then(() => undefined, (error: Error) => error);
      expect(failure?.message).toMatch(message);
      expect(failure?.message).toContain(name);
    }
  });
});
