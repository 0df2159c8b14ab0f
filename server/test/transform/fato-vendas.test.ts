import { beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { runTransformations } from '../../src/lakehouse/transform/run-transformations.ts';
import { SQL_DIR, loadFixture, openEmptyLakehouse, rows, surrogateKey as sk } from './transform-fixture.ts';

// Expected values are computed by hand from notebooks/tests/fixtures/01_bronze_batch1.sql with the
// rules written at the top of each SQL file (see the comments next to each row).
const COLUMNS = `venda_id, pedido_id, origem, data_sk, data_venda, cliente_sk, produto_sk, loja_sk, canal_sk, campanha_sk,
  quantidade, preco_unitario, valor_bruto, desconto_linha, desconto_pedido_rateado, desconto_total, valor_liquido,
  status_pedido, is_cancelado, is_primeiro_pedido, tipo_cliente, quantidade_devolvida, valor_devolvido, data_devolucao`;

type Row = [string, string, string, number, string, string, string, string, string, string, number, string, string, string, string,
  string, string, string, boolean, boolean, string, number, string, string | null];

const c001v1 = sk('C001:1');
const c002v1 = sk('C002:1');
const EXPECTED_BATCH1: Row[] = [
  // O1: order discount 10.00 over gross 100 + 100 + 30 = 230: floor shares 4.34, 4.34, 1.30 (= 9.98),
  // the 2 leftover cents go to the two largest lines (tie on gross → lower line_no first).
  ['erp:O1:1', 'O1', 'erp', 20240115, '2024-01-15 10:00:00', c001v1, sk('P1'), sk('L000'), sk('site'), sk('C1'), 1, '100.00', '100.00', '0.00', '4.35', '4.35', '95.65', 'paid', false, false, 'recorrente', 0, '0.00', null],
  ['erp:O1:2', 'O1', 'erp', 20240115, '2024-01-15 10:00:00', c001v1, sk('P2'), sk('L000'), sk('site'), sk('C1'), 2, '50.00', '100.00', '5.00', '4.35', '9.35', '90.65', 'paid', false, false, 'recorrente', 1, '47.50', '2024-01-20 12:00:00'],
  ['erp:O1:3', 'O1', 'erp', 20240115, '2024-01-15 10:00:00', c001v1, sk('P3'), sk('L000'), sk('site'), sk('C1'), 3, '10.00', '30.00', '0.00', '1.30', '1.30', '28.70', 'paid', false, false, 'recorrente', 0, '0.00', null],
  // O2: cancelled through RDS after it was paid; kept with is_cancelado.
  ['erp:O2:1', 'O2', 'erp', 20240116, '2024-01-16 11:00:00', c002v1, sk('P2'), sk('L000'), sk('app'), '0', 1, '50.00', '50.00', '0.00', '0.00', '0.00', '50.00', 'cancelled', true, false, 'recorrente', 0, '0.00', null],
  // O3: C002's first valid order (O2 was cancelled); line 2 has an unknown product; line 3 (quantity -1) is dropped.
  // First orders here are 'sem_historico', not 'novo': the history starts 2024-01-10 (S0), these orders fall in its
  // first 12 months, and C001 (signed up 2023-12-01), C002 (2024-01-02) and O5's customer (unknown to the CRM)
  // signed up before it, so they may have bought before the data begins.
  ['erp:O3:1', 'O3', 'erp', 20240118, '2024-01-18 09:00:00', c002v1, sk('P1'), sk('L000'), sk('marketplace'), '0', 1, '100.00', '100.00', '0.00', '0.00', '0.00', '100.00', 'delivered', false, true, 'sem_historico', 0, '0.00', null],
  ['erp:O3:2', 'O3', 'erp', 20240118, '2024-01-18 09:00:00', c002v1, '0', sk('L000'), sk('marketplace'), '0', 2, '20.00', '40.00', '0.00', '0.00', '0.00', '40.00', 'delivered', false, true, 'sem_historico', 0, '0.00', null],
  // O5: a customer id the CRM does not know (cliente_sk 0) and an unknown campaign (campanha_sk 0).
  ['erp:O5:1', 'O5', 'erp', 20240119, '2024-01-19 13:00:00', '0', sk('P3'), sk('L000'), sk('site'), '0', 1, '10.00', '10.00', '0.00', '0.00', '0.00', '10.00', 'paid', false, true, 'sem_historico', 0, '0.00', null],
  // S0: C001's first purchase is in store, so O1 is 'recorrente'.
  ['pos:S0:1', 'S0', 'pos', 20240110, '2024-01-10 14:00:00', c001v1, sk('P2'), sk('L001'), sk('loja_fisica'), '0', 1, '50.00', '50.00', '0.00', '0.00', '0.00', '50.00', 'delivered', false, true, 'sem_historico', 0, '0.00', null],
  // S1: anonymous receipt; its duplicated line 2 counts once.
  ['pos:S1:1', 'S1', 'pos', 20240112, '2024-01-12 15:00:00', '0', sk('P3'), sk('L001'), sk('loja_fisica'), '0', 2, '10.00', '20.00', '1.00', '0.00', '1.00', '19.00', 'delivered', false, false, 'nao_identificado', 1, '9.50', '2024-01-13 10:00:00'],
  ['pos:S1:2', 'S1', 'pos', 20240112, '2024-01-12 15:00:00', '0', sk('P1'), sk('L001'), sk('loja_fisica'), '0', 1, '100.00', '100.00', '0.00', '0.00', '0.00', '100.00', 'delivered', false, false, 'nao_identificado', 0, '0.00', null],
];

async function factRows(connection: DuckDBConnection): Promise<unknown[][]> {
  return (await rows(connection, `SELECT ${COLUMNS} FROM gold.fato_vendas ORDER BY venda_id`)).map((r) => Object.values(r));
}

describe('gold.fato_vendas from hand-written bronze', () => {
  let connection: DuckDBConnection;
  beforeAll(async () => {
    connection = await openEmptyLakehouse();
    await loadFixture(connection, '01_bronze_batch1.sql');
    await runTransformations(connection, { sqlDir: SQL_DIR });
  });

  it('builds one row per kept sale line with every contract column as computed by hand', async () => {
    expect(await factRows(connection)).toEqual(EXPECTED_BATCH1);
  });

  it('allocates the order discount so the shares add up to it exactly', async () => {
    const [row] = await rows(connection, "SELECT CAST(sum(desconto_pedido_rateado) AS VARCHAR) AS total FROM gold.fato_vendas WHERE pedido_id = 'O1'");
    expect(row!.total).toBe('10.00');
  });

  it('reconciles gross sales with a direct computation over bronze using the documented rules', async () => {
    // Independent SQL: latest version per line, quantity > 0, price >= 0, order exists and is not a test order.
    const [expected] = await rows(connection, `
      WITH l AS (SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY order_id, line_no ORDER BY updated_at DESC) rn FROM bronze.erp_order_lines) WHERE rn = 1),
           o AS (SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY order_id ORDER BY updated_at DESC) rn FROM bronze.erp_orders) WHERE rn = 1),
           p AS (SELECT DISTINCT receipt_id, line_no, quantity, unit_price FROM bronze.pos_store_sales)
      SELECT CAST((SELECT sum(l.quantity * l.unit_price) FROM l JOIN o USING (order_id) WHERE l.quantity > 0 AND l.unit_price >= 0 AND o.status <> 'test')
                + (SELECT sum(quantity * unit_price) FROM p WHERE quantity > 0) AS VARCHAR) AS gross`);
    const [actual] = await rows(connection, 'SELECT CAST(sum(valor_bruto) AS VARCHAR) AS gross FROM gold.fato_vendas');
    expect(actual!.gross).toBe(expected!.gross);
    expect(actual!.gross).toBe('600.00');
  });

  it('keeps one refund row per valid refund, dated on the refund date', async () => {
    expect(await rows(connection, 'SELECT devolucao_id, venda_id, data_devolucao_sk, CAST(valor_devolvido AS VARCHAR) AS v, cliente_sk, canal_sk FROM gold.fato_devolucoes ORDER BY 1'))
      .toEqual([
        { devolucao_id: 'R1', venda_id: 'erp:O1:2', data_devolucao_sk: 20240120, v: '47.50', cliente_sk: c001v1, canal_sk: sk('site') },
        { devolucao_id: 'R2', venda_id: 'pos:S1:1', data_devolucao_sk: 20240113, v: '9.50', cliente_sk: '0', canal_sk: sk('loja_fisica') },
      ]);
  });

  it('builds the conformed dimensions with md5-based keys and the unknown member 0', async () => {
    expect(await rows(connection, 'SELECT canal_sk, canal_id, tipo FROM gold.dim_canal ORDER BY canal_id')).toEqual([
      { canal_sk: sk('app'), canal_id: 'app', tipo: 'online' },
      { canal_sk: sk('loja_fisica'), canal_id: 'loja_fisica', tipo: 'fisico' },
      { canal_sk: sk('marketplace'), canal_id: 'marketplace', tipo: 'online' },
      { canal_sk: '0', canal_id: 'nao_identificado', tipo: 'nao_identificado' },
      { canal_sk: sk('site'), canal_id: 'site', tipo: 'online' },
    ]);
    expect(await rows(connection, 'SELECT loja_sk, loja_id, nome, tipo, estado FROM gold.dim_loja ORDER BY loja_id')).toEqual([
      { loja_sk: sk('L000'), loja_id: 'L000', nome: 'Loja Online', tipo: 'online', estado: 'SP' },
      { loja_sk: sk('L001'), loja_id: 'L001', nome: 'Loja Centro', tipo: 'fisica', estado: 'SP' },
      { loja_sk: '0', loja_id: 'nao_identificado', nome: 'Não identificado', tipo: 'nao_identificado', estado: null },
    ]);
    expect(await rows(connection, "SELECT nome FROM gold.dim_produto WHERE produto_id = 'P1'")).toEqual([{ nome: 'Camiseta Azul' }]);
  });

  it('generates dim_tempo for whole years with ISO weekdays and seasonal events', async () => {
    const [summary] = await rows(connection, 'SELECT count(*) AS n, CAST(min(data) AS VARCHAR) AS lo, CAST(max(data) AS VARCHAR) AS hi FROM gold.dim_tempo');
    expect(summary).toEqual({ n: '366', lo: '2024-01-01', hi: '2024-12-31' });
    expect(await rows(connection, 'SELECT data_sk, dia_semana, nome_dia_semana, semana_iso, is_fim_de_semana, evento_sazonal FROM gold.dim_tempo WHERE data_sk IN (20240101, 20241129, 20241202, 20240512) ORDER BY 1'))
      .toEqual([
        { data_sk: 20240101, dia_semana: 1, nome_dia_semana: 'Segunda-feira', semana_iso: 1, is_fim_de_semana: false, evento_sazonal: 'Ano Novo' },
        { data_sk: 20240512, dia_semana: 7, nome_dia_semana: 'Domingo', semana_iso: 19, is_fim_de_semana: true, evento_sazonal: 'Dia das Mães' },
        { data_sk: 20241129, dia_semana: 5, nome_dia_semana: 'Sexta-feira', semana_iso: 48, is_fim_de_semana: false, evento_sazonal: 'Black Friday' },
        { data_sk: 20241202, dia_semana: 1, nome_dia_semana: 'Segunda-feira', semana_iso: 49, is_fim_de_semana: false, evento_sazonal: 'Cyber Monday' },
      ]);
  });
});
