-- silver.sales_orders: one header per sale (online order or store receipt), both channels alike,
-- with the status resolved. gold.dim_cliente (first purchase) and gold.fato_vendas (first-order flag)
-- both read it, so "first order" has one definition.
-- Rules (tests recompute from bronze with exactly these):
--   * online: status = the RDS status (silver.order_status) when its updated_at >= the ERP order's
--     updated_at, else the ERP status;
--   * store receipts: status 'delivered'; sold_at = earliest sold_at of the receipt's lines;
--     store_id / customer_id = the greatest non-null value among its lines (they agree in practice);
--   * is_valid = status not in ('cancelled', 'test'), the sale has a timestamp and at least one of its
--     lines is valid (silver.order_lines / silver.store_sales is_valid: an order whose lines were all
--     invalid or quarantined sold nothing); only valid sales count as purchases (first purchase,
--     first order);
--   * channel_id: the ERP channel for online orders, 'loja_fisica' for store receipts;
--   * incremental: headers whose order, status, order lines or receipt lines changed since the newest
--     _ingested_at already here are recomputed (their keys go to the work table
--     silver._sales_orders_afetados first, their new rows to silver._sales_orders_novos, which the
--     MERGE reads; both emptied at the end); _ingested_at = newest contributing row;
--   * full build (silver.sales_orders empty at the start): the headers are inserted straight from the
--     same query (temporary view sales_orders_recalculo), with no work table and no MERGE.
CREATE SCHEMA IF NOT EXISTS silver;

CREATE TABLE IF NOT EXISTS silver.sales_orders (
  origin STRING, order_id STRING, customer_id STRING, channel_id STRING, store_id STRING,
  order_ts TIMESTAMP, status STRING, order_discount DECIMAL(18,2), campaign_id STRING,
  is_valid BOOLEAN, _ingested_at TIMESTAMP);

CREATE TABLE IF NOT EXISTS silver._sales_orders_afetados (origin STRING, order_id STRING);

CREATE TABLE IF NOT EXISTS silver._sales_orders_novos (
  origin STRING, order_id STRING, customer_id STRING, channel_id STRING, store_id STRING,
  order_ts TIMESTAMP, status STRING, order_discount DECIMAL(18,2), campaign_id STRING,
  is_valid BOOLEAN, _ingested_at TIMESTAMP);

-- The run's path (internal, one row): completo = silver.sales_orders was empty when the run started
-- (full build); the view below computes only while calcular is true, so each of the two statements
-- that read it (the full build's INSERT, the incremental run's work table) runs on its own path only.
CREATE TABLE IF NOT EXISTS silver._sales_orders_modo (completo BOOLEAN, calcular BOOLEAN);

DELETE FROM silver._sales_orders_modo;

INSERT INTO silver._sales_orders_modo
SELECT count(*) = 0, count(*) = 0 FROM (SELECT order_id FROM silver.sales_orders LIMIT 1) x;

DELETE FROM silver._sales_orders_afetados;

-- The keys to recompute: the headers whose sources changed since the newest _ingested_at here. A
-- full build takes every order of silver.orders and every receipt instead (the same headers, with no
-- DISTINCT over every line; the gates have a row only on their own path, and the full build's
-- watermark is past every row).
INSERT INTO silver._sales_orders_afetados
WITH wm AS (
  SELECT CASE WHEN m.completo THEN TIMESTAMP '9999-12-31 00:00:00'
              ELSE (SELECT coalesce(max(_ingested_at), TIMESTAMP '1900-01-01 00:00:00') FROM silver.sales_orders) END AS wm
  FROM silver._sales_orders_modo m
),
full_build AS (
  SELECT true AS gate FROM silver._sales_orders_modo WHERE completo
)
SELECT DISTINCT origin, order_id FROM (
  SELECT 'erp' AS origin, o.order_id FROM silver.orders o CROSS JOIN wm WHERE o._ingested_at > wm.wm
  UNION ALL
  SELECT 'erp' AS origin, st.order_id FROM silver.order_status st CROSS JOIN wm WHERE st._ingested_at > wm.wm
  UNION ALL
  SELECT 'erp' AS origin, ol.order_id FROM silver.order_lines ol CROSS JOIN wm WHERE ol._ingested_at > wm.wm
  UNION ALL
  SELECT 'pos' AS origin, ss.receipt_id FROM silver.store_sales ss CROSS JOIN wm WHERE ss._ingested_at > wm.wm
) changed
UNION ALL
SELECT 'erp' AS origin, o.order_id FROM silver.orders o JOIN full_build g ON g.gate = (o.order_id IS NOT NULL)
UNION ALL
SELECT DISTINCT 'pos' AS origin, ss.receipt_id FROM silver.store_sales ss JOIN full_build g ON g.gate = (ss.receipt_id IS NOT NULL);

