-- silver.campaigns: the current record of each marketing campaign.
-- Rules: rows without campaign_id dropped; text trimmed (empty → NULL); UTM fields lower-case;
-- the latest updated_at wins per campaign_id, ties to the latest _ingested_at; incremental.
CREATE SCHEMA IF NOT EXISTS silver;

CREATE TABLE IF NOT EXISTS silver.campaigns (
  campaign_id STRING, name STRING, utm_source STRING, utm_medium STRING, utm_campaign STRING,
  start_date DATE, end_date DATE, updated_at TIMESTAMP, _ingested_at TIMESTAMP);

MERGE INTO silver.campaigns AS t
USING (
  SELECT campaign_id, name, utm_source, utm_medium, utm_campaign, start_date, end_date, updated_at, _ingested_at
  FROM (
    SELECT x.*, row_number() OVER (
             PARTITION BY campaign_id
             ORDER BY updated_at DESC, _ingested_at DESC, name, utm_source, utm_medium, utm_campaign) AS rn
    FROM (
      SELECT trim(b.campaign_id) AS campaign_id, nullif(trim(b.name), '') AS name,
             lower(nullif(trim(b.utm_source), '')) AS utm_source,
             lower(nullif(trim(b.utm_medium), '')) AS utm_medium,
             lower(nullif(trim(b.utm_campaign), '')) AS utm_campaign,
             b.start_date, b.end_date,
             coalesce(b.updated_at, TIMESTAMP '1900-01-01 00:00:00') AS updated_at, b._ingested_at
      FROM bronze.campaigns b
      CROSS JOIN (SELECT coalesce(max(_ingested_at), TIMESTAMP '1900-01-01 00:00:00') AS wm
                  FROM silver.campaigns) w
      WHERE b._ingested_at > w.wm AND nullif(trim(b.campaign_id), '') IS NOT NULL
    ) x
  ) r
  WHERE rn = 1
) AS s
ON t.campaign_id = s.campaign_id
WHEN MATCHED AND (s.updated_at > t.updated_at
                  OR (s.updated_at = t.updated_at AND s._ingested_at > t._ingested_at)) THEN UPDATE SET
  name = s.name, utm_source = s.utm_source, utm_medium = s.utm_medium, utm_campaign = s.utm_campaign,
  start_date = s.start_date, end_date = s.end_date, updated_at = s.updated_at, _ingested_at = s._ingested_at
WHEN NOT MATCHED THEN INSERT
  (campaign_id, name, utm_source, utm_medium, utm_campaign, start_date, end_date, updated_at, _ingested_at)
  VALUES (s.campaign_id, s.name, s.utm_source, s.utm_medium, s.utm_campaign, s.start_date, s.end_date,
          s.updated_at, s._ingested_at);
