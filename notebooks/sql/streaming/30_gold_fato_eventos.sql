-- gold.fato_eventos: every event of the affected visitors, re-sessionized and re-attributed.
-- Session: a visitor's (anonymous_id) events until 30 minutes without activity (METRICS.md); it is
-- named after its first event's id, so the name is the same on DuckDB and Spark.
-- Attribution (last non-direct click, METRICS.md "Campaign attribution"): a session is credited to
-- the UTM tags of the most recent UTM-tagged session of the same visitor that started in the 30 days
-- up to and including its own start; a tagged session is thus credited to itself (to its last
-- tagged event). A session with no tagged session in that window is direct (campaign null).
-- Orders: `pedidos` is 1 on the first line of an order only, so it adds up across minutes.

-- Step 1: the affected visitors' whole history, with session boundaries and numbers.
DELETE FROM silver.stream_eventos_sessao;

INSERT INTO silver.stream_eventos_sessao
SELECT event_id, event_type, event_time, session_id, anonymous_id, customer_id, device, channel,
  utm_source, utm_medium, utm_campaign, product_id, order_id, price, quantity, arrival_time,
  inicia_sessao, linha_pedido,
  SUM(inicia_sessao) OVER (PARTITION BY anonymous_id ORDER BY event_time, event_id
                           ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS sessao_seq
FROM (
  SELECT ev.*,
    CASE WHEN prev_time IS NULL OR event_time > prev_time + INTERVAL 30 MINUTES THEN 1 ELSE 0 END AS inicia_sessao,
    CAST(ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY event_time, event_id) AS INT) AS linha_pedido
  FROM (
    SELECT e.*, LAG(event_time) OVER (PARTITION BY anonymous_id ORDER BY event_time, event_id) AS prev_time
    FROM silver.eventos e
    WHERE e.anonymous_id IN (SELECT anonymous_id FROM silver.stream_visitantes_afetados)
  ) ev
) gaps;

-- Step 2: their sessions and the campaign each one is credited to.
DELETE FROM silver.stream_sessoes;

INSERT INTO silver.stream_sessoes
WITH sessions AS (
  SELECT anonymous_id, sessao_seq, event_id AS sessao_id, event_time AS sessao_inicio
  FROM silver.stream_eventos_sessao WHERE inicia_sessao = 1
),
last_tag AS (
  SELECT anonymous_id, sessao_seq, utm_source, utm_medium, utm_campaign FROM (
    SELECT anonymous_id, sessao_seq, utm_source, utm_medium, utm_campaign,
      ROW_NUMBER() OVER (PARTITION BY anonymous_id, sessao_seq ORDER BY event_time DESC, event_id DESC) AS rn
    FROM silver.stream_eventos_sessao WHERE utm_campaign IS NOT NULL
  ) tagged WHERE rn = 1
),
tagged_sessions AS (
  SELECT s.anonymous_id, s.sessao_inicio, l.utm_source, l.utm_medium, l.utm_campaign
  FROM sessions s JOIN last_tag l ON l.anonymous_id = s.anonymous_id AND l.sessao_seq = s.sessao_seq
),
credited AS (
  SELECT anonymous_id, sessao_seq, utm_source, utm_medium, utm_campaign FROM (
    SELECT s.anonymous_id, s.sessao_seq, p.utm_source, p.utm_medium, p.utm_campaign,
      ROW_NUMBER() OVER (PARTITION BY s.anonymous_id, s.sessao_seq ORDER BY p.sessao_inicio DESC) AS rn
    FROM sessions s JOIN tagged_sessions p
      ON p.anonymous_id = s.anonymous_id
     AND p.sessao_inicio <= s.sessao_inicio
     AND p.sessao_inicio >= s.sessao_inicio - INTERVAL 30 DAYS
  ) candidates WHERE rn = 1
)
SELECT s.anonymous_id, s.sessao_seq, s.sessao_id, s.sessao_inicio, c.utm_source, c.utm_medium, c.utm_campaign
FROM sessions s
LEFT JOIN credited c ON c.anonymous_id = s.anonymous_id AND c.sessao_seq = s.sessao_seq;

-- Step 3: upsert the events; rows whose session or credit did not change are left untouched.
MERGE INTO gold.fato_eventos AS t
USING (
  SELECT n.event_id AS evento_id, n.event_type AS tipo_evento, n.event_time AS data_evento,
    date_trunc('MINUTE', n.event_time) AS minuto,
    year(n.event_time) * 10000 + month(n.event_time) * 100 + day(n.event_time) AS data_sk,
    n.arrival_time AS data_chegada, s.sessao_id, s.sessao_inicio, n.session_id AS sessao_cliente_id,
    n.anonymous_id, n.customer_id AS cliente_id, n.product_id AS produto_id, n.order_id AS pedido_id,
    n.channel AS canal_id, n.device AS dispositivo, n.utm_source, n.utm_medium, n.utm_campaign,
    s.campanha_utm_source, s.campanha_utm_medium, s.campanha_utm_campaign,
    n.price AS preco, n.quantity AS quantidade,
    CAST(CASE WHEN n.event_type = 'purchase' THEN n.price * n.quantity ELSE 0 END AS DECIMAL(18,2)) AS receita,
    CASE WHEN n.event_type = 'purchase' AND n.linha_pedido = 1 THEN 1 ELSE 0 END AS pedidos
  FROM silver.stream_eventos_sessao n
  JOIN silver.stream_sessoes s ON s.anonymous_id = n.anonymous_id AND s.sessao_seq = n.sessao_seq
) AS s
ON t.evento_id = s.evento_id
WHEN MATCHED AND (t.sessao_id <> s.sessao_id OR t.pedidos <> s.pedidos
  OR t.campanha_utm_campaign IS DISTINCT FROM s.campanha_utm_campaign
  OR t.campanha_utm_source IS DISTINCT FROM s.campanha_utm_source
  OR t.campanha_utm_medium IS DISTINCT FROM s.campanha_utm_medium) THEN UPDATE SET
  sessao_id = s.sessao_id, sessao_inicio = s.sessao_inicio, campanha_utm_source = s.campanha_utm_source,
  campanha_utm_medium = s.campanha_utm_medium, campanha_utm_campaign = s.campanha_utm_campaign, pedidos = s.pedidos
WHEN NOT MATCHED THEN INSERT (
  evento_id, tipo_evento, data_evento, minuto, data_sk, data_chegada, sessao_id, sessao_inicio, sessao_cliente_id,
  anonymous_id, cliente_id, produto_id, pedido_id, canal_id, dispositivo, utm_source, utm_medium, utm_campaign,
  campanha_utm_source, campanha_utm_medium, campanha_utm_campaign, preco, quantidade, receita, pedidos
) VALUES (
  s.evento_id, s.tipo_evento, s.data_evento, s.minuto, s.data_sk, s.data_chegada, s.sessao_id, s.sessao_inicio, s.sessao_cliente_id,
  s.anonymous_id, s.cliente_id, s.produto_id, s.pedido_id, s.canal_id, s.dispositivo, s.utm_source, s.utm_medium, s.utm_campaign,
  s.campanha_utm_source, s.campanha_utm_medium, s.campanha_utm_campaign, s.preco, s.quantidade, s.receita, s.pedidos
);
