/**
 * The OpenAPI description matches the server: it parses as OpenAPI 3.1, every documented route
 * answers (not our 404), every served route is documented, and it is served as JSON.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOpenApiDocument } from '../../src/api/rest/openapi-routes.ts';
import { startStack, type Stack } from '../support/stack.ts';

/** Every route the server mounts (method path), written out here independently of the code. */
const SERVED_ROUTES = [
  'get /cubejs-api/v1/load', 'post /cubejs-api/v1/load', 'get /cubejs-api/v1/sql', 'post /cubejs-api/v1/sql',
  'get /cubejs-api/v1/dry-run', 'post /cubejs-api/v1/dry-run', 'get /cubejs-api/v1/meta',
  'get /cubejs-api/v1/openapi.json', 'get /cubejs-api/v1/openapi.yaml', 'get /livez', 'get /readyz', 'get /metrics',
  'get /cubejs-api/v1/explain', 'post /cubejs-api/v1/explain', 'get /cubejs-api/v1/pre-aggregations',
];

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ data: 'corpus' });
});
afterAll(async () => stack?.close());

describe('openapi.yaml', () => {
  const doc = loadOpenApiDocument() as { openapi: string; paths: Record<string, Record<string, unknown>>; components: Record<string, Record<string, unknown>> };
  const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`));

  it('is OpenAPI 3.1 and documents exactly the served routes', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect([...documented].sort()).toEqual([...SERVED_ROUTES].sort());
  });

  it('resolves every $ref', () => {
    const refs = JSON.stringify(doc).match(/"\$ref":"#\/components\/[^"]+"/g) ?? [];
    for (const ref of refs) {
      const [, , section, name] = ref.slice(8, -1).split('/');
      expect(doc.components[section!]?.[name!], ref).toBeDefined();
    }
  });

  it('has a live route for every documented path and method', async () => {
    for (const route of documented) {
      const [method, path] = route.split(' ') as ['get' | 'post', string];
      const query = JSON.stringify({ measures: ['ECommerce.count'] });
      const res = method === 'get' ? await request(stack.server.app).get(path).query({ query }) : await request(stack.server.app).post(path).send({ query: JSON.parse(query) });
      expect(res.status, route).not.toBe(404);
      expect(res.status, route).toBeLessThan(500);
    }
  });

  it('is served as JSON equal to the YAML file', async () => {
    const res = await request(stack.server.app).get('/cubejs-api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(doc);
  });
});
