/**
 * A small gold star schema in DuckDB built by hand-written SQL (independent of the pipeline), the
 * repository's model/ compiled with one extra test-only file adding the measure types and the
 * one-to-many join the production model does not declare.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { compileModel, readModelFiles } from '../../src/model/compile-model.ts';
import type { SemanticModel } from '../../src/model/model-types.ts';

const MODEL_DIR = path.resolve(import.meta.dirname, '../../../model');

/**
 * The internal team's security context. The shipped model denies by default (a context without a
 * group it names sees nothing), and grants the `internal` group every member and row: suites that
 * query the shipped model as "everyone sees everything" say so with this context.
 */
export const INTERNAL_CONTEXT = Object.freeze({ groups: Object.freeze(['internal']) });

export const GOLD_SQL = `
CREATE SCHEMA gold;
CREATE TABLE gold.dim_canal AS SELECT * FROM (VALUES
  (0, 'nd', 'Não identificado', 'online'), (1, 'site', 'Site', 'online'), (2, 'app', 'App', 'online'),
  (3, 'marketplace', 'Marketplace', 'online'), (4, 'loja_fisica', 'Loja física', 'fisico')) t(canal_sk, canal_id, nome, tipo);
CREATE TABLE gold.dim_loja AS SELECT * FROM (VALUES
  (0, 'nd', 'Não identificada', 'online', NULL, NULL, NULL, DATE '2000-01-01'),
  (1, 'ONLINE', 'Loja online', 'online', 'São Paulo', 'SP', 'Sudeste', DATE '2019-01-01'),
  (2, 'L001', 'Loja Paulista', 'fisica', 'São Paulo', 'SP', 'Sudeste', DATE '2020-03-01'),
  (3, 'L002', 'Loja Recife', 'fisica', 'Recife', 'PE', 'Nordeste', DATE '2021-06-15')) t(loja_sk, loja_id, nome, tipo, cidade, estado, regiao, data_abertura);
CREATE TABLE gold.dim_produto AS SELECT * FROM (VALUES
  (0, 'nd', 'Não identificado', 'Outros', 'Outros', NULL, 0.00::DECIMAL(18,2)),
  (1, 'P1', 'Camiseta Azul', 'Vestuário', 'Camisetas', 'Marca A', 49.90::DECIMAL(18,2)),
  (2, 'P2', 'Calça Jeans', 'Vestuário', 'Calças', 'Marca B', 129.90::DECIMAL(18,2)),
  (3, 'P3', 'Tênis Corrida', 'Calçados', 'Esportivos', 'Marca A', 299.00::DECIMAL(18,2)),
  (4, 'P4', 'Caneca 100% algodão', 'Casa', 'Cozinha', NULL, 19.90::DECIMAL(18,2)),
  (5, 'P5', 'Mochila_Urbana', 'Acessórios', 'Bolsas', 'Marca C', 159.00::DECIMAL(18,2))) t(produto_sk, produto_id, nome, categoria, subcategoria, marca, preco_lista);
CREATE TABLE gold.dim_cliente AS SELECT * FROM (VALUES
  (0, 'nd', 'Não identificado', NULL, NULL, NULL, NULL, NULL::DATE, NULL::DATE, NULL::DATE, TIMESTAMP '2000-01-01', NULL::TIMESTAMP, true),
  (1, 'C1', 'Ana', 'ana@x.com', 'São Paulo', 'SP', 'varejo', DATE '1990-05-01', DATE '2023-01-10', DATE '2024-01-01', TIMESTAMP '2023-01-10', NULL, true),
  (2, 'C2', 'Bruno', 'bruno@x.com', 'Recife', 'PE', 'atacado', DATE '1985-02-11', DATE '2023-06-01', DATE '2024-01-02', TIMESTAMP '2023-06-01', TIMESTAMP '2024-03-01', false),
  (3, 'C2', 'Bruno', 'bruno@x.com', 'Olinda', 'PE', 'atacado', DATE '1985-02-11', DATE '2023-06-01', DATE '2024-01-02', TIMESTAMP '2024-03-01', NULL, true),
  (4, 'C3', 'Carla', NULL, 'Curitiba', 'PR', 'varejo', DATE '2000-12-31', DATE '2024-02-20', DATE '2024-02-21', TIMESTAMP '2024-02-20', NULL, true),
  (5, 'C4', 'Davi', 'davi@x.com', NULL, NULL, NULL, NULL, DATE '2024-04-04', DATE '2024-04-05', TIMESTAMP '2024-04-04', NULL, true))
  t(cliente_sk, cliente_id, nome, email, cidade, estado, segmento, data_nascimento, data_cadastro, primeira_compra_data, valido_de, valido_ate, is_atual);
CREATE TABLE gold.dim_campanha AS SELECT * FROM (VALUES
  (0, 'nd', 'Sem campanha', NULL, NULL, NULL, NULL::DATE, NULL::DATE),
  (1, 'CP1', 'Black Friday', 'google', 'cpc', 'bf2024', DATE '2024-11-01', DATE '2024-11-30'),
  (2, 'CP2', 'Dia das Mães', 'meta', 'social', 'maes2024', DATE '2024-05-01', DATE '2024-05-12')) t(campanha_sk, campanha_id, nome, utm_source, utm_medium, utm_campaign, data_inicio, data_fim);
CREATE TABLE gold.dim_tempo AS
  SELECT CAST(strftime(d, '%Y%m%d') AS INT) AS data_sk, CAST(d AS DATE) AS data, year(d) AS ano, quarter(d) AS trimestre, month(d) AS mes,
         strftime(d, '%B') AS nome_mes, day(d) AS dia, isodow(d) AS dia_semana, strftime(d, '%A') AS nome_dia_semana, weekofyear(d) AS semana_iso,
         isodow(d) >= 6 AS is_fim_de_semana, CASE WHEN month(d) = 11 AND day(d) >= 25 THEN 'black_friday' ELSE NULL END AS evento_sazonal
  FROM range(TIMESTAMP '2023-12-01', TIMESTAMP '2025-01-31', INTERVAL 1 DAY) r(d);
CREATE TABLE gold.fato_vendas AS
  SELECT
    CASE WHEN i % 4 = 3 THEN 'pos:' ELSE 'erp:' END || CAST(i // 2 AS VARCHAR) || ':' || CAST(i % 2 AS VARCHAR) AS venda_id,
    'P' || CAST(i // 2 AS VARCHAR) AS pedido_id,
    CASE WHEN i % 4 = 3 THEN 'pos' ELSE 'erp' END AS origem,
    CAST(strftime(ts, '%Y%m%d') AS INT) AS data_sk,
    ts AS data_venda,
    CASE WHEN i % 7 = 0 THEN 0 ELSE 1 + i % 5 END AS cliente_sk,
    1 + i % 5 AS produto_sk,
    CASE WHEN i % 4 = 3 THEN 2 + i % 2 ELSE 1 END AS loja_sk,
    CASE WHEN i % 4 = 3 THEN 4 ELSE 1 + i % 3 END AS canal_sk,
    i % 3 AS campanha_sk,
    1 + i % 4 AS quantidade,
    CAST(10 + i % 7 AS DECIMAL(18,2)) AS preco_unitario,
    CAST((1 + i % 4) * (10 + i % 7) AS DECIMAL(18,2)) AS valor_bruto,
    CAST(i % 3 AS DECIMAL(18,2)) AS desconto_linha,
    CAST(0.5 * (i % 2) AS DECIMAL(18,2)) AS desconto_pedido_rateado,
    CAST(i % 3 + 0.5 * (i % 2) AS DECIMAL(18,2)) AS desconto_total,
    CAST((1 + i % 4) * (10 + i % 7) - (i % 3 + 0.5 * (i % 2)) AS DECIMAL(18,2)) AS valor_liquido,
    CASE WHEN i % 10 = 9 THEN 'cancelled' WHEN i % 23 = 0 THEN 'test' WHEN i % 3 = 0 THEN 'delivered' ELSE 'paid' END AS status_pedido,
    i % 10 = 9 AS is_cancelado,
    i % 6 = 1 AS is_primeiro_pedido,
    CASE WHEN i % 7 = 0 THEN 'nao_identificado' WHEN i % 6 = 1 THEN 'novo' ELSE 'recorrente' END AS tipo_cliente,
    CASE WHEN i % 11 = 5 THEN 1 ELSE 0 END AS quantidade_devolvida,
    CASE WHEN i % 11 = 5 THEN CAST(10 + i % 7 AS DECIMAL(18,2)) ELSE NULL END AS valor_devolvido,
    CASE WHEN i % 11 = 5 THEN ts + INTERVAL 10 DAY ELSE NULL END AS data_devolucao
  FROM (SELECT i, TIMESTAMP '2024-01-01 08:30:00' + i * INTERVAL 37 HOUR AS ts FROM range(0, 240) r(i));
CREATE TABLE gold.fato_devolucoes AS
  SELECT 'D' || venda_id AS devolucao_id, venda_id, CAST(strftime(data_devolucao, '%Y%m%d') AS INT) AS data_devolucao_sk, data_devolucao,
         cliente_sk, produto_sk, loja_sk, canal_sk, quantidade_devolvida AS quantidade, valor_devolvido
  FROM gold.fato_vendas WHERE valor_devolvido IS NOT NULL;
-- The pipeline's watermark of what gold holds (notebooks/sql/gold/07): the model's rollups are
-- rebuilt when it moves.
CREATE TABLE gold._watermarks AS SELECT 'fato_vendas' AS table_name, TIMESTAMP '2024-12-31 23:00:00' AS watermark;
`;

