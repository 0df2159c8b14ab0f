-- silver.orders: the current header of each online order (ERP: site, app, marketplace).
-- Rules: rows without order_id dropped; ids trimmed, empty → NULL; channel and status lower-case;
-- missing order_discount → 0; the latest updated_at wins per order_id (exact duplicates collapse),
-- ties to the latest _ingested_at; incremental by _ingested_at. Status changes that arrive from RDS
-- (bronze.order_status) are resolved in silver.sales_orders, not here.
CREATE SCHEMA IF NOT EXISTS silver;

CREATE TABLE IF NOT EXISTS silver.orders (
  order_id STRING, customer_id STRING, channel STRING, store_id STRING, order_ts TIMESTAMP,
  status STRING, order_discount DECIMAL(18,2), campaign_id STRING, utm_source STRING,
  utm_medium STRING, utm_campaign STRING, updated_at TIMESTAMP, _ingested_at TIMESTAMP);

MERGE INTO silver.orders AS t
USING (
  SELECT order_id, customer_id, channel, store_id, order_ts, status, order_discount, campaign_id,
         utm_source, utm_medium, utm_campaign, updated_at, _ingested_at
  FROM (
    SELECT x.*, row_number() OVER (
             PARTITION BY order_id
             ORDER BY updated_at DESC, _ingested_at DESC, status, order_ts, customer_id, channel,
                      store_id, order_discount, campaign_id) AS rn
    FROM (
      SELECT trim(b.order_id) AS order_id, nullif(trim(b.customer_id), '') AS customer_id,
             lower(nullif(trim(b.channel), '')) AS channel, nullif(trim(b.store_id), '') AS store_id,
             b.order_ts, lower(nullif(trim(b.status), '')) AS status,
             CAST(coalesce(b.order_discount, 0) AS DECIMAL(18,2)) AS order_discount,
             nullif(trim(b.campaign_id), '') AS campaign_id,
             lower(nullif(trim(b.utm_source), '')) AS utm_source,
             lower(nullif(trim(b.utm_medium), '')) AS utm_medium,
             lower(nullif(trim(b.utm_campaign), '')) AS utm_campaign,
             coalesce(b.updated_at, TIMESTAMP '1900-01-01 00:00:00') AS updated_at, b._ingested_at
      FROM bronze.erp_orders b
      CROSS JOIN (SELECT coalesce(max(_ingested_at), TIMESTAMP '1900-01-01 00:00:00') AS wm
                  FROM silver.orders) w
      WHERE b._ingested_at > w.wm AND nullif(trim(b.order_id), '') IS NOT NULL
    ) x
  ) r
  WHERE rn = 1
) AS s
ON t.order_id = s.order_id
WHEN MATCHED AND (s.updated_at > t.updated_at
                  OR (s.updated_at = t.updated_at AND s._ingested_at > t._ingested_at)) THEN UPDATE SET
  customer_id = s.customer_id, channel = s.channel, store_id = s.store_id, order_ts = s.order_ts,
  status = s.status, order_discount = s.order_discount, campaign_id = s.campaign_id,
  utm_source = s.utm_source, utm_medium = s.utm_medium, utm_campaign = s.utm_campaign,
  updated_at = s.updated_at, _ingested_at = s._ingested_at
WHEN NOT MATCHED THEN INSERT
  (order_id, customer_id, channel, store_id, order_ts, status, order_discount, campaign_id,
   utm_source, utm_medium, utm_campaign, updated_at, _ingested_at)
  VALUES (s.order_id, s.customer_id, s.channel, s.store_id, s.order_ts, s.status, s.order_discount,
          s.campaign_id, s.utm_source, s.utm_medium, s.utm_campaign, s.updated_at, s._ingested_at);
