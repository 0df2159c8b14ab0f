-- silver.products: the current catalog record of each product.
-- Rules: rows without product_id dropped; text trimmed (empty → NULL); the latest updated_at wins per
-- product_id (exact duplicates collapse), ties to the latest _ingested_at; incremental by _ingested_at.
CREATE SCHEMA IF NOT EXISTS silver;

CREATE TABLE IF NOT EXISTS silver.products (
  product_id STRING, name STRING, category STRING, subcategory STRING, brand STRING,
  list_price DECIMAL(18,2), updated_at TIMESTAMP, _ingested_at TIMESTAMP);

MERGE INTO silver.products AS t
USING (
  SELECT product_id, name, category, subcategory, brand, list_price, updated_at, _ingested_at
  FROM (
    SELECT p.*, row_number() OVER (
             PARTITION BY product_id
             ORDER BY updated_at DESC, _ingested_at DESC, name, category, subcategory, brand, list_price) AS rn
    FROM (
      SELECT trim(b.product_id) AS product_id, nullif(trim(b.name), '') AS name,
             nullif(trim(b.category), '') AS category, nullif(trim(b.subcategory), '') AS subcategory,
             nullif(trim(b.brand), '') AS brand, b.list_price,
             coalesce(b.updated_at, TIMESTAMP '1900-01-01 00:00:00') AS updated_at, b._ingested_at
      FROM bronze.products b
      CROSS JOIN (SELECT coalesce(max(_ingested_at), TIMESTAMP '1900-01-01 00:00:00') AS wm
                  FROM silver.products) w
      WHERE b._ingested_at > w.wm AND nullif(trim(b.product_id), '') IS NOT NULL
    ) p
  ) r
  WHERE rn = 1
) AS s
ON t.product_id = s.product_id
WHEN MATCHED AND (s.updated_at > t.updated_at
                  OR (s.updated_at = t.updated_at AND s._ingested_at > t._ingested_at)) THEN UPDATE SET
  name = s.name, category = s.category, subcategory = s.subcategory, brand = s.brand,
  list_price = s.list_price, updated_at = s.updated_at, _ingested_at = s._ingested_at
WHEN NOT MATCHED THEN INSERT
  (product_id, name, category, subcategory, brand, list_price, updated_at, _ingested_at)
  VALUES (s.product_id, s.name, s.category, s.subcategory, s.brand, s.list_price, s.updated_at, s._ingested_at);