-- The affected headers computed afresh: the query is written once, as a view, and read by the full
-- build's INSERT or by the incremental run's work table (the MERGE joins a small table of known size).
CREATE OR REPLACE TEMPORARY VIEW sales_orders_recalculo AS
WITH affected AS (
  -- the gate has a row only while calcular is true; otherwise no key passes and every scan joined
  -- to the keys is skipped
  SELECT a.origin, a.order_id FROM silver._sales_orders_afetados a
  JOIN (SELECT true AS gate FROM silver._sales_orders_modo WHERE calcular) g ON g.gate = (a.order_id IS NOT NULL)
),
changed_erp AS (
  SELECT order_id FROM affected WHERE origin = 'erp'
),
erp_lines AS (
  SELECT ol.order_id, bool_or(ol.is_valid) AS has_valid_line, max(ol._ingested_at) AS _ingested_at
  FROM silver.order_lines ol JOIN changed_erp c ON c.order_id = ol.order_id
  GROUP BY ol.order_id
),
changed_pos AS (
  SELECT order_id AS receipt_id FROM affected WHERE origin = 'pos'
),
erp AS (
  SELECT 'erp' AS origin, o.order_id, o.customer_id, o.channel AS channel_id, o.store_id, o.order_ts,
         CASE WHEN st.updated_at IS NOT NULL AND st.updated_at >= o.updated_at THEN st.status
              ELSE o.status END AS status,
         o.order_discount, o.campaign_id, coalesce(el.has_valid_line, false) AS has_valid_line,
         greatest(o._ingested_at, coalesce(st._ingested_at, o._ingested_at),
                  coalesce(el._ingested_at, o._ingested_at)) AS _ingested_at
  FROM silver.orders o
  JOIN changed_erp c ON c.order_id = o.order_id
  LEFT JOIN silver.order_status st ON st.order_id = o.order_id
  LEFT JOIN erp_lines el ON el.order_id = o.order_id
),
pos AS (
  SELECT 'pos' AS origin, ss.receipt_id AS order_id, max(ss.customer_id) AS customer_id,
         'loja_fisica' AS channel_id, max(ss.store_id) AS store_id, min(ss.sold_at) AS order_ts,
         'delivered' AS status, CAST(0 AS DECIMAL(18,2)) AS order_discount,
         CAST(NULL AS STRING) AS campaign_id, bool_or(ss.is_valid) AS has_valid_line,
         max(ss._ingested_at) AS _ingested_at
  FROM silver.store_sales ss
  JOIN changed_pos c ON c.receipt_id = ss.receipt_id
  GROUP BY ss.receipt_id
),
unified AS (
  SELECT * FROM erp
  UNION ALL
  SELECT * FROM pos
)
SELECT origin, order_id, customer_id, channel_id, store_id, order_ts, status, order_discount,
       campaign_id,
       (coalesce(status, '') NOT IN ('cancelled', 'test') AND order_ts IS NOT NULL AND has_valid_line) AS is_valid,
       _ingested_at
FROM unified;

-- Full build: straight into the empty table (an INSERT, not a MERGE against nothing).
INSERT INTO silver.sales_orders
SELECT origin, order_id, customer_id, channel_id, store_id, order_ts, status, order_discount,
       campaign_id, is_valid, _ingested_at
FROM sales_orders_recalculo;

UPDATE silver._sales_orders_modo SET calcular = NOT completo;

-- Incremental run: the recomputed headers to the work table the MERGE reads (empty in a full build).
DELETE FROM silver._sales_orders_novos;

INSERT INTO silver._sales_orders_novos
SELECT origin, order_id, customer_id, channel_id, store_id, order_ts, status, order_discount,
       campaign_id, is_valid, _ingested_at
FROM sales_orders_recalculo;

MERGE INTO silver.sales_orders AS t
USING silver._sales_orders_novos AS s
ON t.origin = s.origin AND t.order_id = s.order_id
WHEN MATCHED THEN UPDATE SET
  customer_id = s.customer_id, channel_id = s.channel_id, store_id = s.store_id, order_ts = s.order_ts,
  status = s.status, order_discount = s.order_discount, campaign_id = s.campaign_id,
  is_valid = s.is_valid, _ingested_at = s._ingested_at
WHEN NOT MATCHED THEN INSERT
  (origin, order_id, customer_id, channel_id, store_id, order_ts, status, order_discount, campaign_id,
   is_valid, _ingested_at)
  VALUES (s.origin, s.order_id, s.customer_id, s.channel_id, s.store_id, s.order_ts, s.status,
          s.order_discount, s.campaign_id, s.is_valid, s._ingested_at);

