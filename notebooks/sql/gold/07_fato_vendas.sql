-- gold.fato_vendas: one row per sale line, online order lines (ERP) and store receipt lines (POS).
-- Rules (tests recompute totals from bronze with exactly these):
--   * a line is kept when it is valid in silver (quantity > 0, unit_price >= 0), its header exists in
--     silver.sales_orders with a timestamp, and the status is not 'test'. Cancelled orders are KEPT
--     with is_cancelado = true (metrics exclude them); invalid lines and test orders are left out;
--   * venda_id = origem || ':' || pedido_id || ':' || line_no; data_sk = yyyymmdd of data_venda;
--   * valor_bruto = preco_unitario × quantidade; desconto_linha = the line's own discount;
--   * desconto_pedido_rateado: the order-level discount split over the order's kept lines pro rata
--     to valor_bruto, in cents: each line gets floor(discount × gross / order gross); the cents left
--     over go one each to the lines with the largest gross (ties: lower line_no), so the shares add
--     up to the order discount exactly. Store receipts have no order-level discount;
--   * desconto_total = desconto_linha + desconto_pedido_rateado; valor_liquido = valor_bruto − desconto_total
--     (returns are NOT subtracted here: they are dated on the refund date, see valor_devolvido);
--   * quantidade_devolvida / valor_devolvido / data_devolucao: sum of the line's refunds with
--     refunded_at set and quantity > 0 (silver.returns), latest refund date; 0 / 0 / NULL without;
--   * is_primeiro_pedido: the order is the customer's earliest valid sale (silver.sales_orders.is_valid:
--     not cancelled/test and at least one valid line; any channel; ties by origin then id);
--   * tipo_cliente = 'nao_identificado' without customer id; on the first order 'novo', except
--     'sem_historico' when the order falls in the first 12 months of the sales history (months before
--     the month of the earliest valid sale + 12) and the customer signed up in the CRM before the
--     history starts (or is unknown to it): such a customer may have bought before the data we hold,
--     so "new" is not knowable; 'recorrente' otherwise (cancelled orders are 'recorrente'). Loading
--     sales older than the earliest one already here moves the history start: rebuild gold then;
--   * cliente_sk = the dim_cliente version valid at data_venda (version 1 for earlier sales); 0 for
--     anonymous receipts and customer ids unknown to the CRM. produto_sk / loja_sk / canal_sk /
--     campanha_sk = the dimension's key for the natural key, 0 when missing or unknown;
--   * incremental: orders whose header, lines, status or refunds changed since the last run (a moved
--     refund: its former order too), plus the orders whose first-order flag moves (the customer's
--     first order before and after, from silver.customer_first_sales and gold._primeiros_pedidos),
--     plus every order of customers changed
--     in the CRM (version and signup date may move), are recomputed and merged by venda_id; lines no
--     longer kept are deleted. The affected orders, customers and recomputed lines go to work tables
--     (gold._vendas_*, emptied by gold/08 at the end of the run) so every join reads a small table
--     and no step looks a customer up in the whole sales history;
--   * full build (gold.fato_vendas empty at the start): every order is affected and its lines are
--     inserted straight from the same query (temporary view fato_vendas_recalculo), with no
--     gold._vendas_cabecalhos / gold._vendas_linhas copy and no MERGE.
CREATE SCHEMA IF NOT EXISTS gold;

CREATE TABLE IF NOT EXISTS gold._watermarks (table_name STRING, watermark TIMESTAMP);

CREATE TABLE IF NOT EXISTS gold.fato_vendas (
  venda_id STRING, pedido_id STRING, origem STRING, data_sk INT, data_venda TIMESTAMP,
  cliente_sk BIGINT, produto_sk BIGINT, loja_sk BIGINT, canal_sk BIGINT, campanha_sk BIGINT,
  quantidade INT, preco_unitario DECIMAL(18,2), valor_bruto DECIMAL(18,2), desconto_linha DECIMAL(18,2),
  desconto_pedido_rateado DECIMAL(18,2), desconto_total DECIMAL(18,2), valor_liquido DECIMAL(18,2),
  status_pedido STRING, is_cancelado BOOLEAN, is_primeiro_pedido BOOLEAN, tipo_cliente STRING,
  quantidade_devolvida INT, valor_devolvido DECIMAL(18,2), data_devolucao TIMESTAMP);

