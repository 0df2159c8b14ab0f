-- gold.campanha_metricas_minuto: per minute (UTC, by EVENT time) and credited campaign. Session
-- counts and funnel flags are counted in the minute the session started; event counts, orders and
-- revenue in the minute of the event. Every column is additive, so hours and days are sums.
-- Untagged (direct) traffic is kept under '(direct)'. Only the minutes touched by this micro-batch
-- (before and after the recompute) are rebuilt: late events land in their own minute.
-- `chave` (minute|source|medium|campaign) identifies a row for the semantic model. `atualizado_em`
-- is this micro-batch's ingestion stamp, the same on every row of a rewritten minute (the lambda
-- pre-aggregation relies on whole minutes being rewritten together).
INSERT INTO gold.stream_minutos_afetados
SELECT minuto FROM gold.fato_eventos
WHERE anonymous_id IN (SELECT anonymous_id FROM silver.stream_visitantes_afetados)
UNION
SELECT minuto_inicio FROM gold.fato_sessoes
WHERE anonymous_id IN (SELECT anonymous_id FROM silver.stream_visitantes_afetados);

MERGE INTO gold.campanha_metricas_minuto AS t
USING (SELECT DISTINCT minuto FROM gold.stream_minutos_afetados) AS m
ON t.minuto = m.minuto
WHEN MATCHED THEN DELETE;

INSERT INTO gold.campanha_metricas_minuto
SELECT concat(CAST(minuto AS STRING), '|', fonte, '|', meio, '|', campanha), minuto,
  year(minuto) * 10000 + month(minuto) * 100 + day(minuto),
  fonte, meio, campanha,
  SUM(sessoes), SUM(com_visualizacao), SUM(com_carrinho), SUM(com_checkout), SUM(com_compra), SUM(carrinho_com_compra),
  SUM(paginas), SUM(visualizacoes), SUM(adicoes), SUM(remocoes), SUM(checkouts), SUM(pedidos), CAST(SUM(receita) AS DECIMAL(18,2)),
  (SELECT max(_ingested_at) FROM bronze_events_batch)
FROM (
  SELECT minuto_inicio AS minuto,
    coalesce(campanha_utm_source, '(direct)') AS fonte, coalesce(campanha_utm_medium, '(direct)') AS meio,
    coalesce(campanha_utm_campaign, '(direct)') AS campanha,
    1 AS sessoes, com_visualizacao, com_carrinho, com_checkout, com_compra, com_carrinho * com_compra AS carrinho_com_compra,
    0 AS paginas, 0 AS visualizacoes, 0 AS adicoes, 0 AS remocoes, 0 AS checkouts, 0 AS pedidos, CAST(0 AS DECIMAL(18,2)) AS receita
  FROM gold.fato_sessoes
  WHERE minuto_inicio IN (SELECT minuto FROM gold.stream_minutos_afetados)
  UNION ALL
  SELECT minuto,
    coalesce(campanha_utm_source, '(direct)'), coalesce(campanha_utm_medium, '(direct)'),
    coalesce(campanha_utm_campaign, '(direct)'),
    0, 0, 0, 0, 0, 0,
    CASE WHEN tipo_evento = 'page_view' THEN 1 ELSE 0 END,
    CASE WHEN tipo_evento = 'product_view' THEN 1 ELSE 0 END,
    CASE WHEN tipo_evento = 'add_to_cart' THEN 1 ELSE 0 END,
    CASE WHEN tipo_evento = 'remove_from_cart' THEN 1 ELSE 0 END,
    CASE WHEN tipo_evento = 'checkout_start' THEN 1 ELSE 0 END,
    pedidos, receita
  FROM gold.fato_eventos
  WHERE minuto IN (SELECT minuto FROM gold.stream_minutos_afetados)
) contributions
GROUP BY minuto, fonte, meio, campanha;
