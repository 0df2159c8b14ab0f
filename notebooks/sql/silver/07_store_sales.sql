-- silver.store_sales: point-of-sale receipt lines, with a validity flag.
-- Rules (tests recompute from bronze with exactly these):
--   * rows without receipt_id or line_no dropped; ids trimmed; empty customer_id → NULL (anonymous
--     receipt); payment_method lower-case; missing discount → 0;
--   * POS lines have no updated_at: per (receipt_id, line_no) the latest _ingested_at wins, so exact
--     duplicates collapse and a re-sent line replaces the earlier one;
--   * is_valid / invalid_reason as in silver.order_lines (quantity NULL or <= 0, unit_price NULL or < 0);
--   * incremental by _ingested_at.
CREATE SCHEMA IF NOT EXISTS silver;

CREATE TABLE IF NOT EXISTS silver.store_sales (
  receipt_id STRING, line_no INT, store_id STRING, sold_at TIMESTAMP, product_id STRING,
  quantity INT, unit_price DECIMAL(18,2), discount DECIMAL(18,2), customer_id STRING,
  payment_method STRING, is_valid BOOLEAN, invalid_reason STRING, _ingested_at TIMESTAMP);

MERGE INTO silver.store_sales AS t
USING (
  SELECT receipt_id, line_no, store_id, sold_at, product_id, quantity, unit_price, discount,
         customer_id, payment_method,
         CASE WHEN quantity IS NULL OR quantity <= 0 THEN false
              WHEN unit_price IS NULL OR unit_price < 0 THEN false
              ELSE true END AS is_valid,
         CASE WHEN quantity IS NULL OR quantity <= 0 THEN 'quantidade_invalida'
              WHEN unit_price IS NULL OR unit_price < 0 THEN 'preco_invalido' END AS invalid_reason,
         _ingested_at
  FROM (
    SELECT x.*, row_number() OVER (
             PARTITION BY receipt_id, line_no
             ORDER BY _ingested_at DESC, sold_at, store_id, product_id, quantity, unit_price, discount,
                      customer_id, payment_method) AS rn
    FROM (
      SELECT trim(b.receipt_id) AS receipt_id, b.line_no, nullif(trim(b.store_id), '') AS store_id,
             b.sold_at, nullif(trim(b.product_id), '') AS product_id, b.quantity, b.unit_price,
             CAST(coalesce(b.discount, 0) AS DECIMAL(18,2)) AS discount,
             nullif(trim(b.customer_id), '') AS customer_id,
             lower(nullif(trim(b.payment_method), '')) AS payment_method, b._ingested_at
      FROM bronze.pos_store_sales b
      CROSS JOIN (SELECT coalesce(max(_ingested_at), TIMESTAMP '1900-01-01 00:00:00') AS wm
                  FROM silver.store_sales) w
      WHERE b._ingested_at > w.wm AND nullif(trim(b.receipt_id), '') IS NOT NULL AND b.line_no IS NOT NULL
    ) x
  ) r
  WHERE rn = 1
) AS s
ON t.receipt_id = s.receipt_id AND t.line_no = s.line_no
WHEN MATCHED AND s._ingested_at > t._ingested_at THEN UPDATE SET
  store_id = s.store_id, sold_at = s.sold_at, product_id = s.product_id, quantity = s.quantity,
  unit_price = s.unit_price, discount = s.discount, customer_id = s.customer_id,
  payment_method = s.payment_method, is_valid = s.is_valid, invalid_reason = s.invalid_reason,
  _ingested_at = s._ingested_at
WHEN NOT MATCHED THEN INSERT
  (receipt_id, line_no, store_id, sold_at, product_id, quantity, unit_price, discount, customer_id,
   payment_method, is_valid, invalid_reason, _ingested_at)
  VALUES (s.receipt_id, s.line_no, s.store_id, s.sold_at, s.product_id, s.quantity, s.unit_price,
          s.discount, s.customer_id, s.payment_method, s.is_valid, s.invalid_reason, s._ingested_at);
