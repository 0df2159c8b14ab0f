-- gold.dim_loja: physical stores and the online store, from silver.stores (type 1: current values).
-- Rules: store_type 'physical' → tipo 'fisica', 'online' → 'online', anything else → 'fisica'
-- (POS only runs in physical stores); loja_sk = md5-based key of store_id (see 02_dim_canal.sql);
-- row 0 is "Não identificado". Re-runnable upsert; only new or
-- changed rows are written (an update costs far more than a read).
CREATE SCHEMA IF NOT EXISTS gold;

CREATE TABLE IF NOT EXISTS gold.dim_loja (
  loja_sk BIGINT, loja_id STRING, nome STRING, tipo STRING, cidade STRING, estado STRING,
  regiao STRING, data_abertura DATE);

MERGE INTO gold.dim_loja AS t
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
      + CAST(instr('0123456789abcdef', substr(h, 15, 1)) - 1 AS BIGINT)) AS loja_sk, store_id AS loja_id, name AS nome,
         CASE WHEN store_type = 'online' THEN 'online' ELSE 'fisica' END AS tipo,
         city AS cidade, state AS estado, region AS regiao, opened_at AS data_abertura
  FROM (SELECT st.*, md5(st.store_id) AS h FROM silver.stores st) k
  UNION ALL
  SELECT CAST(0 AS BIGINT), 'nao_identificado', 'Não identificado', 'nao_identificado',
         CAST(NULL AS STRING), CAST(NULL AS STRING), CAST(NULL AS STRING), CAST(NULL AS DATE)
) AS s
ON t.loja_id = s.loja_id
WHEN MATCHED AND (t.loja_sk IS DISTINCT FROM s.loja_sk
                  OR t.nome IS DISTINCT FROM s.nome
                  OR t.tipo IS DISTINCT FROM s.tipo
                  OR t.cidade IS DISTINCT FROM s.cidade
                  OR t.estado IS DISTINCT FROM s.estado
                  OR t.regiao IS DISTINCT FROM s.regiao
                  OR t.data_abertura IS DISTINCT FROM s.data_abertura) THEN UPDATE SET
  loja_sk = s.loja_sk, nome = s.nome, tipo = s.tipo, cidade = s.cidade, estado = s.estado,
  regiao = s.regiao, data_abertura = s.data_abertura
WHEN NOT MATCHED THEN INSERT (loja_sk, loja_id, nome, tipo, cidade, estado, regiao, data_abertura)
  VALUES (s.loja_sk, s.loja_id, s.nome, s.tipo, s.cidade, s.estado, s.regiao, s.data_abertura);
