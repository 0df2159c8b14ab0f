/**
 * Cube's driver-test corpus through HTTP with its model written as Cube JavaScript
 * (fixtures/cube-corpus-js): the composition root (`buildStack`, `openModel`) loads the `.js`
 * files, and every case Cube's classic planner runs returns the rows Cube returns on Postgres,
 * as the YAML model does in cube-corpus.test.ts. /v1/meta lists the same cubes and members.
 */
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.ts';
import { diffRows, loadCorpusCases, ordersByUnselectedMember, type CorpusCase } from '../fixtures/cube-corpus.ts';

const JS_MODEL_DIR = path.resolve(import.meta.dirname, '../fixtures/cube-corpus-js/model');
const { cases, expected } = loadCorpusCases();
// Answered by Cube from Cube Store's rollup buckets (see cube-corpus.test.ts): checked there.
const CUBE_STORE_BUCKETING = new Set([
  'querying custom granularities (with preaggregation) ECommerce: totalQuantity by half_year + no dimension',
  'querying custom granularities (with preaggregation) ECommerce: totalQuantity by half_year + dimension',
]);
const classic = cases.filter((c) => c.runsIn.baseline && !c.expectsErrorMatching && c.snapshotKey && expected.has(c.snapshotKey) && !CUBE_STORE_BUCKETING.has(c.name));
const baseline = classic.filter((c) => !ordersByUnselectedMember(c));
// Ordered by a member they do not select: Cube's snapshot keeps another order (cube-corpus.test.ts checks ours by hand SQL).
const unselectedOrder = classic.filter(ordersByUnselectedMember);

let js: Stack;
let yaml: Stack;
beforeAll(async () => {
  js = await startStack({ data: 'corpus', model: { dir: JS_MODEL_DIR }, env: { TZ: 'UTC' } });
  yaml = await startStack({ data: 'corpus', env: { TZ: 'UTC' } });
});
afterAll(async () => {
  await js?.close();
  await yaml?.close();
});

async function load(stack: Stack, query: Record<string, unknown>): Promise<request.Response> {
  for (;;) {
    const res = await request(stack.server.app).post('/cubejs-api/v1/load').send({ query, queryType: 'multi' });
    if (res.body?.error !== 'Continue wait') return res;
  }
}

describe('Cube corpus over HTTP, model written in JavaScript', () => {
  it('/v1/meta lists the same cubes and members as the YAML model', async () => {
    const listing = async (stack: Stack) => {
      const res = await request(stack.server.app).get('/cubejs-api/v1/meta');
      expect(res.status).toBe(200);
      const cubes = res.body.cubes as { name: string; measures: { name: string }[]; dimensions: { name: string }[]; segments: { name: string }[] }[];
      return Object.fromEntries(cubes.map((c) => [c.name, [...c.measures, ...c.dimensions, ...c.segments].map((m) => m.name).sort()]));
    };
    const fromJs = await listing(js);
    expect(Object.keys(fromJs).sort()).toEqual(['BigECommerce', 'Customers', 'ECommerce', 'Products', 'RetailCalendar', 'SwitchSourceTest']);
    expect(fromJs).toEqual(await listing(yaml));
  });

  it.each(baseline.map((c) => [c.name, c] as const))('%s', async (_name, c: CorpusCase) => {
    const res = await load(js, c.query);
    expect(res.status, String(res.body?.error)).toBe(200);
    expect(diffRows(res.body.results[0].data, expected.get(c.snapshotKey!)!)).toBeUndefined();
  });

  it.each(unselectedOrder.map((c) => [c.name, c] as const))('%s: the rows and order the YAML model gives', async (_name, c: CorpusCase) => {
    const [fromJs, fromYaml] = [await load(js, c.query), await load(yaml, c.query)];
    expect(fromJs.status, String(fromJs.body?.error)).toBe(200);
    expect(diffRows(fromJs.body.results[0].data, fromYaml.body.results[0].data)).toBeUndefined();
  });
});