/** Test-only members the production model does not declare: every measure type and a one-to-many join. */
export const EXTRA_MODEL = `
cubes:
  - name: vendas_teste
    extends: fato_vendas
    measures:
      - { name: preco_medio, type: avg, sql: preco_unitario }
      - { name: preco_min, type: min, sql: preco_unitario }
      - { name: preco_max, type: max, sql: preco_unitario }
      - { name: pedidos_aprox, type: count_distinct_approx, sql: pedido_id }
      - { name: unidades_acumuladas, type: running_total, sql: quantidade }
      - { name: unidades_7d, type: sum, sql: quantidade, rolling_window: { trailing: 7 day } }
      - { name: unidades_ytd, type: sum, sql: quantidade, rolling_window: { type: to_date, granularity: year } }
      - { name: linhas_proximas_2_semanas, type: count, rolling_window: { trailing: unbounded, leading: 2 week }, filters: [{ sql: "{CUBE}.tipo_linha = 'venda'" }] }
  - name: clientes_teste
    sql_table: gold.dim_cliente
    joins:
      - { name: fato_vendas, relationship: one_to_many, sql: "{CUBE}.cliente_sk = {fato_vendas}.cliente_sk" }
    dimensions:
      - { name: cliente_sk, sql: cliente_sk, type: number, primary_key: true }
      - { name: segmento, sql: segmento, type: string }
      - { name: data_cadastro, sql: data_cadastro, type: time }
    measures:
      - { name: count, type: count }
      - { name: soma_sk, type: sum, sql: cliente_sk }
`;

export async function loadGoldDatabase(): Promise<DuckDBInstance> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(GOLD_SQL);
  connection.closeSync();
  return instance;
}

/**
 * The gold star schema in a DuckDB file of a fresh temp dir, for tests that start the real server.
 * The file is not named after the `gold` schema, which DuckDB would find ambiguous.
 */
export async function writeGoldDatabaseFile(prefix: string): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  const file = path.join(dir, 'lakehouse.duckdb');
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  await connection.run(GOLD_SQL);
  connection.closeSync();
  instance.closeSync();
  return { dir, file };
}

export async function loadGoldModel(): Promise<SemanticModel> {
  const files = await readModelFiles(MODEL_DIR);
  return compileModel([...files, { path: 'test/extras.yml', content: EXTRA_MODEL }]);
}
