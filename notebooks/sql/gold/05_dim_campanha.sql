-- gold.dim_campanha: marketing campaigns with their UTM attributes, from silver.campaigns.
-- campanha_sk = md5-based key of campaign_id (see 02_dim_canal.sql); row 0 is "Sem campanha" and
-- receives orders without a campaign or with an unknown campaign id. Re-runnable upsert; only new or
-- changed rows are written (an update costs far more than a read).
CREATE SCHEMA IF NOT EXISTS gold;

CREATE TABLE IF NOT EXISTS gold.dim_campanha (
  campanha_sk BIGINT, campanha_id STRING, nome STRING, utm_source STRING, utm_medium STRING,
  utm_campaign STRING, data_inicio DATE, data_fim DATE);

MERGE INTO gold.dim_campanha AS t
USING (
  SELECT (CAST(instr('0123456789abcdef', substr(h, 1, 1)) - 1 AS BIGINT) * 72057594037927936
      + CAST(instr('0123456789abcdef', substr(h, 2, 1)) - 1 AS BIGINT) * 4503599627370496
      + CAST(instr('0123456789abcdef', substr(h, 3, 1)) - 1 AS BIGINT) * 281474976710656
      + CAST(instr('0123456789abcdef', substr(h, 4, 1)) - 1 AS BIGINT) * 17592186044416
      + CAST(instr('0123456789abcdef', substr(h, 5, 1)) - 1 AS BIGINT) * 1099511627776
      + CAST(instr('0123456789abcdef', substr(h, 6, 1)) - 1 AS BIGINT) * 68719476736
      + CAST(instr('0123456789abcdef', substr(h, 7, 1)) - 1 AS BIGINT) * 4294967296
      + CAST(instr('0123456789abcdef', substr(h, 8, 1)) - 1 AS BIGINT) * 268435456
      + CAST(instr('0123456789abcdef', substr(h, 9, 1)) - 1 AS BIGINT) * 16777216
      + CAST(instr('0123456789abcdef', substr(h, 10, 1)) - 1 AS BIGINT) * 1048576
      + CAST(instr('0123456789abcdef', substr(h, 11, 1)) - 1 AS BIGINT) * 65536
      + CAST(instr('0123456789abcdef', substr(h, 12, 1)) - 1 AS BIGINT) * 4096
      + CAST(instr('0123456789abcdef', substr(h, 13, 1)) - 1 AS BIGINT) * 256
      + CAST(instr('0123456789abcdef', substr(h, 14, 1)) - 1 AS BIGINT) * 16
      + CAST(instr('0123456789abcdef', substr(h, 15, 1)) - 1 AS BIGINT)) AS campanha_sk, campaign_id AS campanha_id, name AS nome, utm_source, utm_medium,
         utm_campaign, start_date AS data_inicio, end_date AS data_fim
  FROM (SELECT c.*, md5(c.campaign_id) AS h FROM silver.campaigns c) k
  UNION ALL
  SELECT CAST(0 AS BIGINT), 'nao_identificado', 'Sem campanha', CAST(NULL AS STRING),
         CAST(NULL AS STRING), CAST(NULL AS STRING), CAST(NULL AS DATE), CAST(NULL AS DATE)
) AS s
ON t.campanha_id = s.campanha_id
WHEN MATCHED AND (t.campanha_sk IS DISTINCT FROM s.campanha_sk
                  OR t.nome IS DISTINCT FROM s.nome
                  OR t.utm_source IS DISTINCT FROM s.utm_source
                  OR t.utm_medium IS DISTINCT FROM s.utm_medium
                  OR t.utm_campaign IS DISTINCT FROM s.utm_campaign
                  OR t.data_inicio IS DISTINCT FROM s.data_inicio
                  OR t.data_fim IS DISTINCT FROM s.data_fim) THEN UPDATE SET
  campanha_sk = s.campanha_sk, nome = s.nome, utm_source = s.utm_source, utm_medium = s.utm_medium,
  utm_campaign = s.utm_campaign, data_inicio = s.data_inicio, data_fim = s.data_fim
WHEN NOT MATCHED THEN INSERT
  (campanha_sk, campanha_id, nome, utm_source, utm_medium, utm_campaign, data_inicio, data_fim)
  VALUES (s.campanha_sk, s.campanha_id, s.nome, s.utm_source, s.utm_medium, s.utm_campaign,
          s.data_inicio, s.data_fim);
