import { beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { TransformReport } from '../../src/lakehouse/transform/run-transformations.ts';
import { runTransformations } from '../../src/lakehouse/transform/run-transformations.ts';
import { SQL_DIR, goldSnapshot, loadFixture, openEmptyLakehouse, rows, surrogateKey as sk } from './transform-fixture.ts';

// Batch 2 (notebooks/tests/fixtures/02_bronze_batch2.sql) is one more day of bronze rows.
async function lakehouseAfterTwoRuns() {
  const connection = await openEmptyLakehouse();
  await loadFixture(connection, '01_bronze_batch1.sql');
  await runTransformations(connection, { sqlDir: SQL_DIR });
  await loadFixture(connection, '02_bronze_batch2.sql');
  const report = await runTransformations(connection, { sqlDir: SQL_DIR });
  return { connection, report };
}

describe('incremental runs and customer history', () => {
  let connection: DuckDBConnection;
  let report: TransformReport;
  beforeAll(async () => {
    ({ connection, report } = await lakehouseAfterTwoRuns());
  });

  it('gives the same gold tables as a full rebuild on a fresh database', async () => {
    const full = await openEmptyLakehouse();
    await loadFixture(full, '01_bronze_batch1.sql');
    await loadFixture(full, '02_bronze_batch2.sql');
    await runTransformations(full, { sqlDir: SQL_DIR });
    expect(await goldSnapshot(connection)).toEqual(await goldSnapshot(full));
  });

  it('changes nothing when run again without new bronze rows', async () => {
    const before = await goldSnapshot(connection);
    await runTransformations(connection, { sqlDir: SQL_DIR });
    expect(await goldSnapshot(connection)).toEqual(before);
  });

  it('keeps the SCD2 history of a customer changed in the CRM, with the first purchase date', async () => {
    expect(await rows(connection, `SELECT cliente_sk, versao, cidade, estado, segmento, email, CAST(valido_de AS VARCHAR) AS de,
        CAST(valido_ate AS VARCHAR) AS ate, is_atual, CAST(primeira_compra_data AS VARCHAR) AS primeira
        FROM gold.dim_cliente WHERE cliente_id = 'C001' ORDER BY versao`)).toEqual([
      // Day 2024-02-10 had two updates (the later, segment VIP, wins); 2024-02-20 changed nothing.
      { cliente_sk: sk('C001:1'), versao: 1, cidade: 'Campinas', estado: 'SP', segmento: 'varejo', email: 'ana@example.com', de: '2024-01-01 10:00:00', ate: '2024-02-10 15:00:00', is_atual: false, primeira: '2024-01-10' },
      { cliente_sk: sk('C001:2'), versao: 2, cidade: 'Santos', estado: 'SP', segmento: 'vip', email: 'ana@example.com', de: '2024-02-10 15:00:00', ate: '2024-03-02 10:00:00', is_atual: false, primeira: '2024-01-10' },
      { cliente_sk: sk('C001:3'), versao: 3, cidade: 'Rio de Janeiro', estado: 'RJ', segmento: 'vip', email: 'ana@example.com', de: '2024-03-02 10:00:00', ate: null, is_atual: true, primeira: '2024-01-10' },
    ]);
    // C003's only online order was a test order: the first purchase comes with batch 2, in store.
    expect(await rows(connection, "SELECT CAST(primeira_compra_data AS VARCHAR) AS p FROM gold.dim_cliente WHERE cliente_id IN ('C002', 'C003') ORDER BY cliente_id"))
      .toEqual([{ p: '2024-01-18' }, { p: '2024-03-02' }]);
  });

  it('points each sale at the customer version valid when it happened', async () => {
    expect(await rows(connection, "SELECT venda_id, cliente_sk FROM gold.fato_vendas WHERE venda_id IN ('pos:S0:1', 'erp:O6:1') ORDER BY 1"))
      .toEqual([{ venda_id: 'erp:O6:1', cliente_sk: sk('C001:3') }, { venda_id: 'pos:S0:1', cliente_sk: sk('C001:1') }]);
  });

  it('updates status, cancellation, first-order flag and refunds of existing lines on the incremental run', async () => {
    expect(await rows(connection, `SELECT venda_id, status_pedido, is_cancelado, is_primeiro_pedido, tipo_cliente, quantidade_devolvida,
        CAST(valor_devolvido AS VARCHAR) AS devolvido, CAST(data_devolucao AS VARCHAR) AS data_devolucao
        FROM gold.fato_vendas WHERE venda_id IN ('erp:O1:1', 'erp:O5:1', 'erp:O3:1', 'erp:O6:1', 'pos:S2:1') ORDER BY 1`)).toEqual([
      { venda_id: 'erp:O1:1', status_pedido: 'delivered', is_cancelado: false, is_primeiro_pedido: false, tipo_cliente: 'recorrente', quantidade_devolvida: 0, devolvido: '0.00', data_devolucao: null },
      // First orders in the first 12 months of history (from 2024-01-10) of customers who signed up before it: 'sem_historico'.
      { venda_id: 'erp:O3:1', status_pedido: 'delivered', is_cancelado: false, is_primeiro_pedido: true, tipo_cliente: 'sem_historico', quantidade_devolvida: 1, devolvido: '100.00', data_devolucao: '2024-03-02 12:00:00' },
      // A late ERP update cancelled O5: it no longer counts as CX99's first order.
      { venda_id: 'erp:O5:1', status_pedido: 'cancelled', is_cancelado: true, is_primeiro_pedido: false, tipo_cliente: 'recorrente', quantidade_devolvida: 0, devolvido: '0.00', data_devolucao: null },
      { venda_id: 'erp:O6:1', status_pedido: 'paid', is_cancelado: false, is_primeiro_pedido: false, tipo_cliente: 'recorrente', quantidade_devolvida: 0, devolvido: '0.00', data_devolucao: null },
      { venda_id: 'pos:S2:1', status_pedido: 'delivered', is_cancelado: false, is_primeiro_pedido: true, tipo_cliente: 'sem_historico', quantidade_devolvida: 0, devolvido: '0.00', data_devolucao: null },
    ]);
    expect(await rows(connection, 'SELECT devolucao_id FROM gold.fato_devolucoes ORDER BY 1')).toEqual([{ devolucao_id: 'R1' }, { devolucao_id: 'R2' }, { devolucao_id: 'R4' }]);
  });

  it('reports rows per table and time per file', async () => {
    expect(report.files.map((f) => f.file)).toContain('gold/07_fato_vendas.sql');
    expect(report.files.every((f) => f.ms >= 0 && f.statements > 0)).toBe(true);
    const byTable = Object.fromEntries(report.tables.map((t) => [t.table, t.rows]));
    expect(byTable).toMatchObject({ 'gold.fato_vendas': 12, 'gold.fato_devolucoes': 3, 'gold.dim_cliente': 6, 'silver.order_lines': 10 });
  });

  it('deletes a customer version that a later same-day CRM correction folds away, and repoints its sales', async () => {
    const fresh = await lakehouseAfterTwoRuns();
    const crm = (city: string, updatedAt: string, ingestedAt: string) => `INSERT INTO bronze.crm_customers VALUES ('C003', 'Carla Dias',
      'carla@example.com', '${city}', 'PE', 'atacado', DATE '1979-11-30', DATE '2024-01-03', TIMESTAMP '${updatedAt}', TIMESTAMP '${ingestedAt}', 'crm', 'b')`;
    await fresh.connection.run(crm('Olinda', '2024-01-09 08:00:00', '2024-03-04 01:00:00'));
    await runTransformations(fresh.connection, { sqlDir: SQL_DIR });
    const sale = "SELECT cliente_sk FROM gold.fato_vendas WHERE venda_id = 'pos:S2:1'";
    expect(await rows(fresh.connection, sale)).toEqual([{ cliente_sk: sk('C003:2') }]);
    // Later that same day the CRM reverts the city: the day's latest row equals version 1 again.
    await fresh.connection.run(crm('Recife', '2024-01-09 18:00:00', '2024-03-05 01:00:00'));
    await runTransformations(fresh.connection, { sqlDir: SQL_DIR });
    expect(await rows(fresh.connection, "SELECT versao, cidade, valido_ate, is_atual FROM gold.dim_cliente WHERE cliente_id = 'C003'"))
      .toEqual([{ versao: 1, cidade: 'Recife', valido_ate: null, is_atual: true }]);
    expect(await rows(fresh.connection, sale)).toEqual([{ cliente_sk: sk('C003:1') }]);
  });

  it('drops a line that a later correction makes invalid and re-splits the order discount', async () => {
    const fresh = await lakehouseAfterTwoRuns();
    await fresh.connection.run(`INSERT INTO bronze.erp_order_lines VALUES ('O1', 3, 'P3', 0, 10.00, 0.00, TIMESTAMP '2024-03-03 09:00:00',
      TIMESTAMP '2024-03-04 01:00:00', 'erp/order_lines/dt=2024-03-03/order_lines_20240303.csv', 'b3')`);
    await runTransformations(fresh.connection, { sqlDir: SQL_DIR });
    // 10.00 over two lines of gross 100.00 each: 5.00 and 5.00.
    expect(await rows(fresh.connection, "SELECT venda_id, CAST(desconto_pedido_rateado AS VARCHAR) AS d FROM gold.fato_vendas WHERE pedido_id = 'O1' ORDER BY 1"))
      .toEqual([{ venda_id: 'erp:O1:1', d: '5.00' }, { venda_id: 'erp:O1:2', d: '5.00' }]);
  });
});
