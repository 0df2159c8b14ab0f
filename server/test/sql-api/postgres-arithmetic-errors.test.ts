/**
 * Postgres's semantics where DuckDB's differ, once a statement reads a cube (found by a QA run on
 * view `vendas` of the repository's model over the gold fixture): integer / integer truncates toward
 * zero and division by zero raises 22012, and foreseeable bad input gets Postgres's own SQLSTATE
 * (42P10, 22P02, 42803, 22007, 42P02) rather than a DuckDB binder message under 0A000. Expected
 * values are Postgres's rules applied by hand to REST `/load` answers.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answered, BI_PASSWORD, BI_SQL, BI_USER, connectBi, refusal, run } from './support/bi-sql-client.ts';
import { RawPgClient } from './support/raw-pg-client.ts';
import { buildDescribe, buildParse, buildSync, readErrorFields, readRowDescription } from '../../src/api/sql/wire/frontend-builders.ts';
import { REPO_MODEL_DIR, GOLD_EXTRA_FILES, startStack, type Stack } from '../support/stack.ts';
import { GOLD_SQL } from '../engine/gold-fixture.ts';
import { loadRest } from '../support/api-requests.ts';

let world: Stack;
let client: pg.Client;

beforeAll(async () => {
  world = await startStack({ data: { sql: GOLD_SQL }, model: { dir: REPO_MODEL_DIR, files: GOLD_EXTRA_FILES }, serve: { http: true, sql: BI_SQL } });
  client = await connectBi(world.sqlPort);
}, 300_000);

afterAll(async () => {
  await client?.end();
  await world?.close();
});

const rows = (text: string) => answered(client, text);
const refused = (text: string) => refusal(client, text);

/** Orders per channel from REST, the independent side. */
async function ordersByChannel(): Promise<Map<string, number>> {
  const data = await loadRest(world.url, { measures: ['vendas.pedidos'], dimensions: ['vendas.canal_nome'] });
  return new Map(data.map((r) => [String(r['vendas.canal_nome']), Number(r['vendas.pedidos'])]));
}

describe('division over a cube as in Postgres', () => {
  it('integer / integer truncates toward zero; a numeric operand divides exactly', async () => {
    const want = await ordersByChannel();
    expect([...want.values()].some((v) => v % 2 === 1)).toBe(true);
    const got = await rows('SELECT canal_nome, MEASURE(pedidos) / 2, 7 / 2, -7 / 2, 7.0 / 2, MEASURE(pedidos)::int / -2 FROM vendas GROUP BY 1 ORDER BY 1');
    expect(got.length).toBe(want.size);
    for (const r of got) {
      const orders = want.get(String(r[0]))!;
      expect(r.slice(1).map(Number)).toEqual([Math.trunc(orders / 2), 3, -3, 3.5, Math.trunc(orders / -2)]);
    }
  });

  it('division by zero raises 22012, integer or not', async () => {
    for (const text of [
      'SELECT canal_nome, MEASURE(pedidos)::int / 0 FROM vendas GROUP BY 1',
      'SELECT canal_nome, MEASURE(pedidos) / (MEASURE(pedidos) - MEASURE(pedidos)) FROM vendas GROUP BY 1',
      'SELECT canal_nome, MEASURE(vendas_liquidas) / 0.0 FROM vendas GROUP BY 1',
      'SELECT canal_nome, MEASURE(pedidos) % 0 FROM vendas GROUP BY 1',
    ]) {
      const err = await refused(text);
      expect(err.code, text).toBe('22012');
      expect(err.message).toMatch(/division by zero/);
    }
  });

  it("keeps Postgres's result types and names / (never DuckDB's //) when the operands cannot be divided", async () => {
    const got = await rows('SELECT pg_typeof(MEASURE(pedidos) / 2), pg_typeof(7 / 2) FROM vendas');
    expect(got).toEqual([['bigint', 'integer']]);
    const err = await refused('SELECT canal_nome, MEASURE(pedidos) FROM vendas GROUP BY 1 ORDER BY canal_nome / 2');
    expect(err.code).toBe('42883');
    expect(err.message).toMatch(/operator does not exist: .* \/ /);
    expect(err.message).not.toMatch(/\/\//);
  });
});
describe('SQLSTATEs of foreseeable bad input', () => {
  const cases: [string, string][] = [
    ['SELECT canal_nome, MEASURE(pedidos) FROM vendas GROUP BY 1 ORDER BY 5', '42P10'],
    ['SELECT canal_nome, MEASURE(pedidos) FROM vendas GROUP BY 3', '42P10'],
    ["SELECT canal_nome, MEASURE(pedidos) FROM vendas GROUP BY 1 LIMIT 'a'", '22P02'],
    ['SELECT canal_nome FROM vendas WHERE MEASURE(pedidos) > 10 GROUP BY 1', '42803'],
    ['SELECT MEASURE(pedidos) FROM vendas WHERE MEASURE(pedidos) > 10', '42803'],
    ['SELECT canal_nome, MEASURE(pedidos) FROM vendas GROUP BY 1 ORDER BY 0', '42P10'],
    ['SELECT canal_nome, MEASURE(pedidos) FROM vendas GROUP BY 1 LIMIT 5 OFFSET \'x\'', '22P02'],
    ["SELECT MEASURE(pedidos) FROM vendas WHERE data_venda >= 'not-a-date'", '22007'],
    ["SELECT MEASURE(pedidos) FROM vendas WHERE data_venda::date IN ('soon')", '22007'],
    ['SELECT canal_nome, MEASURE(pedidos) FROM vendas WHERE ano = $1 GROUP BY 1', '42P02'],
  ];
  for (const [text, code] of cases) {
    it(`${code}: ${text}`, async () => {
      expect((await refused(text)).code).toBe(code);
    });
  }

  it('MEASURE of a dimension names the dimension', async () => {
    const err = await refused('SELECT MEASURE(canal_nome) FROM vendas');
    expect(['42803', '42883']).toContain(err.code);
    expect(err.message).toMatch(/canal_nome/);
    expect(err.message).not.toMatch(/Scalar Function/);
  });

  it('GROUP BY () is the total, as without GROUP BY', async () => {
    const data = await loadRest(world.url, { measures: ['vendas.pedidos'] });
    const got = await rows('SELECT MEASURE(pedidos) FROM vendas GROUP BY ()');
    expect(got.map((r) => Number(r[0]))).toEqual([Number(data[0]!['vendas.pedidos'])]);
  });

  it('valid positions and a numeric LIMIT text still answer', async () => {
    const want = await ordersByChannel();
    const got = await rows("SELECT canal_nome, MEASURE(pedidos) FROM vendas WHERE data_venda < '2100-01-01' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT '2'");
    const sorted = [...want].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 2);
    expect(got.map((r) => [r[0], Number(r[1])])).toEqual(sorted);
  });
});

