/**
 * GraphQL size limits over HTTP: one request of 2,000 aliased `cube` fields used to run 2,000
 * queries. Requests over the cube-query, alias, depth or token limit are refused whole with HTTP
 * 400 and `extensions.code: LIMIT_EXCEEDED`, before any query reaches the engine (counted by a
 * wrapper around the real engine); requests within the limits answer as before.
 */
import { getIntrospectionQuery } from 'graphql';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_GRAPHQL_LIMITS } from '../../src/api/graphql/graphql-limits.ts';
import type { SemanticEngine } from '../../src/engine/engine-types.ts';
import { corpusDatabase, queryDuckDb, startStack, type Stack } from '../support/stack.ts';

let stack: Stack;
let duckdbPath: string;
let loads = 0;

beforeAll(async () => {
  duckdbPath = await corpusDatabase();
  const counting = (engine: SemanticEngine): SemanticEngine => ({
    ...engine,
    load: (query, ctx) => {
      loads++;
      return engine.load(query, ctx);
    },
  });
  stack = await startStack({ data: 'corpus', wrapEngine: counting });
});
afterAll(async () => stack?.close());
beforeEach(() => {
  loads = 0;
});

const post = (query: string) => request(stack.server.app).post('/cubejs-api/graphql').send({ query });
const aliasedCubes = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `q${i}: cube { eCommerce { count } }`).join(' ')} }`;
/** `n` different cube queries (identical ones of one request join one run: reuse/continue-wait.ts). */
const distinctCubes = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `q${i}: cube(limit: ${i + 1}) { eCommerce { count } }`).join(' ')} }`;

function expectLimitError(res: request.Response, pattern: RegExp): void {
  expect(res.status).toBe(400);
  expect(res.body.errors[0].extensions.code).toBe('LIMIT_EXCEEDED');
  expect(res.body.errors[0].message).toMatch(pattern);
  expect(res.body.data).toBeUndefined();
}

describe('GraphQL request limits', () => {
  it('refuses 2,000 aliased cube queries without running one', async () => {
    const res = await post(aliasedCubes(2000));
    expectLimitError(res, /runs 2000 cube queries; at most 20/);
    expect(loads).toBe(0);
  });

  it('runs as many cube queries as the limit allows, each answered', async () => {
    const res = await post(distinctCubes(DEFAULT_GRAPHQL_LIMITS.maxCubeQueries));
    expect(res.status).toBe(200);
    const [expected] = await queryDuckDb(duckdbPath, 'SELECT count(*)::INT AS n FROM ecommerce');
    for (let i = 0; i < DEFAULT_GRAPHQL_LIMITS.maxCubeQueries; i++) expect(res.body.data[`q${i}`]).toEqual([{ eCommerce: { count: expected!.n } }]);
    expect(loads).toBe(DEFAULT_GRAPHQL_LIMITS.maxCubeQueries);
    expectLimitError(await post(aliasedCubes(DEFAULT_GRAPHQL_LIMITS.maxCubeQueries + 1)), /cube queries/);
  });

  it('refuses more aliases than allowed inside one cube query', async () => {
    const members = Array.from({ length: 150 }, (_, i) => `c${i}: count`).join(' ');
    expectLimitError(await post(`{ cube { eCommerce { ${members} } } }`), /uses 150 aliases; at most 100/);
    expect(loads).toBe(0);
  });

  it('refuses selections nested past the depth limit, and answers the introspection query', async () => {
    const nested = `{ __schema { types { ${'ofType { '.repeat(25)}name${' }'.repeat(25)} } } }`;
    expectLimitError(await post(nested), /nests \d+ levels deep; at most 20/);
    const introspection = await post(getIntrospectionQuery());
    expect(introspection.status).toBe(200);
    expect(introspection.body.data.__schema.queryType.name).toBe('Query');
  });

  it('refuses a document past the token limit as a parse error (400)', async () => {
    const res = await post(`{ cube { eCommerce { count } } ${'__typename '.repeat(DEFAULT_GRAPHQL_LIMITS.maxTokens)} }`);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].message).toMatch(/contains more th[a-z]+ 20000 tokens/);
    expect(loads).toBe(0);
  });
});
