-- gold.dim_produto: the product catalog, from silver.products (type 1: current values).
-- produto_sk = md5-based key of product_id (see 02_dim_canal.sql); row 0 is "Não identificado" and
-- receives the sale lines whose product id is not in the catalog. Re-runnable upsert; only new or
-- changed rows are written (an update costs far more than a read).
CREATE SCHEMA IF NOT EXISTS gold;

CREATE TABLE IF NOT EXISTS gold.dim_produto (
  produto_sk BIGINT, produto_id STRING, nome STRING, categoria STRING, subcategoria STRING,
  marca STRING, preco_lista DECIMAL(18,2));

MERGE INTO gold.dim_produto AS t
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
      + CAST(instr('0123456789abcdef', substr(h, 15, 1)) - 1 AS BIGINT)) AS produto_sk, product_id AS produto_id, name AS nome, category AS categoria,
         subcategory AS subcategoria, brand AS marca, list_price AS preco_lista
  FROM (SELECT p.*, md5(p.product_id) AS h FROM silver.products p) k
  UNION ALL
  SELECT CAST(0 AS BIGINT), 'nao_identificado', 'Não identificado', CAST(NULL AS STRING),
         CAST(NULL AS STRING), CAST(NULL AS STRING), CAST(NULL AS DECIMAL(18,2))
) AS s
ON t.produto_id = s.produto_id
WHEN MATCHED AND (t.produto_sk IS DISTINCT FROM s.produto_sk
                  OR t.nome IS DISTINCT FROM s.nome
                  OR t.categoria IS DISTINCT FROM s.categoria
                  OR t.subcategoria IS DISTINCT FROM s.subcategoria
                  OR t.marca IS DISTINCT FROM s.marca
                  OR t.preco_lista IS DISTINCT FROM s.preco_lista) THEN UPDATE SET
  produto_sk = s.produto_sk, nome = s.nome, categoria = s.categoria, subcategoria = s.subcategoria,
  marca = s.marca, preco_lista = s.preco_lista
WHEN NOT MATCHED THEN INSERT (produto_sk, produto_id, nome, categoria, subcategoria, marca, preco_lista)
  VALUES (s.produto_sk, s.produto_id, s.nome, s.categoria, s.subcategoria, s.marca, s.preco_lista);
