-- gold.fato_sessoes: the affected visitors' sessions, rebuilt from gold.fato_eventos. Flags are 0/1
-- so that conversion rate (sessions with a purchase ÷ sessions) and cart abandonment
-- (1 − sessions with cart and purchase ÷ sessions with cart) are sums over any grouping.
-- (MERGE … WHEN MATCHED THEN DELETE: Delta rejects subqueries in a DELETE condition.)
MERGE INTO gold.fato_sessoes AS t
USING silver.stream_visitantes_afetados AS v
ON t.anonymous_id = v.anonymous_id
WHEN MATCHED THEN DELETE;

INSERT INTO gold.fato_sessoes
SELECT sessao_id, anonymous_id, MAX(cliente_id), MIN(data_evento), MAX(data_evento),
  date_trunc('MINUTE', MIN(data_evento)),
  year(MIN(data_evento)) * 10000 + month(MIN(data_evento)) * 100 + day(MIN(data_evento)),
  MIN(canal_id), MIN(dispositivo),
  MAX(campanha_utm_source), MAX(campanha_utm_medium), MAX(campanha_utm_campaign),
  COUNT(*),
  SUM(CASE WHEN tipo_evento = 'product_view' THEN 1 ELSE 0 END),
  SUM(CASE WHEN tipo_evento = 'add_to_cart' THEN 1 ELSE 0 END),
  SUM(CASE WHEN tipo_evento = 'checkout_start' THEN 1 ELSE 0 END),
  SUM(pedidos),
  CAST(SUM(receita) AS DECIMAL(18,2)),
  MAX(CASE WHEN tipo_evento = 'product_view' THEN 1 ELSE 0 END),
  MAX(CASE WHEN tipo_evento = 'add_to_cart' THEN 1 ELSE 0 END),
  MAX(CASE WHEN tipo_evento = 'checkout_start' THEN 1 ELSE 0 END),
  MAX(CASE WHEN tipo_evento = 'purchase' THEN 1 ELSE 0 END)
FROM gold.fato_eventos
WHERE anonymous_id IN (SELECT anonymous_id FROM silver.stream_visitantes_afetados)
GROUP BY sessao_id, anonymous_id;
