/**
 * Regression: `contains '%'` matched every row, `_` matched any character, because filter values
 * went into ILIKE patterns unescaped. The text operators now match values literally. Expected rows
 * come from DuckDB's literal string functions (strpos, starts_with, suffix) on the gold fixture,
 * whose products include "Caneca 100% algodão" and "Mochila_Urbana"; through REST and GraphQL.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GOLD_EXTRA_FILES, queryDuckDb, startStack, type Stack } from '../../support/stack.ts';
import { loadRest, postGraphql } from '../../support/api-requests.ts';

let stack: Stack;
let duckdbPath: string;
beforeAll(async () => {
  stack = await startStack({ data: 'gold', model: { files: GOLD_EXTRA_FILES }, serve: { http: true } });
  duckdbPath = stack.duckdbPath;
});
afterAll(async () => stack?.close());

type TextOperator = 'contains' | 'notContains' | 'startsWith' | 'notStartsWith' | 'endsWith' | 'notEndsWith';
const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** The literal meaning of each operator in DuckDB functions that have no wildcards. */
function literalCondition(column: string, op: TextOperator, values: readonly string[]): string {
  const test = (v: string) => {
    const [x, needle] = [`lower(${column})`, `lower(${quote(v)})`];
    if (op.endsWith('ontains')) return `strpos(${x}, ${needle}) > 0`;
    if (op.endsWith('tartsWith')) return `starts_with(${x}, ${needle})`;
    return `suffix(${x}, ${needle})`;
  };
  if (!op.startsWith('not')) return values.map(test).join(' OR ');
  // Cube's negated text operators keep NULL rows.
  return `(${column} IS NULL OR (${values.map((v) => `NOT ${test(v)}`).join(' AND ')}))`;
}

async function viaRest(member: string, op: TextOperator, values: string[]): Promise<unknown[]> {
  const rows = await loadRest(stack.url, { dimensions: [`dim_produto.${member}`], filters: [{ member: `dim_produto.${member}`, operator: op, values }] });
  return rows.map((r) => r[`dim_produto.${member}`]).sort();
}

async function viaSql(member: string, op: TextOperator, values: string[]): Promise<unknown[]> {
  const rows = await queryDuckDb(duckdbPath, `SELECT DISTINCT ${member} AS v FROM gold.dim_produto WHERE ${literalCondition(member, op, values)}`);
  return rows.map((r) => r.v).sort();
}

describe('LIKE wildcards in text filters match themselves', () => {
  it.each([
    ['contains', ['%'], ['Caneca 100% algodão']],
    ['contains', ['_'], ['Mochila_Urbana']],
    ['contains', ['0%'], ['Caneca 100% algodão']],
    ['contains', ['!'], []],
    ['startsWith', ['mochila_'], ['Mochila_Urbana']],
    ['startsWith', ['%'], []],
    ['endsWith', ['%'], []],
    ['endsWith', ['_urbana'], ['Mochila_Urbana']],
  ] as const)('%s %j → %j', async (op, values, expected) => {
    expect(await viaRest('nome', op, [...values])).toEqual([...expected].sort());
    expect(await viaSql('nome', op, [...values])).toEqual([...expected].sort());
  });

  it('notContains "%" keeps every product but the one with a percent sign', async () => {
    const all = (await queryDuckDb(duckdbPath, 'SELECT DISTINCT nome AS v FROM gold.dim_produto')).map((r) => r.v);
    expect(all.length).toBeGreaterThan(3);
    expect(await viaRest('nome', 'notContains', ['%'])).toEqual(all.filter((n) => n !== 'Caneca 100% algodão').sort());
  });

  it('agrees with literal string matching for random values with %, _ and !', async () => {
    const alphabet = fc.constantFrom(...'%_!a0 cmUuãNo1'.split(''));
    const value = fc.string({ unit: alphabet, minLength: 1, maxLength: 4 });
    const op = fc.constantFrom<TextOperator>('contains', 'notContains', 'startsWith', 'notStartsWith', 'endsWith', 'notEndsWith');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('nome', 'marca'), op, fc.array(value, { minLength: 1, maxLength: 2 }), async (member, operator, values) => {
        expect(await viaRest(member, operator, values)).toEqual(await viaSql(member, operator, values));
      }),
      { numRuns: 60 },
    );
  });

  it('GraphQL filters match literally too', async () => {
    const res = await postGraphql(stack.url, { query: '{ cube { dim_produto(where: { nome: { contains: ["%"] } }) { nome } } }' });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ cube: [{ dim_produto: { nome: 'Caneca 100% algodão' } }] });
  });
});