-- Built by gold/08; created here because this step reads the sale line each refund points at.
CREATE TABLE IF NOT EXISTS gold.fato_devolucoes (
  devolucao_id STRING, venda_id STRING, data_devolucao_sk INT, data_devolucao TIMESTAMP,
  cliente_sk BIGINT, produto_sk BIGINT, loja_sk BIGINT, canal_sk BIGINT, quantidade INT,
  valor_devolvido DECIMAL(18,2));

-- Work tables of the incremental run (internal, emptied at the start of each run): the orders and
-- customers whose gold rows are recomputed. Materialized so each later join reads a small table.
CREATE TABLE IF NOT EXISTS gold._vendas_pedidos_afetados (origin STRING, order_id STRING);

CREATE TABLE IF NOT EXISTS gold._vendas_clientes_afetados (customer_id STRING, crm BOOLEAN);

CREATE TABLE IF NOT EXISTS gold._vendas_cabecalhos (
  origin STRING, order_id STRING, customer_id STRING, channel_id STRING, store_id STRING,
  order_ts TIMESTAMP, status STRING, order_discount DECIMAL(18,2), campaign_id STRING,
  is_valid BOOLEAN, _ingested_at TIMESTAMP);

-- The first order of each customer as fato_vendas flags it (is_primeiro_pedido): internal state, so
-- the run finds the order to unflag when a customer's first sale moves.
CREATE TABLE IF NOT EXISTS gold._primeiros_pedidos (customer_id STRING, origin STRING, order_id STRING);

-- The recomputed sale lines of an incremental run: fato_vendas's columns, plus _delete (the line is
-- no longer kept), so the column list has one owner.
CREATE TABLE IF NOT EXISTS gold._vendas_linhas AS
SELECT v.*, CAST(NULL AS BOOLEAN) AS _delete FROM gold.fato_vendas v WHERE false;

-- The run's path (internal, one row): completo = gold.fato_vendas was empty when the run started
-- (full build); the view fato_vendas_recalculo computes only while calcular is true, so each of the
-- two statements that read it (the full build's INSERT, the incremental run's work table) runs on
-- its own path only. gold/08 reads completo too.
CREATE TABLE IF NOT EXISTS gold._vendas_modo (completo BOOLEAN, calcular BOOLEAN);

DELETE FROM gold._vendas_modo;

INSERT INTO gold._vendas_modo
SELECT count(*) = 0, count(*) = 0 FROM (SELECT venda_id FROM gold.fato_vendas LIMIT 1) x;

DELETE FROM gold._vendas_pedidos_afetados;

