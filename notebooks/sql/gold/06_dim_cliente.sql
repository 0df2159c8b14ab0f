-- gold.dim_cliente: customers, SCD type 2 over silver.customer_versions.
-- Rules (tests recompute from bronze with exactly these):
--   * a new version starts on each CRM day-version whose attributes (nome, email, cidade, estado,
--     segmento, data_nascimento, data_cadastro) differ from the previous version; unchanged days
--     are folded into the version before;
--   * versao = 1, 2, ... in updated_at order; valido_de = the version's updated_at; valido_ate = the
--     next version's valido_de, NULL while current; is_atual = (valido_ate IS NULL);
--     fato_vendas treats version 1 as valid for sales before its valido_de too;
--   * cliente_sk = md5-based key (see 02_dim_canal.sql) of customer_id || ':' || versao;
--   * primeira_compra_data = date of the customer's earliest valid sale (silver.sales_orders, online
--     or store, not cancelled/test; kept per customer in silver.customer_first_sales), the same on
--     every version; NULL before the first purchase;
--   * row 0 is "Não identificado" (anonymous store receipts, customer ids unknown to the CRM);
--   * incremental: only customers whose CRM rows or first sale (silver.customer_first_sales) changed
--     since the last run (watermark in gold._watermarks) are recomputed; versions that no longer exist are deleted, and of the
--     recomputed versions only new or changed ones are written (an update costs far more than a read).
CREATE SCHEMA IF NOT EXISTS gold;

CREATE TABLE IF NOT EXISTS gold._watermarks (table_name STRING, watermark TIMESTAMP);

CREATE TABLE IF NOT EXISTS gold.dim_cliente (
  cliente_sk BIGINT, cliente_id STRING, nome STRING, email STRING, cidade STRING, estado STRING,
  segmento STRING, data_nascimento DATE, data_cadastro DATE, primeira_compra_data DATE,
  valido_de TIMESTAMP, valido_ate TIMESTAMP, is_atual BOOLEAN, versao INT);

-- Work table (emptied at the end): the customers this run recomputes, materialized so the joins
-- below are planned on their true, small size.
CREATE TABLE IF NOT EXISTS gold._dim_cliente_afetados (customer_id STRING);

DELETE FROM gold._dim_cliente_afetados;

INSERT INTO gold._dim_cliente_afetados
WITH wm AS (
  SELECT coalesce(max(watermark), TIMESTAMP '1900-01-01 00:00:00') AS wm
  FROM gold._watermarks WHERE table_name = 'dim_cliente'
)
SELECT cv.customer_id FROM silver.customer_versions cv CROSS JOIN wm WHERE cv._ingested_at > wm.wm
UNION
SELECT f.customer_id FROM silver.customer_first_sales f CROSS JOIN wm WHERE f._ingested_at > wm.wm;

