/**
 * A repeated /load request — the same GET query string, the same POST body bytes — reuses the
 * query schema's verdict on its text (reuse/checked-texts.ts) and is answered by the hot route
 * (api/rest/load-route.ts). Everything else the answer depends on stays in the keys downstream: the
 * same text from two callers gets each caller's rows, an edited model and the end of a refresh
 * key's period give new answers, another `queryType` its own shape. Every answer is checked
 * against hand-written SQL on the source, over real HTTP.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTEXTS, goldDatabaseFile, queryGold, sign, SECRET } from '../security/support/security-fixture.ts';
import { startStack, type Stack } from '../support/stack.ts';

interface Answer {
  readonly status: number;
  readonly body: { data?: Record<string, unknown>[]; results?: { data: Record<string, unknown>[] }[]; error?: string; code?: string };
}

async function post(url: string, body: string, authorization?: string): Promise<Answer> {
  const res = await fetch(`${url}/cubejs-api/v1/load`, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

async function get(url: string, search: string, authorization?: string): Promise<Answer> {
  const res = await fetch(`${url}/cubejs-api/v1/load?${search}`, { headers: authorization ? { authorization } : {} });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

/** `[key, number]` pairs of an answer's rows, sorted. */
function pairs(rows: readonly Record<string, unknown>[], key: string, value: string): [unknown, number][] {
  return rows.map((r) => [r[key], Number(r[value])] as [unknown, number]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
}

describe('the same request text from two callers (production mode, access policies)', () => {
  let stack: Stack;
  let gold: string;
  beforeAll(async () => {
    gold = await goldDatabaseFile();
    stack = await startStack({ data: { duckdbPath: gold }, security: { secret: SECRET }, serve: { http: true } });
  });
  afterAll(async () => stack?.close());

  const QUERY = { measures: ['fato_vendas.count'], dimensions: ['dim_loja.loja_id'] };

  /** Sales lines per store, of one store or (no store) of all. */
  async function expectedFor(store?: string): Promise<[unknown, number][]> {
    const rows = await queryGold(gold, `SELECT l.loja_id, count(*) AS n FROM gold.fato_vendas f JOIN gold.dim_loja l ON l.loja_sk = f.loja_sk ${store ? `WHERE l.loja_id = '${store}'` : ''} GROUP BY 1`);
    return pairs(rows, 'loja_id', 'n');
  }

  it('answers each caller with their own rows, by POST body and by GET query string, however the requests interleave', async () => {
    const [l002, all] = [await expectedFor('L002'), await expectedFor()];
    expect(l002.length).toBe(1);
    expect(all.length).toBeGreaterThan(1);
    const [tokenL002, tokenInternal] = [await sign(CONTEXTS.managerL002), await sign(CONTEXTS.internal)];
    const body = JSON.stringify({ query: QUERY });
    const search = `query=${encodeURIComponent(JSON.stringify(QUERY))}`;
    for (let round = 0; round < 3; round++) {
      for (const [token, expected] of [[tokenL002, l002], [tokenInternal, all]] as const) {
        for (const answer of [await post(stack.url, body, token), await get(stack.url, search, token)]) {
          expect(answer.status).toBe(200);
          expect(pairs(answer.body.data!, 'dim_loja.loja_id', 'fato_vendas.count')).toEqual(expected);
        }
      }
    }
  });

  it('still refuses a caller without a token, and a denied member, for a text answered before', async () => {
    const body = JSON.stringify({ query: QUERY });
    expect((await post(stack.url, body, await sign(CONTEXTS.managerL002))).status).toBe(200);
    const anonymous = await post(stack.url, body);
    expect(anonymous.status).toBe(403);
    expect(anonymous.body.data).toBeUndefined();
    // The same text, asked by a caller whose policy hides the member: refused, not served.
    const outsider = await post(stack.url, body, await sign(CONTEXTS.outsider));
    expect(outsider.status).toBe(403);
    expect(outsider.body.data).toBeUndefined();
  });
});

describe('the same request text after the model or the data changed (dev mode, pinned clock)', () => {
  const START = Date.parse('2026-03-02T12:00:00Z');
  let at = START;
  let stack: Stack;
  const cube = (amount: string) => `cubes:\n  - name: sales\n    sql_table: sales\n    measures:\n      - { name: total, sql: "${amount}", type: sum }\n    dimensions:\n      - { name: id, sql: id, type: number, primary_key: true }\n      - { name: store, sql: store, type: string }\n`;
  beforeAll(async () => {
    stack = await startStack({
      data: { sql: "CREATE TABLE sales (id INTEGER, store VARCHAR, amount INTEGER); INSERT INTO sales VALUES (1, 'a', 10), (2, 'a', 5), (3, 'b', 7);" },
      model: { files: { 'cubes/sales.yml': cube('amount') } },
      now: () => new Date(at),
      serve: { http: true },
    });
  });
  afterAll(async () => stack?.close());

  const BODY = JSON.stringify({ query: { measures: ['sales.total'], dimensions: ['sales.store'] } });
  const hand = async (amount: string) => pairs(await stack.hand(`SELECT store AS "sales.store", sum(${amount}) AS "sales.total" FROM sales GROUP BY 1`), 'sales.store', 'sales.total');
  const answered = async () => {
    const answer = await post(stack.url, BODY);
    expect(answer.status).toBe(200);
    return pairs(answer.body.data!, 'sales.store', 'sales.total');
  };

  it('serves the kept answer until the refresh key period ends, then the new rows', async () => {
    const before = await hand('amount');
    expect(before).toEqual([['a', 15], ['b', 7]]);
    expect(await answered()).toEqual(before);
    await stack.hand("INSERT INTO sales VALUES (4, 'b', 100)");
    const after = await hand('amount');
    expect(after).toEqual([['a', 15], ['b', 107]]);
    // Within the source's refresh period (Cube's default: every 10 s) the cached answer stands.
    at += 2_000;
    expect(await answered()).toEqual(before);
    at += 10_000;
    expect(await answered()).toEqual(after);
    expect(await answered()).toEqual(after);
  });

  it('answers from the edited model, not the kept text of the old one', async () => {
    const version = stack.engine.currentModel().version;
    const first = await answered();
    expect(first).toEqual(await hand('amount'));
    await writeFile(path.join(stack.modelDir, 'cubes/sales.yml'), cube('amount * 2'));
    const deadline = Date.now() + 15_000;
    while (stack.engine.currentModel().version === version && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stack.engine.currentModel().version).not.toBe(version);
    const doubled = await hand('amount * 2');
    expect(doubled).not.toEqual(first);
    expect(await answered()).toEqual(doubled);
  });

  it('answers the other forms of the path (a trailing slash, another case) as the hot route does', async () => {
    const expected = await answered();
    const search = `query=${encodeURIComponent(JSON.stringify({ measures: ['sales.total'], dimensions: ['sales.store'] }))}`;
    for (const form of ['/cubejs-api/v1/load', '/cubejs-api/v1/load/', '/CUBEJS-API/v1/load']) {
      const res = await fetch(`${stack.url}${form}?${search}`, { headers: { 'x-request-id': 'form-check' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toBe('form-check');
      const body = (await res.json()) as { data: Record<string, unknown>[]; requestId: string };
      expect(body.requestId).toBe('form-check');
      expect(pairs(body.data, 'sales.store', 'sales.total')).toEqual(expected);
    }
    // Counted under the route label /load has always had.
    const metrics = await (await fetch(`${stack.url}/metrics`)).text();
    expect(metrics).toMatch(/http_requests_total\{method="GET",route="\/cubejs-api\/v1\/load",status="200"\} \d+/);
  });

  it('gives another queryType its own shape for the same query', async () => {
    const query = { measures: ['sales.total'], dimensions: ['sales.store'] };
    const expected = await answered();
    for (let i = 0; i < 2; i++) {
      const single = await post(stack.url, JSON.stringify({ query }));
      const multi = await post(stack.url, JSON.stringify({ query, queryType: 'multi' }));
      expect(pairs(single.body.data!, 'sales.store', 'sales.total')).toEqual(expected);
      expect(single.body.results).toBeUndefined();
      expect(pairs(multi.body.results![0]!.data, 'sales.store', 'sales.total')).toEqual(expected);
      expect(multi.body.data).toBeUndefined();
    }
  });
});
