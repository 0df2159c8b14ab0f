/**
 * Regression: a U+0000 in an `endsWith` value on a column with non-ASCII text (dim_produto.nome:
 * "Não identificado") made DuckDB fail ("Like pattern must not end with escape character"), which
 * surfaced as 502. Text values cannot hold NUL (Postgres refuses it in text), so any filter value
 * with one is refused up front: 400 INVALID_VALUE through REST, `extensions.code` through GraphQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GOLD_EXTRA_FILES, startStack, type Stack } from '../../support/stack.ts';
import { postGraphql } from '../../support/api-requests.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ data: 'gold', model: { files: GOLD_EXTRA_FILES }, serve: { http: true } });
});
afterAll(async () => stack?.close());

async function postLoad(query: unknown): Promise<{ status: number; body: { error?: string; type?: string; data?: unknown[] } }> {
  const res = await fetch(`${stack.url}/cubejs-api/v1/load`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return { status: res.status, body: (await res.json()) as never };
}

describe('NUL characters in filter values', () => {
  it.each(['endsWith', 'startsWith', 'contains', 'notContains', 'equals', 'notEquals', 'gt'])('%s with a NUL is 400 INVALID_VALUE naming the member', async (operator) => {
    for (const value of ['a\u0000', '\u0000', 'x\u0000y']) {
      const res = await postLoad({ dimensions: ['dim_produto.nome'], filters: [{ member: 'dim_produto.nome', operator, values: [value] }] });
      expect(res.status, `${operator} ${JSON.stringify(value)}`).toBe(400);
      expect(res.body.type).toBe('INVALID_VALUE');
      expect(res.body.error).toMatch(/dim_produto\.nome.*NUL/);
    }
  });

  it('still answers the same filter without the NUL', async () => {
    const res = await postLoad({ dimensions: ['dim_produto.nome'], filters: [{ member: 'dim_produto.nome', operator: 'endsWith', values: ['identificado'] }] });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([{ 'dim_produto.nome': 'Não identificado' }]);
  });

  it('GraphQL refuses it with extensions.code INVALID_VALUE and HTTP 400', async () => {
    const res = await postGraphql(stack.url, { query: 'query ($v: String!) { cube { dim_produto(where: { nome: { endsWith: [$v] } }) { nome } } }', variables: { v: 'a\u0000' } });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('INVALID_VALUE');
  });
});
