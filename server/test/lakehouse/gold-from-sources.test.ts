import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLakehouse, ensureLocalLakehouse } from '../../src/lakehouse/build-lakehouse.ts';
import { openRdsClient } from '../../src/lakehouse/rds/open-rds-client.ts';
import { makeTempLakehouse, type TempLakehouse } from './lakehouse-fixtures.ts';

/**
 * End to end: generate → ingest → silver → gold → checks, then gold compared with totals computed
 * here straight from the landing files and the RDS tables, applying the cleaning rules documented in
 * notebooks/sql (quarantine of unparseable records, latest updated_at per key, exact duplicates
 * collapse, quantity > 0, test orders out, RDS status when newer than the ERP's, order discounts
 * allocated exactly, returns not subtracted from net).
 */
describe('gold star schema from generated sources', () => {
  let lake: TempLakehouse;
  let files: DuckDBInstance;
  let src: DuckDBConnection;
  let gold: DuckDBConnection;
  let goldInstance: DuckDBInstance;
  const rows = async (c: DuckDBConnection, sql: string) => (await c.runAndReadAll(sql)).getRowObjectsJson();

  beforeAll(async () => {
    lake = await makeTempLakehouse({ generate: false });
    await buildLakehouse({ paths: lake.paths, scale: 0.01, seed: 21 });
    // The build opened the file through the process-wide cache; a second instance would conflict.
    goldInstance = await DuckDBInstance.fromCache(lake.paths.duckdbPath);
    gold = await goldInstance.connect();
    files = await DuckDBInstance.create(':memory:');
    src = await files.connect();
    const rds = await openRdsClient(lake.paths.rdsUrl);
    try {
      const status = await rds.query('SELECT order_id, status, CAST(updated_at AS TEXT) AS updated_at FROM order_status');
      await src.run('CREATE TABLE rds_status (order_id VARCHAR, status VARCHAR, updated_at TIMESTAMP)');
      for (const r of status) await src.run(`INSERT INTO rds_status VALUES ('${r.order_id}', '${r.status}', TIMESTAMP '${r.updated_at}')`);
    } finally {
      await rds.close();
    }
    const landing = lake.paths.landingDir;
    await src.run(`CREATE VIEW orders AS SELECT * FROM (
        SELECT order_id, channel, TRY_CAST(order_ts AS TIMESTAMP) AS ts, status, CAST(order_discount AS DECIMAL(18,2)) AS order_discount,
          CAST(updated_at AS TIMESTAMP) AS updated_at,
          row_number() OVER (PARTITION BY order_id ORDER BY CAST(updated_at AS TIMESTAMP) DESC) AS rn
        FROM read_csv('${landing}/erp/orders/*/*.csv', all_varchar = true, header = true)
        WHERE TRY_CAST(order_ts AS TIMESTAMP) IS NOT NULL) WHERE rn = 1`);
    await src.run(`CREATE VIEW online_lines AS
      SELECT DISTINCT l.order_id, CAST(l.line_no AS INT) AS line_no, CAST(l.quantity AS INT) AS quantity,
        CAST(l.unit_price AS DECIMAL(18,2)) AS unit_price, CAST(l.line_discount AS DECIMAL(18,2)) AS line_discount,
        o.channel, o.order_discount,
        CASE WHEN s.updated_at >= o.updated_at THEN s.status ELSE o.status END AS status
      FROM read_csv('${landing}/erp/order_lines/*/*.csv', all_varchar = true, header = true) l
      JOIN orders o ON o.order_id = l.order_id LEFT JOIN rds_status s ON s.order_id = l.order_id
      WHERE TRY_CAST(l.quantity AS INT) > 0 AND CAST(l.unit_price AS DECIMAL(18,2)) >= 0`);
    await src.run(`CREATE VIEW expected AS
      SELECT channel AS canal_id, count(*) AS n, sum(quantity) AS qty, sum(unit_price * quantity) AS gross,
        sum(line_discount) AS line_discounts, sum(CASE WHEN line_no = first_line THEN order_discount ELSE 0 END) AS order_discounts,
        count(*) FILTER (WHERE status = 'cancelled') AS cancelled
      FROM (SELECT *, min(line_no) OVER (PARTITION BY order_id) AS first_line FROM online_lines WHERE status <> 'test')
      GROUP BY channel
      UNION ALL
      SELECT 'loja_fisica', count(*), sum(quantity), sum(unit_price * quantity), sum(discount), 0, 0
      FROM (SELECT DISTINCT * FROM read_parquet('${landing}/pos/store_sales/*/*.parquet'))
      WHERE receipt_id IS NOT NULL AND quantity > 0 AND unit_price >= 0`);
  });
  afterAll(() => {
    gold?.closeSync(); src?.closeSync(); files?.closeSync();
    lake?.remove();
  });

  it('has gold fato_vendas totals per sales channel equal to the totals of the source files', async () => {
    const expected = await rows(src, `SELECT canal_id, n, qty, CAST(gross AS VARCHAR) AS gross,
        CAST(line_discounts + order_discounts AS VARCHAR) AS discounts, CAST(gross - line_discounts - order_discounts AS VARCHAR) AS net, cancelled
      FROM expected ORDER BY canal_id`);
    const actual = await rows(gold, `SELECT c.canal_id, count(*) AS n, sum(f.quantidade) AS qty, CAST(sum(f.valor_bruto) AS VARCHAR) AS gross,
        CAST(sum(f.desconto_total) AS VARCHAR) AS discounts, CAST(sum(f.valor_liquido) AS VARCHAR) AS net, count(*) FILTER (WHERE f.is_cancelado) AS cancelled
      FROM gold.fato_vendas f JOIN gold.dim_canal c ON c.canal_sk = f.canal_sk GROUP BY c.canal_id ORDER BY c.canal_id`);
    expect(expected.map((r) => r.canal_id)).toEqual(['app', 'loja_fisica', 'marketplace', 'site']);
    expect(actual).toEqual(expected);
  });

  it('keeps the SCD2 history of a customer whose city changed in the CRM', async () => {
    const [changed] = await rows(src, `SELECT customer_id, list(city ORDER BY updated_at) AS cities, list(CAST(updated_at AS VARCHAR) ORDER BY updated_at) AS times
      FROM read_json('${lake.paths.landingDir}/crm/customers/*/*.json', columns = {customer_id: 'VARCHAR', city: 'VARCHAR', birth_date: 'VARCHAR', updated_at: 'TIMESTAMP'})
      GROUP BY customer_id HAVING count(*) = 2 AND count(DISTINCT city) = 2 AND bool_and(regexp_matches(birth_date, '^\\d{4}-\\d{2}-\\d{2}$'))
      ORDER BY customer_id LIMIT 1`);
    expect(changed).toBeDefined();
    const versions = await rows(gold, `SELECT cidade, CAST(valido_de AS VARCHAR) AS de, CAST(valido_ate AS VARCHAR) AS ate, is_atual
      FROM gold.dim_cliente WHERE cliente_id = '${String(changed!.customer_id)}' ORDER BY valido_de`);
    const [first, second] = changed!.cities as string[];
    const [t1, t2] = changed!.times as string[];
    expect(versions).toEqual([
      { cidade: first, de: t1, ate: t2, is_atual: false },
      { cidade: second, de: t2, ate: null, is_atual: true },
    ]);
  });

  it('points every fact row at existing dimension members', async () => {
    const [orphans] = await rows(gold, `SELECT
        count(*) FILTER (WHERE c.cliente_sk IS NULL) AS cliente, count(*) FILTER (WHERE p.produto_sk IS NULL) AS produto,
        count(*) FILTER (WHERE l.loja_sk IS NULL) AS loja, count(*) FILTER (WHERE k.canal_sk IS NULL) AS canal,
        count(*) FILTER (WHERE m.campanha_sk IS NULL) AS campanha, count(*) FILTER (WHERE t.data_sk IS NULL) AS tempo
      FROM gold.fato_vendas f
      LEFT JOIN gold.dim_cliente c ON c.cliente_sk = f.cliente_sk LEFT JOIN gold.dim_produto p ON p.produto_sk = f.produto_sk
      LEFT JOIN gold.dim_loja l ON l.loja_sk = f.loja_sk LEFT JOIN gold.dim_canal k ON k.canal_sk = f.canal_sk
      LEFT JOIN gold.dim_campanha m ON m.campanha_sk = f.campanha_sk LEFT JOIN gold.dim_tempo t ON t.data_sk = f.data_sk`);
    expect(orphans).toEqual({ cliente: '0', produto: '0', loja: '0', canal: '0', campanha: '0', tempo: '0' });
  });

  it('does not rebuild on the next start: the gold tables are kept', async () => {
    const before = await rows(gold, 'SELECT count(*) AS n FROM gold.fato_vendas');
    const report = await ensureLocalLakehouse({ paths: lake.paths });
    expect(report.built).toBe(false);
    expect(await rows(gold, 'SELECT count(*) AS n FROM gold.fato_vendas')).toEqual(before);
  });

  it('maps unknown product ids and anonymous receipts to the unknown members (sk 0)', async () => {
    const unknownProducts = fs.readdirSync(path.join(lake.paths.landingDir, 'erp/order_lines')).length > 0
      ? await rows(gold, "SELECT count(*) AS n FROM gold.fato_vendas WHERE produto_sk = 0") : [];
    expect(Number(unknownProducts[0]!.n)).toBeGreaterThan(0);
    const [anon] = await rows(gold, "SELECT count(*) FILTER (WHERE tipo_cliente = 'nao_identificado' AND cliente_sk <> 0) AS wrong, count(*) FILTER (WHERE tipo_cliente = 'nao_identificado') AS n FROM gold.fato_vendas");
    expect(anon).toMatchObject({ wrong: '0' });
    expect(Number(anon!.n)).toBeGreaterThan(0);
  });
});
