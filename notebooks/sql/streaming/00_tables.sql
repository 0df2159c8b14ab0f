-- Near-real-time silver/gold tables fed by the event stream. Run before every micro-batch
-- (idempotent). Input of each micro-batch: the temporary view/table `bronze_events_batch`, the bronze
-- rows new since the previous micro-batch (locally: the runner selects them by _ingested_at; on
-- Databricks: the foreachBatch DataFrame of the structured stream).
CREATE SCHEMA IF NOT EXISTS silver;
CREATE SCHEMA IF NOT EXISTS gold;

CREATE TABLE IF NOT EXISTS silver.eventos (
  event_id STRING, event_type STRING, event_time TIMESTAMP, session_id STRING, anonymous_id STRING,
  customer_id STRING, device STRING, channel STRING, utm_source STRING, utm_medium STRING,
  utm_campaign STRING, product_id STRING, order_id STRING, price DECIMAL(18,2), quantity INT,
  arrival_time TIMESTAMP
);

-- Work table: visitors touched by the current micro-batch (their sessions are recomputed).
CREATE TABLE IF NOT EXISTS silver.stream_visitantes_afetados (anonymous_id STRING);

-- Work tables: the affected visitors' events with their session number, and their sessions with
-- the credited campaign (materialized so each step reads a small table once).
CREATE TABLE IF NOT EXISTS silver.stream_eventos_sessao (
  event_id STRING, event_type STRING, event_time TIMESTAMP, session_id STRING, anonymous_id STRING,
  customer_id STRING, device STRING, channel STRING, utm_source STRING, utm_medium STRING,
  utm_campaign STRING, product_id STRING, order_id STRING, price DECIMAL(18,2), quantity INT,
  arrival_time TIMESTAMP, inicia_sessao INT, linha_pedido INT, sessao_seq BIGINT
);
CREATE TABLE IF NOT EXISTS silver.stream_sessoes (
  anonymous_id STRING, sessao_seq BIGINT, sessao_id STRING, sessao_inicio TIMESTAMP,
  campanha_utm_source STRING, campanha_utm_medium STRING, campanha_utm_campaign STRING
);

-- One row per event, with the sessionized visit and the campaign credited to that visit.
CREATE TABLE IF NOT EXISTS gold.fato_eventos (
  evento_id STRING, tipo_evento STRING, data_evento TIMESTAMP, minuto TIMESTAMP, data_sk INT,
  data_chegada TIMESTAMP, sessao_id STRING, sessao_inicio TIMESTAMP, sessao_cliente_id STRING,
  anonymous_id STRING, cliente_id STRING, produto_id STRING, pedido_id STRING, canal_id STRING,
  dispositivo STRING, utm_source STRING, utm_medium STRING, utm_campaign STRING,
  campanha_utm_source STRING, campanha_utm_medium STRING, campanha_utm_campaign STRING,
  preco DECIMAL(18,2), quantidade INT, receita DECIMAL(18,2), pedidos INT
);

-- One row per session (30 minutes of inactivity per anonymous_id), with funnel flags (0/1).
CREATE TABLE IF NOT EXISTS gold.fato_sessoes (
  sessao_id STRING, anonymous_id STRING, cliente_id STRING, sessao_inicio TIMESTAMP, sessao_fim TIMESTAMP,
  minuto_inicio TIMESTAMP, data_sk INT, canal_id STRING, dispositivo STRING,
  campanha_utm_source STRING, campanha_utm_medium STRING, campanha_utm_campaign STRING,
  eventos BIGINT, visualizacoes_produto BIGINT, adicoes_carrinho BIGINT, checkouts BIGINT, pedidos BIGINT,
  receita DECIMAL(18,2), com_visualizacao INT, com_carrinho INT, com_checkout INT, com_compra INT
);

-- Work table: minutes whose campaign aggregates must be recomputed by this micro-batch.
CREATE TABLE IF NOT EXISTS gold.stream_minutos_afetados (minuto TIMESTAMP);

CREATE TABLE IF NOT EXISTS gold.campanha_metricas_minuto (
  chave STRING, minuto TIMESTAMP, data_sk INT, campanha_utm_source STRING, campanha_utm_medium STRING, campanha_utm_campaign STRING,
  sessoes BIGINT, sessoes_com_visualizacao BIGINT, sessoes_com_carrinho BIGINT, sessoes_com_checkout BIGINT,
  sessoes_com_compra BIGINT, sessoes_carrinho_com_compra BIGINT,
  visualizacoes_pagina BIGINT, visualizacoes_produto BIGINT, adicoes_carrinho BIGINT, remocoes_carrinho BIGINT,
  checkouts BIGINT, pedidos BIGINT, receita DECIMAL(18,2),
  -- Ingestion stamp of the micro-batch that last wrote the minute (all its rows alike): the
  -- lambda pre-aggregation re-reads from here the minutes rewritten after its rollup was built.
  atualizado_em TIMESTAMP
);