-- silver.customer_first_sales: each customer's first valid sale (by order_ts, then origin, then
-- order_id), the "first purchase" / "first order" that gold.dim_cliente and gold.fato_vendas use, kept
-- up to date from the headers this run changed so gold never looks a customer up in the whole sales
-- history. A customer whose stored first sale is untouched keeps it unless a changed sale comes
-- first; only when the stored first sale itself got later, invalid or another customer's is that
-- customer's history read again. A customer who no longer has a valid sale keeps a row with NULLs.
-- _ingested_at = when the row last changed (the run's newest header), so gold recomputes only the
-- customers whose first sale moved. While the table is empty (first run, or a lakehouse built before
-- it existed) every customer's history is read.
CREATE TABLE IF NOT EXISTS silver.customer_first_sales (
  customer_id STRING, origin STRING, order_id STRING, order_ts TIMESTAMP, _ingested_at TIMESTAMP);

CREATE TABLE IF NOT EXISTS silver._customer_first_sales_novos (
  customer_id STRING, origin STRING, order_id STRING, order_ts TIMESTAMP, _ingested_at TIMESTAMP);

DELETE FROM silver._customer_first_sales_novos;

INSERT INTO silver._customer_first_sales_novos
WITH stored AS (
  SELECT f.customer_id, f.order_ts, n.customer_id AS new_customer_id, n.order_ts AS new_order_ts, n.is_valid
  FROM silver.customer_first_sales f
  JOIN silver._sales_orders_novos n ON n.origin = f.origin AND n.order_id = f.order_id
  WHERE f.customer_id IS NOT NULL
),
rescan AS (
  SELECT DISTINCT customer_id FROM stored
  WHERE NOT coalesce(is_valid AND new_customer_id = customer_id AND new_order_ts <= order_ts, false)
),
candidates AS (
  -- the run's customers' stored first sales that this run did not touch
  SELECT f.customer_id, f.origin, f.order_id, f.order_ts
  FROM silver.customer_first_sales f
  JOIN (SELECT DISTINCT customer_id FROM silver._sales_orders_novos) k ON k.customer_id = f.customer_id
  LEFT JOIN silver._sales_orders_novos n ON n.origin = f.origin AND n.order_id = f.order_id
  WHERE n.order_id IS NULL AND f.order_id IS NOT NULL
  UNION ALL
  -- the valid sales this run changed (while the table is empty the branch below reads them all)
  SELECT n.customer_id, n.origin, n.order_id, n.order_ts FROM silver._sales_orders_novos n
  JOIN (SELECT true AS gate FROM silver.customer_first_sales HAVING count(*) > 0) e ON e.gate = n.is_valid
  WHERE n.customer_id IS NOT NULL
  UNION ALL
  -- the whole history of customers whose first sale got later, invalid or another customer's
  SELECT so.customer_id, so.origin, so.order_id, so.order_ts
  FROM silver.sales_orders so JOIN rescan r ON r.customer_id = so.customer_id
  WHERE so.is_valid
  UNION ALL
  -- every customer while the table is empty (the gate has a row only then, so the scan is skipped)
  SELECT so.customer_id, so.origin, so.order_id, so.order_ts
  FROM silver.sales_orders so
  JOIN (SELECT true AS gate FROM silver.customer_first_sales HAVING count(*) = 0) e ON e.gate = so.is_valid
  WHERE so.customer_id IS NOT NULL
),
firsts AS (
  SELECT customer_id, origin, order_id, order_ts FROM (
    SELECT c.*, row_number() OVER (PARTITION BY c.customer_id ORDER BY c.order_ts, c.origin, c.order_id) AS rn
    FROM candidates c
  ) x WHERE rn = 1
),
touched AS (
  SELECT customer_id FROM silver._sales_orders_novos WHERE customer_id IS NOT NULL
  UNION
  SELECT customer_id FROM rescan
  UNION
  SELECT customer_id FROM firsts
),
run AS (
  SELECT coalesce((SELECT max(_ingested_at) FROM silver._sales_orders_novos),
                  (SELECT max(_ingested_at) FROM silver.sales_orders)) AS ingested_at
)
SELECT t.customer_id, fi.origin, fi.order_id, fi.order_ts, run.ingested_at
FROM touched t
LEFT JOIN firsts fi ON fi.customer_id = t.customer_id
CROSS JOIN run;

MERGE INTO silver.customer_first_sales AS t
USING silver._customer_first_sales_novos AS s
ON t.customer_id = s.customer_id
WHEN MATCHED AND (t.origin IS DISTINCT FROM s.origin OR t.order_id IS DISTINCT FROM s.order_id
                  OR t.order_ts IS DISTINCT FROM s.order_ts) THEN UPDATE SET
  origin = s.origin, order_id = s.order_id, order_ts = s.order_ts, _ingested_at = s._ingested_at
WHEN NOT MATCHED AND s.order_id IS NOT NULL THEN INSERT (customer_id, origin, order_id, order_ts, _ingested_at)
  VALUES (s.customer_id, s.origin, s.order_id, s.order_ts, s._ingested_at);

-- Emptied once merged: between runs the work tables hold nothing, so the next run's joins are
-- planned on their true size (DuckDB estimates a table by its last committed row count).
DELETE FROM silver._customer_first_sales_novos;

DELETE FROM silver._sales_orders_novos;

DELETE FROM silver._sales_orders_afetados;

DELETE FROM silver._sales_orders_modo;
