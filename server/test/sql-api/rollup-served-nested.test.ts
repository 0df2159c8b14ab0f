/**
 * Power BI's nested DirectQuery SQL over the `vendas` view is answered from a rollup: the SQL API
 * compiles the grouping level (through the rename, projection and filter levels around it) to one
 * semantic query at the visual's grain, which the model's `fato_vendas` rollups match. Checked on
 * the engine calls the SQL API makes (each one's `usedPreAggregations`, as REST's `/load` names
 * them), and the numbers against `MEASURE()` and SQL written by hand over the gold tables.
 * A visual grouped by a column no rollup holds is answered from the source: the check tells the
 * two apart, and it fails if the SQL API sends a query a rollup cannot serve (ungrouped rows, the
 * wrong grain, a measure the rollup lacks).
 * World: the small hand-built gold star schema with every rollup built (../preagg/preagg-harness.ts),
 * the SQL API on a real socket, node-postgres reading values as the text the server sends.
 */
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSqlServer, type SqlServer } from '../../src/api/sql/start-sql-server.ts';
import { ctx as internalCtx, openPreaggFixture, type PreaggFixture } from '../preagg/preagg-harness.ts';
import { powerBiSql } from './support/powerbi-shapes.ts';
import { recordEngineCalls, type EngineCall } from './support/record-engine-calls.ts';
import { rowLines } from './support/bi-sql-client.ts';

let fx: PreaggFixture;
let server: SqlServer;
let client: pg.Client;
const calls: EngineCall[] = [];

beforeAll(async () => {
  fx = await openPreaggFixture();
  const statuses = await fx.preAggregations.refresher.refresh(fx.model, { force: true });
  expect(statuses.filter((s) => s.cube === 'fato_vendas').map((s) => [s.id, s.state])).toEqual([
    ['fato_vendas.por_canal_dia', 'ready'],
    ['fato_vendas.novos_recorrentes_mes', 'ready'],
    ['fato_vendas.campanhas_dia', 'ready'],
  ]);
  server = await startSqlServer({
    port: 0,
    host: '127.0.0.1',
    engine: recordEngineCalls(fx.engine, calls),
    model: fx.model,
    maxScanRows: 50_000,
    checkSqlAuth: (user) => (user === 'bi' ? { password: 'bi-password', securityContext: internalCtx.securityContext } : null),
    onInternalError: () => {},
  });
  client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'bi', password: 'bi-password', database: 'db', types: { getTypeParser: () => (v: string) => v } });
  await client.connect();
}, 120_000);

afterAll(async () => {
  await client?.end();
  await server?.close();
  await fx?.close();
});

beforeEach(() => {
  calls.length = 0;
});

/** Rows of a statement through the SQL API, as Npgsql sends it (extended protocol). */
async function sqlApi(text: string): Promise<unknown[][]> {
  const config: pg.QueryArrayConfig & { queryMode: 'extended' } = { text, rowMode: 'array', queryMode: 'extended' };
  return (await client.query(config)).rows as unknown[][];
}

/** Rows of SQL written by hand over the gold tables (the fixture's own DuckDB). */
async function hand(text: string): Promise<unknown[][]> {
  const r = await fx.source.query(text, []);
  return Array.from({ length: r.rowCount }, (_, i) => r.data.map((column) => column[i]));
}

/** The engine calls of the statement just run: rollups and queries. */
function engineCalls(): EngineCall[] {
  return calls.splice(0);
}

const VALID = "NOT coalesce(f.is_cancelado, false) AND coalesce(f.status_pedido, '') <> 'test'";
/**
 * The rows of the fato_vendas cube written by hand: each sale line (venda) and each refund on its refund
 * date with the sale line's dimensions (METRICS.md: net sales subtract returns on the refund date).
 */
const MOVES = `(SELECT true AS venda, pedido_id, data_venda, canal_sk, tipo_cliente, is_cancelado, status_pedido, quantidade, valor_liquido AS liquido FROM gold.fato_vendas
  UNION ALL SELECT false, s.pedido_id, d.data_devolucao, s.canal_sk, s.tipo_cliente, s.is_cancelado, s.status_pedido, NULL, -d.valor_devolvido
  FROM gold.fato_devolucoes d JOIN gold.fato_vendas s USING (venda_id)) f`;
