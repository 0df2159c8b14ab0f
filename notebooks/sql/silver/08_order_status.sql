-- silver.order_status: the latest status change of each online order, as RDS reports it.
-- Rules: rows without order_id or updated_at dropped; status lower-case; the latest updated_at wins
-- per order_id, ties to the latest _ingested_at then status; incremental by _ingested_at.
CREATE SCHEMA IF NOT EXISTS silver;

CREATE TABLE IF NOT EXISTS silver.order_status (
  order_id STRING, status STRING, updated_at TIMESTAMP, _ingested_at TIMESTAMP);

MERGE INTO silver.order_status AS t
USING (
  SELECT order_id, status, updated_at, _ingested_at
  FROM (
    SELECT x.*, row_number() OVER (
             PARTITION BY order_id ORDER BY updated_at DESC, _ingested_at DESC, status) AS rn
    FROM (
      SELECT trim(b.order_id) AS order_id, lower(nullif(trim(b.status), '')) AS status,
             b.updated_at, b._ingested_at
      FROM bronze.order_status b
      CROSS JOIN (SELECT coalesce(max(_ingested_at), TIMESTAMP '1900-01-01 00:00:00') AS wm
                  FROM silver.order_status) w
      WHERE b._ingested_at > w.wm AND nullif(trim(b.order_id), '') IS NOT NULL
        AND b.updated_at IS NOT NULL AND nullif(trim(b.status), '') IS NOT NULL
    ) x
  ) r
  WHERE rn = 1
) AS s
ON t.order_id = s.order_id
WHEN MATCHED AND (s.updated_at > t.updated_at
                  OR (s.updated_at = t.updated_at AND s._ingested_at > t._ingested_at)) THEN UPDATE SET
  status = s.status, updated_at = s.updated_at, _ingested_at = s._ingested_at
WHEN NOT MATCHED THEN INSERT (order_id, status, updated_at, _ingested_at)
  VALUES (s.order_id, s.status, s.updated_at, s._ingested_at);