MERGE INTO gold.dim_cliente AS t
USING (
  WITH affected AS (
    SELECT customer_id FROM gold._dim_cliente_afetados
  ),
  first_purchase AS (
    SELECT f.customer_id, CAST(f.order_ts AS DATE) AS primeira_compra_data
    FROM silver.customer_first_sales f JOIN affected a ON a.customer_id = f.customer_id
  ),
  ordered AS (
    SELECT cv.*,
           row_number() OVER (PARTITION BY cv.customer_id ORDER BY cv.updated_at) AS pos,
           lag(cv.name) OVER (PARTITION BY cv.customer_id ORDER BY cv.updated_at) AS p_name,
           lag(cv.email) OVER (PARTITION BY cv.customer_id ORDER BY cv.updated_at) AS p_email,
           lag(cv.city) OVER (PARTITION BY cv.customer_id ORDER BY cv.updated_at) AS p_city,
           lag(cv.state) OVER (PARTITION BY cv.customer_id ORDER BY cv.updated_at) AS p_state,
           lag(cv.segment) OVER (PARTITION BY cv.customer_id ORDER BY cv.updated_at) AS p_segment,
           lag(cv.birth_date) OVER (PARTITION BY cv.customer_id ORDER BY cv.updated_at) AS p_birth_date,
           lag(cv.signup_date) OVER (PARTITION BY cv.customer_id ORDER BY cv.updated_at) AS p_signup_date
    FROM silver.customer_versions cv JOIN affected a ON a.customer_id = cv.customer_id
  ),
  changes AS (
    SELECT * FROM ordered
    WHERE pos = 1 OR name IS DISTINCT FROM p_name OR email IS DISTINCT FROM p_email
       OR city IS DISTINCT FROM p_city OR state IS DISTINCT FROM p_state
       OR segment IS DISTINCT FROM p_segment OR birth_date IS DISTINCT FROM p_birth_date
       OR signup_date IS DISTINCT FROM p_signup_date
  ),
  numbered AS (
    SELECT c.*,
           CAST(row_number() OVER (PARTITION BY c.customer_id ORDER BY c.updated_at) AS INT) AS versao,
           lead(c.updated_at) OVER (PARTITION BY c.customer_id ORDER BY c.updated_at) AS valido_ate,
           md5(c.customer_id || ':' || CAST(row_number() OVER (PARTITION BY c.customer_id ORDER BY c.updated_at) AS STRING)) AS h
    FROM changes c
  ),
  fresh AS (
    SELECT (CAST(instr('0123456789abcdef', substr(h, 1, 1)) - 1 AS BIGINT) * 72057594037927936
      + CAST(instr('0123456789abcdef', substr(h, 2, 1)) - 1 AS BIGINT) * 4503599627370496
      + CAST(instr('0123456789abcdef', substr(h, 3, 1)) - 1 AS BIGINT) * 281474976710656
      + CAST(instr('0123456789abcdef', substr(h, 4, 1)) - 1 AS BIGINT) * 17592186044416
      + CAST(instr('0123456789abcdef', substr(h, 5, 1)) - 1 AS BIGINT) * 1099511627776
      + CAST(instr('0123456789abcdef', substr(h, 6, 1)) - 1 AS BIGINT) * 68719476736
      + CAST(instr('0123456789abcdef', substr(h, 7, 1)) - 1 AS BIGINT) * 4294967296
      + CAST(instr('0123456789abcdef', substr(h, 8, 1)) - 1 AS BIGINT) * 268435456
      + CAST(instr('0123456789abcdef', substr(h, 9, 1)) - 1 AS BIGINT) * 16777216
      + CAST(instr('0123456789abcdef', substr(h, 10, 1)) - 1 AS BIGINT) * 1048576
      + CAST(instr('0123456789abcdef', substr(h, 11, 1)) - 1 AS BIGINT) * 65536
      + CAST(instr('0123456789abcdef', substr(h, 12, 1)) - 1 AS BIGINT) * 4096
      + CAST(instr('0123456789abcdef', substr(h, 13, 1)) - 1 AS BIGINT) * 256
      + CAST(instr('0123456789abcdef', substr(h, 14, 1)) - 1 AS BIGINT) * 16
      + CAST(instr('0123456789abcdef', substr(h, 15, 1)) - 1 AS BIGINT)) AS cliente_sk, n.customer_id AS cliente_id, n.name AS nome, n.email,
           n.city AS cidade, n.state AS estado, n.segment AS segmento,
           n.birth_date AS data_nascimento, n.signup_date AS data_cadastro, fp.primeira_compra_data,
           n.updated_at AS valido_de, n.valido_ate, n.valido_ate IS NULL AS is_atual, n.versao,
           false AS _delete
    FROM numbered n LEFT JOIN first_purchase fp ON fp.customer_id = n.customer_id
  ),
  fresh_all AS (
    SELECT * FROM fresh
    UNION ALL
    SELECT CAST(0 AS BIGINT), 'nao_identificado', 'Não identificado', CAST(NULL AS STRING),
           CAST(NULL AS STRING), CAST(NULL AS STRING), CAST(NULL AS STRING), CAST(NULL AS DATE),
           CAST(NULL AS DATE), CAST(NULL AS DATE), TIMESTAMP '1900-01-01 00:00:00',
           CAST(NULL AS TIMESTAMP), true, 0, false
  ),
  current_rows AS (
    SELECT d.* FROM gold.dim_cliente d JOIN affected a ON a.customer_id = d.cliente_id
    UNION ALL
    SELECT d.* FROM gold.dim_cliente d WHERE d.cliente_sk = 0
  ),
  stale AS (
    SELECT c.cliente_sk, c.cliente_id, c.nome, c.email, c.cidade, c.estado, c.segmento,
           c.data_nascimento, c.data_cadastro, c.primeira_compra_data, c.valido_de, c.valido_ate,
           c.is_atual, c.versao, true AS _delete
    FROM current_rows c
    LEFT JOIN fresh_all f ON f.cliente_sk = c.cliente_sk
    WHERE f.cliente_sk IS NULL
  )
  -- Only versions that are new, changed or gone reach the MERGE: unchanged rows are never rewritten.
  SELECT f.* FROM fresh_all f
  LEFT JOIN current_rows c ON c.cliente_sk = f.cliente_sk
  WHERE c.cliente_sk IS NULL
     OR c.cliente_id IS DISTINCT FROM f.cliente_id OR c.nome IS DISTINCT FROM f.nome
     OR c.email IS DISTINCT FROM f.email OR c.cidade IS DISTINCT FROM f.cidade
     OR c.estado IS DISTINCT FROM f.estado OR c.segmento IS DISTINCT FROM f.segmento
     OR c.data_nascimento IS DISTINCT FROM f.data_nascimento
     OR c.data_cadastro IS DISTINCT FROM f.data_cadastro
     OR c.primeira_compra_data IS DISTINCT FROM f.primeira_compra_data
     OR c.valido_de IS DISTINCT FROM f.valido_de OR c.valido_ate IS DISTINCT FROM f.valido_ate
     OR c.is_atual IS DISTINCT FROM f.is_atual OR c.versao IS DISTINCT FROM f.versao
  UNION ALL
  SELECT * FROM stale
) AS s
ON t.cliente_sk = s.cliente_sk
WHEN MATCHED AND s._delete THEN DELETE
WHEN MATCHED THEN UPDATE SET
  cliente_id = s.cliente_id, nome = s.nome, email = s.email, cidade = s.cidade, estado = s.estado,
  segmento = s.segmento, data_nascimento = s.data_nascimento, data_cadastro = s.data_cadastro,
  primeira_compra_data = s.primeira_compra_data, valido_de = s.valido_de, valido_ate = s.valido_ate,
  is_atual = s.is_atual, versao = s.versao
WHEN NOT MATCHED AND NOT s._delete THEN INSERT
  (cliente_sk, cliente_id, nome, email, cidade, estado, segmento, data_nascimento, data_cadastro,
   primeira_compra_data, valido_de, valido_ate, is_atual, versao)
  VALUES (s.cliente_sk, s.cliente_id, s.nome, s.email, s.cidade, s.estado, s.segmento,
          s.data_nascimento, s.data_cadastro, s.primeira_compra_data, s.valido_de, s.valido_ate,
          s.is_atual, s.versao);

MERGE INTO gold._watermarks AS t
USING (
  SELECT 'dim_cliente' AS table_name,
         greatest(coalesce((SELECT max(_ingested_at) FROM silver.customer_versions), TIMESTAMP '1900-01-01 00:00:00'),
                  coalesce((SELECT max(_ingested_at) FROM silver.sales_orders), TIMESTAMP '1900-01-01 00:00:00')) AS watermark
) AS s
ON t.table_name = s.table_name
WHEN MATCHED THEN UPDATE SET watermark = s.watermark
WHEN NOT MATCHED THEN INSERT (table_name, watermark) VALUES (s.table_name, s.watermark);

DELETE FROM gold._dim_cliente_afetados;
