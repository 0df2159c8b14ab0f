-- gold.dim_canal: the sales channel (site, app, marketplace, physical store). The marketing channel
-- (UTM) belongs to dim_campanha. Static rows, upserted so the file is re-runnable.
-- Surrogate keys (all dims): the first 15 hex digits of md5(natural key) read as a BIGINT, written
-- out digit by digit because DuckDB and Spark share no hex-to-integer function; row 0 is the
-- "not identified" member (natural key 'nao_identificado').
CREATE SCHEMA IF NOT EXISTS gold;

CREATE TABLE IF NOT EXISTS gold.dim_canal (canal_sk BIGINT, canal_id STRING, nome STRING, tipo STRING);

MERGE INTO gold.dim_canal AS t
USING (
  SELECT CASE WHEN canal_id = 'nao_identificado' THEN CAST(0 AS BIGINT) ELSE (CAST(instr('0123456789abcdef', substr(h, 1, 1)) - 1 AS BIGINT) * 72057594037927936
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
      + CAST(instr('0123456789abcdef', substr(h, 15, 1)) - 1 AS BIGINT)) END AS canal_sk,
         canal_id, nome, tipo
  FROM (
    SELECT canal_id, nome, tipo, md5(canal_id) AS h
    FROM (VALUES ('nao_identificado', 'Não identificado', 'nao_identificado'),
                 ('site', 'Site', 'online'),
                 ('app', 'Aplicativo', 'online'),
                 ('marketplace', 'Marketplace', 'online'),
                 ('loja_fisica', 'Loja física', 'fisico')) AS v(canal_id, nome, tipo)
  ) k
) AS s
ON t.canal_id = s.canal_id
WHEN MATCHED THEN UPDATE SET canal_sk = s.canal_sk, nome = s.nome, tipo = s.tipo
WHEN NOT MATCHED THEN INSERT (canal_sk, canal_id, nome, tipo) VALUES (s.canal_sk, s.canal_id, s.nome, s.tipo);