-- Orders whose header, lines, status or refunds changed since the last run. A full build takes every
-- header of silver.sales_orders instead (a line is kept only under a header, and the table is empty,
-- so no other order can change it): no DISTINCT over every line (the gates have a row only on
-- their own path; the full build's watermark is past every row).
INSERT INTO gold._vendas_pedidos_afetados
WITH wm AS (
  SELECT CASE WHEN m.completo THEN TIMESTAMP '9999-12-31 00:00:00'
              ELSE (SELECT coalesce(max(watermark), TIMESTAMP '1900-01-01 00:00:00')
                    FROM gold._watermarks WHERE table_name = 'fato_vendas') END AS wm
  FROM gold._vendas_modo m
)
SELECT DISTINCT origin, order_id FROM (
  SELECT so.origin, so.order_id FROM silver.sales_orders so CROSS JOIN wm WHERE so._ingested_at > wm.wm
  UNION ALL
  SELECT 'erp' AS origin, ol.order_id FROM silver.order_lines ol CROSS JOIN wm WHERE ol._ingested_at > wm.wm
  UNION ALL
  SELECT 'pos' AS origin, ss.receipt_id FROM silver.store_sales ss CROSS JOIN wm WHERE ss._ingested_at > wm.wm
  UNION ALL
  SELECT r.source_system AS origin, r.order_id FROM silver.returns r CROSS JOIN wm WHERE r._ingested_at > wm.wm
  UNION ALL
  -- The sale line a changed refund pointed at until now (gold.fato_devolucoes keeps it until gold/08
  -- runs): a refund moved to another line must leave the old line's refund totals too. venda_id is
  -- origin:order_id:line_no; the order id is what lies between the first and the last colon.
  SELECT substring(d.venda_id, 1, instr(d.venda_id, ':') - 1) AS origin,
         substring(d.venda_id, instr(d.venda_id, ':') + 1,
                   length(d.venda_id) - instr(reverse(d.venda_id), ':') - instr(d.venda_id, ':')) AS order_id
  FROM gold.fato_devolucoes d
  JOIN silver.returns r ON r.return_id = d.devolucao_id
  CROSS JOIN wm WHERE r._ingested_at > wm.wm
) changed
UNION ALL
SELECT so.origin, so.order_id FROM silver.sales_orders so
JOIN (SELECT true AS gate FROM gold._vendas_modo WHERE completo) g ON g.gate = (so.order_id IS NOT NULL);

DELETE FROM gold._vendas_clientes_afetados;

-- Customers whose first sale moved (silver.customer_first_sales: is_primeiro_pedido and tipo_cliente
-- move with it) and customers changed in the CRM (crm: the version each of their sales points at and
-- their signup date may move).
INSERT INTO gold._vendas_clientes_afetados
SELECT customer_id, bool_or(crm) AS crm FROM (
  SELECT f.customer_id, false AS crm FROM silver.customer_first_sales f
  WHERE f._ingested_at > (SELECT coalesce(max(watermark), TIMESTAMP '1900-01-01 00:00:00')
                          FROM gold._watermarks WHERE table_name = 'fato_vendas')
  UNION ALL
  SELECT cv.customer_id, true AS crm FROM silver.customer_versions cv
  WHERE cv._ingested_at > (SELECT coalesce(max(watermark), TIMESTAMP '1900-01-01 00:00:00')
                           FROM gold._watermarks WHERE table_name = 'fato_vendas')
) x
GROUP BY customer_id;

-- Beyond the changed orders, a sale line changes only when its customer's first order moves (the
-- new first order, and the old one as gold flagged it in gold._primeiros_pedidos) or its customer
-- changed in the CRM (every order: cliente_sk, tipo_cliente). While gold._primeiros_pedidos is empty
-- over a built fato_vendas (a lakehouse built before it existed), every flagged order is recomputed
-- (the gate has a row only then, so the scan is skipped otherwise).
INSERT INTO gold._vendas_pedidos_afetados
SELECT origin, order_id FROM (
  SELECT so.origin, so.order_id FROM silver.sales_orders so
  JOIN gold._vendas_clientes_afetados ac ON ac.customer_id = so.customer_id
  WHERE ac.crm
  UNION ALL
  SELECT f.origin, f.order_id FROM silver.customer_first_sales f
  JOIN gold._vendas_clientes_afetados ac ON ac.customer_id = f.customer_id
  WHERE f.order_id IS NOT NULL
  UNION ALL
  SELECT p.origin, p.order_id FROM gold._primeiros_pedidos p
  JOIN gold._vendas_clientes_afetados ac ON ac.customer_id = p.customer_id
  UNION ALL
  SELECT t.origem AS origin, t.pedido_id AS order_id FROM gold.fato_vendas t
  JOIN (SELECT true AS gate FROM gold._primeiros_pedidos HAVING count(*) = 0) e ON e.gate = t.is_primeiro_pedido
) x
EXCEPT
SELECT origin, order_id FROM gold._vendas_pedidos_afetados;

-- The affected orders' headers, materialized so the joins below (dim_cliente's versions above all)
-- are planned on their true, small size. Incremental run only: a full build reads every header of
-- silver.sales_orders (each gate has a row only on its path, so the other scan is skipped).
DELETE FROM gold._vendas_cabecalhos;

