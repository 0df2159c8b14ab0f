-- silver.customer_versions: one row per CRM customer per day on which the record changed.
-- Rules (tests recompute from bronze with exactly these):
--   * rows without customer_id are dropped;
--   * text is trimmed, empty strings become NULL; email lower-case, state upper-case, segment lower-case;
--   * per (customer_id, day of updated_at) the latest updated_at wins (the CRM sends several changes
--     a day; exact duplicates collapse here too); ties go to the latest _ingested_at;
--   * incremental: only bronze rows ingested after the newest _ingested_at already in silver are read.
CREATE SCHEMA IF NOT EXISTS silver;

CREATE TABLE IF NOT EXISTS silver.customer_versions (
  customer_id STRING, name STRING, email STRING, city STRING, state STRING, segment STRING,
  birth_date DATE, signup_date DATE, version_date DATE, updated_at TIMESTAMP, _ingested_at TIMESTAMP);

MERGE INTO silver.customer_versions AS t
USING (
  SELECT customer_id, name, email, city, state, segment, birth_date, signup_date, version_date,
         updated_at, _ingested_at
  FROM (
    SELECT c.*, row_number() OVER (
             PARTITION BY customer_id, version_date
             ORDER BY updated_at DESC, _ingested_at DESC, name, email, city, state, segment) AS rn
    FROM (
      SELECT trim(b.customer_id) AS customer_id,
             nullif(trim(b.name), '') AS name,
             lower(nullif(trim(b.email), '')) AS email,
             nullif(trim(b.city), '') AS city,
             upper(nullif(trim(b.state), '')) AS state,
             lower(nullif(trim(b.segment), '')) AS segment,
             b.birth_date, b.signup_date,
             CAST(b.updated_at AS DATE) AS version_date,
             b.updated_at, b._ingested_at
      FROM bronze.crm_customers b
      CROSS JOIN (SELECT coalesce(max(_ingested_at), TIMESTAMP '1900-01-01 00:00:00') AS wm
                  FROM silver.customer_versions) w
      WHERE b._ingested_at > w.wm AND nullif(trim(b.customer_id), '') IS NOT NULL
        AND b.updated_at IS NOT NULL
    ) c
  ) r
  WHERE rn = 1
) AS s
ON t.customer_id = s.customer_id AND t.version_date = s.version_date
WHEN MATCHED AND (s.updated_at > t.updated_at
                  OR (s.updated_at = t.updated_at AND s._ingested_at > t._ingested_at)) THEN UPDATE SET
  name = s.name, email = s.email, city = s.city, state = s.state, segment = s.segment,
  birth_date = s.birth_date, signup_date = s.signup_date, updated_at = s.updated_at,
  _ingested_at = s._ingested_at
WHEN NOT MATCHED THEN INSERT
  (customer_id, name, email, city, state, segment, birth_date, signup_date, version_date, updated_at, _ingested_at)
  VALUES (s.customer_id, s.name, s.email, s.city, s.state, s.segment, s.birth_date, s.signup_date,
          s.version_date, s.updated_at, s._ingested_at);
