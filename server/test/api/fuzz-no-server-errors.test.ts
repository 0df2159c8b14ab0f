/**
 * Property-based fuzzing of the HTTP APIs (fast-check): REST /load, /sql and /dry-run by GET and
 * POST, /meta, and GraphQL by POST and GET, with generated queries, bodies, query strings and
 * headers (Authorization, Content-Type, Content-Encoding), against the real server on a real
 * socket over the gold fixture (streaming tables included) and the repository's model. The property: no response is a 5xx,
 * every 4xx carries an error in Cube's shape (`{error}` for REST, `{errors: [...]}` or `{error}`
 * for GraphQL), and no GraphQL answer hides an internal error in a 200. FUZZ_RUNS sets the count.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GOLD_EXTRA_FILES, goldWithStreamingSql, REPO_MODEL_DIR, startStack, type Stack } from '../support/stack.ts';
import { closeRawHttp, sendRaw, type RawRequest, type RawResponse } from './support/raw-http.ts';
import { fuzzModelFromMeta, type FuzzModel } from './support/fuzz-rest-arbitraries.ts';
import { fuzzGraphqlCubes, type FuzzGraphqlCube } from './support/fuzz-graphql-arbitraries.ts';
import { authorizationValues, fuzzRequest, signToken } from './support/fuzz-http-requests.ts';

const SECRET = 'fuzz-suite-secret-0123456789abcdef';
const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);
let stack: Stack;
let model: FuzzModel;
let cubes: FuzzGraphqlCube[];
let auths: string[];
const statuses = new Map<number, number>();

beforeAll(async () => {
  stack = await startStack({
    data: { sql: await goldWithStreamingSql() }, model: { dir: REPO_MODEL_DIR, files: GOLD_EXTRA_FILES },
    security: { secret: SECRET }, env: { CUBEJS_DB_QUERY_LIMIT: '50000' }, serve: { http: true },
  });
  const { token, meta } = await fullAccessToken(stack.url);
  auths = await authorizationValues(SECRET, token);
  // Every cube answers a first query: refusals in the suite come from its input, not the fixture.
  type Member = { name: string; isVisible?: boolean };
  const served = meta.json as { cubes: { name: string; measures: Member[]; dimensions: Member[] }[] };
  for (const cube of served.cubes) {
    const measure = cube.measures.find((m) => m.isVisible !== false);
    const dimension = cube.dimensions.find((d) => d.isVisible !== false);
    const query = JSON.stringify({ query: measure ? { measures: [measure.name], limit: 1 } : { dimensions: [dimension?.name], limit: 1 } });
    const probe = await sendRaw(stack.url, { method: 'POST', path: '/cubejs-api/v1/load', headers: { authorization: auths[0]!, 'content-type': 'application/json' }, body: Buffer.from(query) });
    expect(probe.status, `${cube.name}: ${probe.text.slice(0, 200)}`).toBe(200);
  }
  model = fuzzModelFromMeta(served as never);
  cubes = fuzzGraphqlCubes(served as never);
  expect(model.measures.length).toBeGreaterThan(10);
});
afterAll(async () => {
  console.log(`HTTP fuzz: ${[...statuses.values()].reduce((a, b) => a + b, 0)} requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
  closeRawHttp();
  await stack?.close();
});

/**
 * The token that sees the most of the model, and its /meta: without groups (the model's policies
 * grant such callers everything) or in the `internal` group (what deny-by-default policies grant).
 */
async function fullAccessToken(url: string): Promise<{ token: string; meta: RawResponse }> {
  let best: { token: string; meta: RawResponse; cubes: number } | undefined;
  for (const claims of [{ user: 'fuzz' }, { user: 'fuzz', groups: ['internal'] }]) {
    const token = await signToken(SECRET, claims);
    const meta = await sendRaw(url, { method: 'GET', path: '/cubejs-api/v1/meta', headers: { authorization: token } });
    const cubes = meta.status === 200 ? (meta.json as { cubes: unknown[] }).cubes.length : -1;
    if (!best || cubes > best.cubes) best = { token, meta, cubes };
  }
  return best!;
}

/** Why a response breaks the property, or undefined when it holds. */
function problem(request: RawRequest, response: RawResponse): string | undefined {
  if (response.status >= 500) return `HTTP ${response.status}: ${response.text.slice(0, 300)}`;
  const body = response.json as { error?: unknown; errors?: { extensions?: { code?: unknown } }[] } | undefined;
  const graphql = request.path.startsWith('/cubejs-api/graphql');
  if (response.status >= 400) {
    const restShape = typeof body?.error === 'string' && body.error.length > 0;
    const graphqlShape = Array.isArray(body?.errors) && body.errors.length > 0;
    if (!(restShape || (graphql && graphqlShape))) return `HTTP ${response.status} without an error body: ${response.text.slice(0, 300)}`;
  }
  if (graphql && body?.errors?.some((e) => e.extensions?.code === 'INTERNAL')) return `GraphQL internal error: ${response.text.slice(0, 300)}`;
  return undefined;
}

describe('HTTP APIs under generated hostile input', () => {
  it(`answers ${RUNS} generated requests without a 5xx, every refusal in Cube's error shape`, async () => {
    await fc.assert(
      fc.asyncProperty(fuzzRequest(model, cubes, auths), async (request) => {
        const response = await sendRaw(stack.url, request);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const found = problem(request, response);
        if (found) throw new Error(`${found}\nrequest: ${request.method} ${request.path} ${JSON.stringify(request.headers)} ${request.body?.toString('utf8').slice(0, 500) ?? ''}`);
      }),
      { numRuns: RUNS },
    );
    // The suite must reach the engine, not only the validators: some generated queries succeed.
    console.info(`statuses of ${RUNS} generated requests: ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(RUNS / 20);
  });
});
