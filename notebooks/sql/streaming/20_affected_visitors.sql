-- The visitors of this micro-batch: their sessions (and the campaign credited to them) are
-- recomputed from their whole history, so a late or out-of-order event re-sessionizes correctly.
DELETE FROM silver.stream_visitantes_afetados;

INSERT INTO silver.stream_visitantes_afetados
SELECT DISTINCT anonymous_id FROM bronze_events_batch;

-- Minutes these visitors occupied BEFORE the recompute (a session may move out of a minute).
DELETE FROM gold.stream_minutos_afetados;

INSERT INTO gold.stream_minutos_afetados
SELECT minuto FROM gold.fato_eventos
WHERE anonymous_id IN (SELECT anonymous_id FROM silver.stream_visitantes_afetados)
UNION
SELECT date_trunc('MINUTE', sessao_inicio) FROM gold.fato_eventos
WHERE anonymous_id IN (SELECT anonymous_id FROM silver.stream_visitantes_afetados);