describe('a parameterized statement described before Bind (Npgsql Prepare(), pgjdbc metadata)', () => {
  it('Parse + Describe(S) + Sync gives ParameterDescription and RowDescription, and NULL parameters keep no row', async () => {
    const raw = await RawPgClient.connect(world.sqlPort, BI_USER, BI_PASSWORD);
    try {
      const sql = 'SELECT canal_nome, MEASURE(pedidos) FROM vendas WHERE ano = $1 GROUP BY 1';
      raw.send(buildParse('s1', sql), buildDescribe('S', 's1'), buildSync());
      const frames = await raw.readUntilReady();
      const errors = frames.filter((f) => f.type === 'E').map((f) => readErrorFields(f.body));
      expect(errors).toEqual([]);
      expect(frames.map((f) => f.type)).toEqual(['1', 't', 'T', 'Z']);
      const executed = await run(client, sql, { params: [2024] });
      expect(readRowDescription(frames[2]!.body).map((c) => c.name)).toEqual(executed.ok ? executed.fields : ['executed with 2024']);
      expect(executed.ok && executed.fields.length).toBe(2);
    } finally {
      raw.close();
    }
    // Postgres: `ano = NULL` is never true.
    const got = await run(client, 'SELECT canal_nome, MEASURE(pedidos) FROM vendas WHERE ano = $1 GROUP BY 1', { params: [null] });
    expect(got).toMatchObject({ ok: true, rows: [] });
    const year = await run(client, 'SELECT canal_nome, MEASURE(pedidos) FROM vendas WHERE ano = $1 GROUP BY 1 ORDER BY 1', { params: [2024] });
    const data = await loadRest(world.url, { measures: ['vendas.pedidos'], dimensions: ['vendas.canal_nome'], filters: [{ member: 'vendas.ano', operator: 'equals', values: ['2024'] }], order: { 'vendas.canal_nome': 'asc' } });
    expect(year.ok && year.rows.map((r) => [r[0], Number(r[1])])).toEqual(data.map((r) => [r['vendas.canal_nome'], Number(r['vendas.pedidos'])]));
  });
});