INSERT INTO gold._vendas_cabecalhos
SELECT h.origin, h.order_id, h.customer_id, h.channel_id, h.store_id, h.order_ts, h.status,
       h.order_discount, h.campaign_id, h.is_valid, h._ingested_at
FROM silver.sales_orders h
JOIN gold._vendas_pedidos_afetados a ON a.origin = h.origin AND a.order_id = h.order_id
JOIN (SELECT true AS gate FROM gold._vendas_modo WHERE NOT completo) g ON g.gate = (a.order_id IS NOT NULL);

-- The affected orders' sale lines computed afresh (_delete: no longer kept), written once as a view
-- read by the full build's INSERT or by the incremental run's work table.
CREATE OR REPLACE TEMPORARY VIEW fato_vendas_recalculo AS
WITH gate AS (
  -- one row only while calcular is true; otherwise no key passes and every scan joined to the keys
  -- is skipped
  SELECT true AS gate FROM gold._vendas_modo WHERE calcular
),
affected_orders AS (
  SELECT a.origin, a.order_id FROM gold._vendas_pedidos_afetados a
  JOIN gate g ON g.gate = (a.order_id IS NOT NULL)
),
headers_incremental AS (
  SELECT h.origin, h.order_id, h.customer_id, h.channel_id, h.store_id, h.order_ts, h.status,
         h.order_discount, h.campaign_id, h.is_valid
  FROM gold._vendas_cabecalhos h
  JOIN gate g ON g.gate = (h.order_id IS NOT NULL)
),
full_build_gate AS (
  SELECT true AS gate FROM gold._vendas_modo WHERE calcular AND completo
),
headers_full_build AS (
  -- a full build reads the affected (= all) headers from silver.sales_orders; on the incremental
  -- path the gate is empty and the scan is skipped
  SELECT so.origin, so.order_id, so.customer_id, so.channel_id, so.store_id, so.order_ts, so.status,
         so.order_discount, so.campaign_id, so.is_valid
  FROM gold._vendas_pedidos_afetados a
  JOIN full_build_gate g ON g.gate = (a.order_id IS NOT NULL)
  JOIN silver.sales_orders so ON so.origin = a.origin AND so.order_id = a.order_id
),
headers AS (
  SELECT * FROM headers_incremental
  UNION ALL
  SELECT * FROM headers_full_build
),
history_start AS (
  SELECT min(so.order_ts) AS first_ts,
         year(min(so.order_ts)) * 12 + month(min(so.order_ts)) - 1 + 12 AS known_from_month
  FROM silver.sales_orders so JOIN gate g ON g.gate = so.is_valid
),
first_orders AS (
  SELECT f.origin, f.order_id, f.customer_id FROM silver.customer_first_sales f
  JOIN affected_orders a ON a.origin = f.origin AND a.order_id = f.order_id
),
signups AS (
  SELECT cv.customer_id, min(cv.signup_date) AS signup_date
  FROM silver.customer_versions cv JOIN (SELECT DISTINCT customer_id FROM first_orders) fo ON fo.customer_id = cv.customer_id
  GROUP BY cv.customer_id
),
lines AS (
  SELECT 'erp' AS origin, ol.order_id, ol.line_no, ol.product_id, ol.quantity, ol.unit_price,
         ol.line_discount, ol.is_valid
  FROM silver.order_lines ol JOIN affected_orders a ON a.origin = 'erp' AND a.order_id = ol.order_id
  UNION ALL
  SELECT 'pos' AS origin, ss.receipt_id, ss.line_no, ss.product_id, ss.quantity, ss.unit_price,
         ss.discount, ss.is_valid
  FROM silver.store_sales ss JOIN affected_orders a ON a.origin = 'pos' AND a.order_id = ss.receipt_id
),
joined AS (
  SELECT l.*, h.customer_id, h.channel_id, h.store_id, h.order_ts, h.status, h.order_discount,
         h.campaign_id,
         (l.is_valid AND h.order_id IS NOT NULL AND h.order_ts IS NOT NULL
          AND coalesce(h.status, '') <> 'test') AS keep
  FROM lines l
  LEFT JOIN headers h ON h.origin = l.origin AND h.order_id = l.order_id
),
cents AS (
  SELECT j.*,
         CASE WHEN j.keep THEN CAST(j.unit_price * 100 AS BIGINT) * j.quantity ELSE 0 END AS bruto_c,
         CASE WHEN j.keep THEN CAST(j.order_discount * 100 AS BIGINT) ELSE 0 END AS desconto_pedido_c
  FROM joined j
),
shares AS (
  SELECT c.*,
         sum(c.bruto_c) OVER (PARTITION BY c.origin, c.order_id, c.keep) AS pedido_bruto_c,
         row_number() OVER (PARTITION BY c.origin, c.order_id, c.keep ORDER BY c.bruto_c DESC, c.line_no) AS ordem
  FROM cents c
),
floored AS (
  SELECT s.*,
         CASE WHEN s.pedido_bruto_c > 0
              THEN CAST(floor(CAST(s.desconto_pedido_c AS DOUBLE) * s.bruto_c / s.pedido_bruto_c) AS BIGINT)
              ELSE CAST(0 AS BIGINT) END AS base_c
  FROM shares s
),
allocated AS (
  SELECT f.*,
         f.base_c + CASE WHEN f.pedido_bruto_c > 0
                          AND f.ordem <= f.desconto_pedido_c - sum(f.base_c) OVER (PARTITION BY f.origin, f.order_id, f.keep)
                         THEN 1 ELSE 0 END AS rateio_c
  FROM floored f
),
refunds AS (
  SELECT r.source_system AS origin, r.order_id, r.line_no, CAST(sum(r.quantity) AS INT) AS quantidade_devolvida,
         CAST(sum(coalesce(r.refund_amount, 0)) AS DECIMAL(18,2)) AS valor_devolvido,
         max(r.refunded_at) AS data_devolucao
  FROM silver.returns r JOIN affected_orders a ON a.origin = r.source_system AND a.order_id = r.order_id
  WHERE r.refunded_at IS NOT NULL AND r.quantity > 0
  GROUP BY r.source_system, r.order_id, r.line_no
),
customer_versions AS (
  -- one join per path, so the incremental one is planned on the small work table (never hashing
  -- dim_cliente) and the full build's dim_cliente scan is gated like its headers
  SELECT h.origin, h.order_id, d.cliente_sk
  FROM headers_incremental h
  JOIN gold.dim_cliente d ON d.cliente_id = h.customer_id
   AND (d.versao = 1 OR d.valido_de <= h.order_ts)
   AND (d.valido_ate IS NULL OR h.order_ts < d.valido_ate)
  UNION ALL
  SELECT h.origin, h.order_id, d.cliente_sk
  FROM headers_full_build h
  JOIN (SELECT dc.cliente_sk, dc.cliente_id, dc.versao, dc.valido_de, dc.valido_ate
        FROM gold.dim_cliente dc JOIN full_build_gate g ON g.gate = (dc.cliente_id IS NOT NULL)) d
    ON d.cliente_id = h.customer_id
   AND (d.versao = 1 OR d.valido_de <= h.order_ts)
   AND (d.valido_ate IS NULL OR h.order_ts < d.valido_ate)
),
priced AS (
  SELECT a.origin || ':' || a.order_id || ':' || CAST(a.line_no AS STRING) AS venda_id,
         a.order_id AS pedido_id, a.origin AS origem,
         CAST(year(a.order_ts) * 10000 + month(a.order_ts) * 100 + day(a.order_ts) AS INT) AS data_sk,
         a.order_ts AS data_venda,
         coalesce(cv.cliente_sk, CAST(0 AS BIGINT)) AS cliente_sk,
         coalesce(p.produto_sk, CAST(0 AS BIGINT)) AS produto_sk,
         coalesce(lj.loja_sk, CAST(0 AS BIGINT)) AS loja_sk,
         coalesce(cn.canal_sk, CAST(0 AS BIGINT)) AS canal_sk,
         coalesce(cp.campanha_sk, CAST(0 AS BIGINT)) AS campanha_sk,
         a.quantity AS quantidade, a.unit_price AS preco_unitario,
         CAST(a.unit_price * a.quantity AS DECIMAL(18,2)) AS valor_bruto,
         CAST(a.line_discount AS DECIMAL(18,2)) AS desconto_linha,
         CAST(CAST(a.rateio_c AS DECIMAL(18,2)) * 0.01 AS DECIMAL(18,2)) AS desconto_pedido_rateado,
         a.status AS status_pedido,
         coalesce(a.status, '') = 'cancelled' AS is_cancelado,
         fo.order_id IS NOT NULL AS is_primeiro_pedido,
         CASE WHEN a.customer_id IS NULL THEN 'nao_identificado'
              WHEN fo.order_id IS NULL THEN 'recorrente'
              WHEN year(a.order_ts) * 12 + month(a.order_ts) - 1 < hs.known_from_month
                   AND (su.signup_date IS NULL OR su.signup_date < CAST(hs.first_ts AS DATE)) THEN 'sem_historico'
              ELSE 'novo' END AS tipo_cliente,
         coalesce(rf.quantidade_devolvida, 0) AS quantidade_devolvida,
         coalesce(rf.valor_devolvido, CAST(0 AS DECIMAL(18,2))) AS valor_devolvido,
         rf.data_devolucao,
         NOT a.keep AS _delete
  FROM allocated a
  LEFT JOIN customer_versions cv ON cv.origin = a.origin AND cv.order_id = a.order_id
  LEFT JOIN gold.dim_produto p ON p.produto_id = a.product_id
  LEFT JOIN gold.dim_loja lj ON lj.loja_id = a.store_id
  LEFT JOIN gold.dim_canal cn ON cn.canal_id = a.channel_id
  LEFT JOIN gold.dim_campanha cp ON cp.campanha_id = a.campaign_id
  LEFT JOIN first_orders fo ON fo.origin = a.origin AND fo.order_id = a.order_id
  LEFT JOIN signups su ON su.customer_id = fo.customer_id
  CROSS JOIN history_start hs
  LEFT JOIN refunds rf ON rf.origin = a.origin AND rf.order_id = a.order_id AND rf.line_no = a.line_no
)
SELECT venda_id, pedido_id, origem, data_sk, data_venda, cliente_sk, produto_sk, loja_sk, canal_sk,
       campanha_sk, quantidade, preco_unitario, valor_bruto, desconto_linha, desconto_pedido_rateado,
       CAST(desconto_linha + desconto_pedido_rateado AS DECIMAL(18,2)) AS desconto_total,
       CAST(valor_bruto - desconto_linha - desconto_pedido_rateado AS DECIMAL(18,2)) AS valor_liquido,
       status_pedido, is_cancelado, is_primeiro_pedido, tipo_cliente, quantidade_devolvida,
       valor_devolvido, data_devolucao, _delete
