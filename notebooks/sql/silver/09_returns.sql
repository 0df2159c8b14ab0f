-- silver.returns: the current record of each refund (online order lines and store receipt lines).
-- Rules: rows without return_id dropped; source_system lower-case and kept only when 'erp' or 'pos';
-- the latest updated_at wins per return_id, ties to the latest _ingested_at; incremental.
-- Gold keeps a refund only when refunded_at is set, quantity > 0 and it points at a sale line that
-- exists in gold.fato_vendas (see gold/08_fato_devolucoes.sql).
CREATE SCHEMA IF NOT EXISTS silver;

CREATE TABLE IF NOT EXISTS silver.returns (
  return_id STRING, source_system STRING, order_id STRING, line_no INT, quantity INT,
  refund_amount DECIMAL(18,2), refunded_at TIMESTAMP, updated_at TIMESTAMP, _ingested_at TIMESTAMP);

MERGE INTO silver.returns AS t
USING (
  SELECT return_id, source_system, order_id, line_no, quantity, refund_amount, refunded_at,
         updated_at, _ingested_at
  FROM (
    SELECT x.*, row_number() OVER (
             PARTITION BY return_id
             ORDER BY updated_at DESC, _ingested_at DESC, source_system, order_id, line_no, quantity,
                      refund_amount, refunded_at) AS rn
    FROM (
      SELECT trim(b.return_id) AS return_id, lower(trim(b.source_system)) AS source_system,
             trim(b.order_id) AS order_id, b.line_no, b.quantity, b.refund_amount, b.refunded_at,
             coalesce(b.updated_at, TIMESTAMP '1900-01-01 00:00:00') AS updated_at, b._ingested_at
      FROM bronze.returns b
      CROSS JOIN (SELECT coalesce(max(_ingested_at), TIMESTAMP '1900-01-01 00:00:00') AS wm
                  FROM silver.returns) w
      WHERE b._ingested_at > w.wm AND nullif(trim(b.return_id), '') IS NOT NULL
        AND lower(trim(b.source_system)) IN ('erp', 'pos')
    ) x
  ) r
  WHERE rn = 1
) AS s
ON t.return_id = s.return_id
WHEN MATCHED AND (s.updated_at > t.updated_at
                  OR (s.updated_at = t.updated_at AND s._ingested_at > t._ingested_at)) THEN UPDATE SET
  source_system = s.source_system, order_id = s.order_id, line_no = s.line_no, quantity = s.quantity,
  refund_amount = s.refund_amount, refunded_at = s.refunded_at, updated_at = s.updated_at,
  _ingested_at = s._ingested_at
WHEN NOT MATCHED THEN INSERT
  (return_id, source_system, order_id, line_no, quantity, refund_amount, refunded_at, updated_at, _ingested_at)
  VALUES (s.return_id, s.source_system, s.order_id, s.line_no, s.quantity, s.refund_amount,
          s.refunded_at, s.updated_at, s._ingested_at);