const FROM = `${MOVES} LEFT JOIN gold.dim_canal c ON f.canal_sk = c.canal_sk`;

describe("Power BI's nested DirectQuery shape over a rollup-served query", () => {
  it('a chart of two measures by channel over six months (inner date filter, outer not-null level) is answered from por_canal_dia', async () => {
    const range = `"_"."data_venda" >= timestamp '2024-03-01 00:00:00' and "_"."data_venda" < timestamp '2024-09-01 00:00:00'`;
    const rows = await sqlApi(
      `select "_"."canal_nome", "_"."a0", "_"."a1" from (select "rows"."canal_nome" as "canal_nome", sum("rows"."vendas_liquidas") as "a0", sum("rows"."unidades") as "a1"` +
        ` from (select "_"."canal_nome", "_"."vendas_liquidas", "_"."unidades" from "public"."vendas" "_" where ${range}) "rows" group by "canal_nome") "_"` +
        ` where not "_"."a0" is null or not "_"."a1" is null limit 1000001`,
    );
    const served = engineCalls();
    expect(served).toHaveLength(1);
    expect(served[0]!.rollups).toEqual(['fato_vendas.por_canal_dia']);
    expect(served[0]!.query.ungrouped).toBeFalsy();
    expect([...served[0]!.query.measures!].sort()).toEqual(['vendas.unidades', 'vendas.vendas_liquidas']);
    expect(served[0]!.query.dimensions).toEqual(['vendas.canal_nome']);

    const oracle = await sqlApi(
      "SELECT canal_nome, MEASURE(vendas_liquidas), MEASURE(unidades) FROM vendas WHERE data_venda >= timestamp '2024-03-01 00:00:00' AND data_venda < timestamp '2024-09-01 00:00:00' GROUP BY 1",
    );
    const byHand = await hand(
      `SELECT * FROM (SELECT c.nome, sum(CASE WHEN ${VALID} THEN f.liquido END) a0, sum(CASE WHEN ${VALID} THEN f.quantidade END) a1
       FROM ${FROM} WHERE f.data_venda >= TIMESTAMP '2024-03-01' AND f.data_venda < TIMESTAMP '2024-09-01' GROUP BY 1) WHERE a0 IS NOT NULL OR a1 IS NOT NULL`,
    );
    expect(byHand.length).toBeGreaterThanOrEqual(3);
    expect(rowLines(rows)).toEqual(rowLines(byHand));
    expect(rowLines(rows)).toEqual(rowLines(oracle.filter((r) => r[1] !== null || r[2] !== null)));
  });

  it('new vs returning customers by month (a date_trunc custom column, a count-distinct measure) is answered from novos_recorrentes_mes', async () => {
    const rows = await sqlApi(
      `select "_"."tipo_cliente", "_"."mes", "_"."a0", "_"."a1" from (select "rows"."tipo_cliente" as "tipo_cliente", "rows"."mes" as "mes", sum("rows"."pedidos") as "a0", sum("rows"."vendas_liquidas") as "a1"` +
        ` from (select "_"."tipo_cliente", date_trunc('month', "_"."data_venda") as "mes", "_"."pedidos", "_"."vendas_liquidas" from "public"."vendas" "_"` +
        ` where "_"."data_venda" >= timestamp '2024-01-01 00:00:00' and "_"."data_venda" < timestamp '2025-01-01 00:00:00') "rows" group by "tipo_cliente", "mes") "_"` +
        ` where not "_"."a0" is null or not "_"."a1" is null limit 1000001`,
    );
    const served = engineCalls();
    expect(served.map((c) => c.rollups)).toEqual([['fato_vendas.novos_recorrentes_mes']]);
    expect(served[0]!.query.timeDimensions).toEqual([expect.objectContaining({ dimension: 'vendas.data_venda', granularity: 'month' })]);

    const oracle = await sqlApi(
      "SELECT tipo_cliente, date_trunc('month', data_venda), MEASURE(pedidos), MEASURE(vendas_liquidas) FROM vendas WHERE data_venda >= timestamp '2024-01-01 00:00:00' AND data_venda < timestamp '2025-01-01 00:00:00' GROUP BY 1, 2",
    );
    const byHand = await hand(
      `SELECT f.tipo_cliente, date_trunc('month', f.data_venda), count(DISTINCT CASE WHEN ${VALID} AND f.venda THEN f.pedido_id END), sum(CASE WHEN ${VALID} THEN f.liquido END)
       FROM ${MOVES} WHERE f.data_venda >= TIMESTAMP '2024-01-01' AND f.data_venda < TIMESTAMP '2025-01-01' GROUP BY 1, 2`,
    );
    expect(byHand.length).toBeGreaterThanOrEqual(24);
    expect(rowLines(rows)).toEqual(rowLines(byHand));
    expect(rowLines(rows)).toEqual(rowLines(oracle));
  });

  it('a card (one total, no grain) over a year is answered from a fato_vendas rollup', async () => {
    const rows = await sqlApi(
      `select sum("rows"."vendas_brutas") as "a0" from (select "_"."vendas_brutas" from "public"."vendas" "_" where "_"."data_venda" >= timestamp '2024-01-01 00:00:00' and "_"."data_venda" < timestamp '2025-01-01 00:00:00') "rows" limit 1000001`,
    );
    // Whole months: the matcher may pick the smaller monthly rollup, which holds vendas_brutas too.
    expect(engineCalls().map((c) => c.rollups)).toEqual([[expect.stringMatching(/^fato_vendas\.(por_canal_dia|novos_recorrentes_mes)$/)]]);
    const oracle = await sqlApi("SELECT MEASURE(vendas_brutas) FROM vendas WHERE data_venda >= timestamp '2024-01-01 00:00:00' AND data_venda < timestamp '2025-01-01 00:00:00'");
    const byHand = await hand(`SELECT sum(CASE WHEN ${VALID} THEN f.valor_bruto END) FROM gold.fato_vendas f WHERE f.data_venda >= TIMESTAMP '2024-01-01' AND f.data_venda < TIMESTAMP '2025-01-01'`);
    expect(rowLines(rows)).toEqual(rowLines(byHand));
    expect(rowLines(rows)).toEqual(rowLines(oracle));
  });

  it('a Top 2 channels visual (a join back to a ranked subquery) is answered from por_canal_dia in every engine call', async () => {
    const rows = await sqlApi(powerBiSql({ grain: 'canal_nome', measure: 'vendas_liquidas', aggregate: 'sum', filter: 'topN' }));
    const served = engineCalls();
    expect(served.length).toBeGreaterThanOrEqual(1);
    expect(served.map((c) => c.rollups)).toEqual(served.map(() => ['fato_vendas.por_canal_dia']));
    const byHand = await hand(
      `SELECT c.nome, sum(CASE WHEN ${VALID} THEN f.liquido END) v FROM ${FROM} GROUP BY 1 HAVING v IS NOT NULL ORDER BY v DESC LIMIT 2`,
    );
    expect(rowLines(rows)).toEqual(rowLines(byHand));
  });

  it('a chart grouped by a column no rollup holds is answered from the source, with the same numbers (the check tells the two apart)', async () => {
    const rows = await sqlApi(
      `select "_"."produto_categoria", "_"."a0" from (select "rows"."produto_categoria" as "produto_categoria", sum("rows"."unidades") as "a0"` +
        ` from (select "_"."produto_categoria", "_"."unidades" from "public"."vendas" "_") "rows" group by "produto_categoria") "_" where not "_"."a0" is null limit 1000001`,
    );
    expect(engineCalls().map((c) => c.rollups)).toEqual([[]]);
    const byHand = await hand(
      `SELECT * FROM (SELECT p.categoria, sum(CASE WHEN ${VALID} THEN f.quantidade END) a0 FROM gold.fato_vendas f LEFT JOIN gold.dim_produto p ON f.produto_sk = p.produto_sk GROUP BY 1) WHERE a0 IS NOT NULL`,
    );
    expect(rowLines(rows)).toEqual(rowLines(byHand));
  });
});