FROM priced;

-- Full build: the kept lines straight into the empty table (an INSERT, not a MERGE against nothing).
INSERT INTO gold.fato_vendas
SELECT venda_id, pedido_id, origem, data_sk, data_venda, cliente_sk, produto_sk, loja_sk, canal_sk,
       campanha_sk, quantidade, preco_unitario, valor_bruto, desconto_linha, desconto_pedido_rateado,
       desconto_total, valor_liquido, status_pedido, is_cancelado, is_primeiro_pedido, tipo_cliente,
       quantidade_devolvida, valor_devolvido, data_devolucao
FROM fato_vendas_recalculo
WHERE NOT _delete;

UPDATE gold._vendas_modo SET calcular = NOT completo;

-- Incremental run: the recomputed lines to the work table (empty in a full build), so the MERGE
-- below joins a small table of known size and gold/08 reads the refunds' sale lines here.
DELETE FROM gold._vendas_linhas;

INSERT INTO gold._vendas_linhas
SELECT * FROM fato_vendas_recalculo;

-- Merged by venda_id: lines no longer kept are deleted.
MERGE INTO gold.fato_vendas AS t
USING gold._vendas_linhas AS s
ON t.venda_id = s.venda_id
WHEN MATCHED AND s._delete THEN DELETE
WHEN MATCHED THEN UPDATE SET
  pedido_id = s.pedido_id, origem = s.origem, data_sk = s.data_sk, data_venda = s.data_venda,
  cliente_sk = s.cliente_sk, produto_sk = s.produto_sk, loja_sk = s.loja_sk, canal_sk = s.canal_sk,
  campanha_sk = s.campanha_sk, quantidade = s.quantidade, preco_unitario = s.preco_unitario,
  valor_bruto = s.valor_bruto, desconto_linha = s.desconto_linha,
  desconto_pedido_rateado = s.desconto_pedido_rateado, desconto_total = s.desconto_total,
  valor_liquido = s.valor_liquido, status_pedido = s.status_pedido, is_cancelado = s.is_cancelado,
  is_primeiro_pedido = s.is_primeiro_pedido, tipo_cliente = s.tipo_cliente,
  quantidade_devolvida = s.quantidade_devolvida, valor_devolvido = s.valor_devolvido,
  data_devolucao = s.data_devolucao
