-- silver.order_lines: the current version of each online order line, with a validity flag.
-- Rules (tests recompute from bronze with exactly these):
--   * rows without order_id or line_no dropped; product_id trimmed; missing line_discount → 0;
--   * the latest updated_at wins per (order_id, line_no) (exact duplicates collapse), ties to the
--     latest _ingested_at;
--   * is_valid = false, with invalid_reason, when quantity is NULL or <= 0 ('quantidade_invalida')
--     or unit_price is NULL or < 0 ('preco_invalido'); invalid lines stay here for audit and are
--     excluded from gold.fato_vendas. Unknown product ids are NOT invalid: gold keeps the line and
--     points it at produto_sk 0;
--   * incremental by _ingested_at.
CREATE SCHEMA IF NOT EXISTS silver;

CREATE TABLE IF NOT EXISTS silver.order_lines (
  order_id STRING, line_no INT, product_id STRING, quantity INT, unit_price DECIMAL(18,2),
  line_discount DECIMAL(18,2), is_valid BOOLEAN, invalid_reason STRING, updated_at TIMESTAMP,
  _ingested_at TIMESTAMP);

MERGE INTO silver.order_lines AS t
USING (
  SELECT order_id, line_no, product_id, quantity, unit_price, line_discount,
         CASE WHEN quantity IS NULL OR quantity <= 0 THEN false
              WHEN unit_price IS NULL OR unit_price < 0 THEN false
              ELSE true END AS is_valid,
         CASE WHEN quantity IS NULL OR quantity <= 0 THEN 'quantidade_invalida'
              WHEN unit_price IS NULL OR unit_price < 0 THEN 'preco_invalido' END AS invalid_reason,
         updated_at, _ingested_at
  FROM (
    SELECT x.*, row_number() OVER (
             PARTITION BY order_id, line_no
             ORDER BY updated_at DESC, _ingested_at DESC, product_id, quantity, unit_price, line_discount) AS rn
    FROM (
      SELECT trim(b.order_id) AS order_id, b.line_no, nullif(trim(b.product_id), '') AS product_id,
             b.quantity, b.unit_price, CAST(coalesce(b.line_discount, 0) AS DECIMAL(18,2)) AS line_discount,
             coalesce(b.updated_at, TIMESTAMP '1900-01-01 00:00:00') AS updated_at, b._ingested_at
      FROM bronze.erp_order_lines b
      CROSS JOIN (SELECT coalesce(max(_ingested_at), TIMESTAMP '1900-01-01 00:00:00') AS wm
                  FROM silver.order_lines) w
      WHERE b._ingested_at > w.wm AND nullif(trim(b.order_id), '') IS NOT NULL AND b.line_no IS NOT NULL
    ) x
  ) r
  WHERE rn = 1
) AS s
ON t.order_id = s.order_id AND t.line_no = s.line_no
WHEN MATCHED AND (s.updated_at > t.updated_at
                  OR (s.updated_at = t.updated_at AND s._ingested_at > t._ingested_at)) THEN UPDATE SET
  product_id = s.product_id, quantity = s.quantity, unit_price = s.unit_price,
  line_discount = s.line_discount, is_valid = s.is_valid, invalid_reason = s.invalid_reason,
  updated_at = s.updated_at, _ingested_at = s._ingested_at
WHEN NOT MATCHED THEN INSERT
  (order_id, line_no, product_id, quantity, unit_price, line_discount, is_valid, invalid_reason,
   updated_at, _ingested_at)
  VALUES (s.order_id, s.line_no, s.product_id, s.quantity, s.unit_price, s.line_discount, s.is_valid,
          s.invalid_reason, s.updated_at, s._ingested_at);
