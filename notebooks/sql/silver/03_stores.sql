-- silver.stores: the current record of each store (physical stores and the online store).
-- Rules: rows without store_id dropped; text trimmed (empty → NULL); store_type lower-case; state
-- upper-case; the latest updated_at wins per store_id, ties to the latest _ingested_at; incremental.
CREATE SCHEMA IF NOT EXISTS silver;

CREATE TABLE IF NOT EXISTS silver.stores (
  store_id STRING, name STRING, store_type STRING, city STRING, state STRING, region STRING,
  opened_at DATE, updated_at TIMESTAMP, _ingested_at TIMESTAMP);

MERGE INTO silver.stores AS t
USING (
  SELECT store_id, name, store_type, city, state, region, opened_at, updated_at, _ingested_at
  FROM (
    SELECT x.*, row_number() OVER (
             PARTITION BY store_id
             ORDER BY updated_at DESC, _ingested_at DESC, name, store_type, city, state, region) AS rn
    FROM (
      SELECT trim(b.store_id) AS store_id, nullif(trim(b.name), '') AS name,
             lower(nullif(trim(b.store_type), '')) AS store_type, nullif(trim(b.city), '') AS city,
             upper(nullif(trim(b.state), '')) AS state, nullif(trim(b.region), '') AS region,
             b.opened_at, coalesce(b.updated_at, TIMESTAMP '1900-01-01 00:00:00') AS updated_at,
             b._ingested_at
      FROM bronze.stores b
      CROSS JOIN (SELECT coalesce(max(_ingested_at), TIMESTAMP '1900-01-01 00:00:00') AS wm
                  FROM silver.stores) w
      WHERE b._ingested_at > w.wm AND nullif(trim(b.store_id), '') IS NOT NULL
    ) x
  ) r
  WHERE rn = 1
) AS s
ON t.store_id = s.store_id
WHEN MATCHED AND (s.updated_at > t.updated_at
                  OR (s.updated_at = t.updated_at AND s._ingested_at > t._ingested_at)) THEN UPDATE SET
  name = s.name, store_type = s.store_type, city = s.city, state = s.state, region = s.region,
  opened_at = s.opened_at, updated_at = s.updated_at, _ingested_at = s._ingested_at
WHEN NOT MATCHED THEN INSERT
  (store_id, name, store_type, city, state, region, opened_at, updated_at, _ingested_at)
  VALUES (s.store_id, s.name, s.store_type, s.city, s.state, s.region, s.opened_at, s.updated_at, s._ingested_at);