WHEN NOT MATCHED AND NOT s._delete THEN INSERT
  (venda_id, pedido_id, origem, data_sk, data_venda, cliente_sk, produto_sk, loja_sk, canal_sk,
   campanha_sk, quantidade, preco_unitario, valor_bruto, desconto_linha, desconto_pedido_rateado,
   desconto_total, valor_liquido, status_pedido, is_cancelado, is_primeiro_pedido, tipo_cliente,
   quantidade_devolvida, valor_devolvido, data_devolucao)
  VALUES (s.venda_id, s.pedido_id, s.origem, s.data_sk, s.data_venda, s.cliente_sk, s.produto_sk,
          s.loja_sk, s.canal_sk, s.campanha_sk, s.quantidade, s.preco_unitario, s.valor_bruto,
          s.desconto_linha, s.desconto_pedido_rateado, s.desconto_total, s.valor_liquido,
          s.status_pedido, s.is_cancelado, s.is_primeiro_pedido, s.tipo_cliente,
          s.quantidade_devolvida, s.valor_devolvido, s.data_devolucao);

-- The first orders as now flagged, for the customers whose first sale moved or who changed in the CRM.
MERGE INTO gold._primeiros_pedidos AS t
USING (
  SELECT ac.customer_id, f.origin, f.order_id
  FROM gold._vendas_clientes_afetados ac
  LEFT JOIN silver.customer_first_sales f ON f.customer_id = ac.customer_id
) AS s
ON t.customer_id = s.customer_id
WHEN MATCHED AND s.order_id IS NULL THEN DELETE
WHEN MATCHED AND (t.origin IS DISTINCT FROM s.origin OR t.order_id IS DISTINCT FROM s.order_id) THEN UPDATE SET
  origin = s.origin, order_id = s.order_id
WHEN NOT MATCHED AND s.order_id IS NOT NULL THEN INSERT (customer_id, origin, order_id)
  VALUES (s.customer_id, s.origin, s.order_id);

MERGE INTO gold._watermarks AS t
USING (
  SELECT 'fato_vendas' AS table_name,
         greatest(coalesce((SELECT max(_ingested_at) FROM silver.sales_orders), TIMESTAMP '1900-01-01 00:00:00'),
                  coalesce((SELECT max(_ingested_at) FROM silver.order_lines), TIMESTAMP '1900-01-01 00:00:00'),
                  coalesce((SELECT max(_ingested_at) FROM silver.store_sales), TIMESTAMP '1900-01-01 00:00:00'),
                  coalesce((SELECT max(_ingested_at) FROM silver.returns), TIMESTAMP '1900-01-01 00:00:00'),
                  coalesce((SELECT max(_ingested_at) FROM silver.customer_versions), TIMESTAMP '1900-01-01 00:00:00')) AS watermark
) AS s
ON t.table_name = s.table_name
WHEN MATCHED THEN UPDATE SET watermark = s.watermark
WHEN NOT MATCHED THEN INSERT (table_name, watermark) VALUES (s.table_name, s.watermark);
