/**
 * Repeated statements reuse their plan (BI tools send the same SQL again and again), but a plan
 * made from data — the keys of a Top N filter — is made again each time, so new data changes the
 * answer. Real engine over the gold fixture; every answer is checked against MEASURE().
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbDriver } from '../../src/drivers/duckdb-driver.ts';
import { createDuckDbDialect } from '../../src/sql/dialects/duckdb/duckdb-dialect.ts';
import { createEngine } from '../../src/engine/create-engine.ts';
import { startSqlServer, type SqlServer } from '../../src/api/sql/start-sql-server.ts';
import { INTERNAL_CONTEXT, loadGoldDatabase, loadGoldModel } from '../engine/gold-fixture.ts';
import { recordEngineCalls, type EngineCall } from './support/record-engine-calls.ts';

let driver: DuckDbDriver;
let server: SqlServer;
let client: pg.Client;
const calls: EngineCall[] = [];

beforeAll(async () => {
  driver = DuckDbDriver.fromInstance(await loadGoldDatabase());
  const model = await loadGoldModel();
  const engine = createEngine({ model, driver, dialect: createDuckDbDialect() });
  server = await startSqlServer({ port: 0, host: '127.0.0.1', engine: recordEngineCalls(engine, calls), model, checkSqlAuth: () => ({ password: 'pw', securityContext: INTERNAL_CONTEXT }) });
  client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'u', password: 'pw', database: 'db', types: { getTypeParser: () => (v: string) => v } });
  await client.connect();
}, 120_000);

afterAll(async () => {
  await client?.end();
  await server?.close();
  await driver?.close();
});

const rows = async (text: string): Promise<unknown[][]> => (await client.query({ text, rowMode: 'array' })).rows as unknown[][];

const TOP_1 = `select "rows"."loja_nome", sum("rows"."unidades") as "a0" from (select "_"."loja_nome", "_"."unidades" from "public"."vendas" "_") "rows"
  inner join (select "_"."loja_nome" from (select "rows"."loja_nome" as "loja_nome", sum("rows"."unidades") as "a0" from (select "_"."loja_nome", "_"."unidades" from "public"."vendas" "_") "rows" group by "loja_nome") "_" order by "_"."a0" desc limit 1) "$Inner"
  on ("rows"."loja_nome" = "$Inner"."loja_nome" or "rows"."loja_nome" is null and "$Inner"."loja_nome" is null)
  group by "rows"."loja_nome" limit 1000001`;

describe('plans of repeated statements', () => {
  it('answers a repeated statement the same, with the same single engine query', async () => {
    const text = 'select "rows"."canal_nome", sum("rows"."unidades") as "a0" from (select "_"."canal_nome", "_"."unidades" from "public"."vendas" "_") "rows" group by "canal_nome" order by 1';
    const want = await rows('select canal_nome, measure(unidades) from vendas group by 1 order by 1');
    calls.length = 0;
    expect(await rows(text)).toEqual(want);
    expect(await rows(text)).toEqual(want);
    expect(calls.map((c) => c.query)).toEqual([calls[0]!.query, calls[0]!.query]);
  });

  it('makes a Top N plan again each time: the keys come from the data', async () => {
    const best = async () => (await rows('select loja_nome, measure(unidades) from vendas group by 1 order by 2 desc limit 1'))[0]!;
    expect(await rows(TOP_1)).toEqual([await best()]);
    // Move the best store: the same statement must follow the data, not a remembered key list.
    const before = await best();
    await driver.query(
      `UPDATE gold.fato_vendas SET quantidade = quantidade + 1000 WHERE loja_sk = (SELECT f.loja_sk FROM gold.fato_vendas f JOIN gold.dim_loja l USING (loja_sk) WHERE l.nome <> $1 GROUP BY 1 ORDER BY sum(f.quantidade) LIMIT 1)`,
      [before[0]],
    );
    const after = await best();
    expect(after[0]).not.toBe(before[0]);
    calls.length = 0;
    expect(await rows(TOP_1)).toEqual([after]);
    expect(calls).toHaveLength(2); // the keys, then the visual
  });
});
