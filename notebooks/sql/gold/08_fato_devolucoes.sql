-- gold.fato_devolucoes: one row per refund, dated on the refund date, keyed to the sale line's
-- dimensions (taken from gold.fato_vendas).
-- Rules: a refund (silver.returns) is kept when refunded_at is set, quantity > 0 and its sale line
-- (source_system:order_id:line_no) exists in gold.fato_vendas; valor_devolvido = refund_amount
-- (NULL → 0). Refunds that stop qualifying are deleted.
-- Incremental: a refund row can change only when it changed in silver or its sale line was
-- recomputed, and gold/07 puts the orders of both in gold._vendas_pedidos_afetados and their sale
-- lines, computed afresh, in gold._vendas_linhas. So only the refunds of those orders are merged,
-- their sale lines read from the work table (never a scan of gold.fato_vendas); only changed rows
-- are written. In a full build (gold._vendas_modo.completo: fato_vendas was empty, so gold/07 wrote
-- it straight from its query) the sale lines are read from gold.fato_vendas instead. The gold/07
-- work tables are emptied at the end, so between runs they hold nothing and the next run's joins
-- are planned on their true, small size.
CREATE SCHEMA IF NOT EXISTS gold;

-- gold.fato_devolucoes is created by gold/07, which reads the sale lines its refunds point at.

MERGE INTO gold.fato_devolucoes AS t
USING (
  SELECT r.return_id AS devolucao_id, f.venda_id,
         CAST(year(r.refunded_at) * 10000 + month(r.refunded_at) * 100 + day(r.refunded_at) AS INT) AS data_devolucao_sk,
         r.refunded_at AS data_devolucao, f.cliente_sk, f.produto_sk, f.loja_sk, f.canal_sk,
         r.quantity AS quantidade,
         CAST(coalesce(r.refund_amount, 0) AS DECIMAL(18,2)) AS valor_devolvido,
         (f.venda_id IS NULL OR r.refunded_at IS NULL OR coalesce(r.quantity, 0) <= 0) AS _delete
  FROM silver.returns r
  JOIN gold._vendas_pedidos_afetados a ON a.origin = r.source_system AND a.order_id = r.order_id
  LEFT JOIN (
    -- incremental run: the recomputed lines; full build (every order affected, fato_vendas written
    -- straight from the query): fato_vendas itself (the gate has a row only then, so the scan is
    -- skipped otherwise)
    SELECT l.venda_id, l.cliente_sk, l.produto_sk, l.loja_sk, l.canal_sk
    FROM gold._vendas_linhas l WHERE NOT l._delete
    UNION ALL
    SELECT v.venda_id, v.cliente_sk, v.produto_sk, v.loja_sk, v.canal_sk
    FROM gold.fato_vendas v
    JOIN (SELECT true AS gate FROM gold._vendas_modo WHERE completo) g ON g.gate = (v.venda_id IS NOT NULL)
  ) f
    ON f.venda_id = r.source_system || ':' || r.order_id || ':' || CAST(r.line_no AS STRING)
) AS s
ON t.devolucao_id = s.devolucao_id
WHEN MATCHED AND s._delete THEN DELETE
WHEN MATCHED AND (t.venda_id IS DISTINCT FROM s.venda_id OR t.data_devolucao IS DISTINCT FROM s.data_devolucao
                  OR t.cliente_sk IS DISTINCT FROM s.cliente_sk OR t.produto_sk IS DISTINCT FROM s.produto_sk
                  OR t.loja_sk IS DISTINCT FROM s.loja_sk OR t.canal_sk IS DISTINCT FROM s.canal_sk
                  OR t.quantidade IS DISTINCT FROM s.quantidade
                  OR t.valor_devolvido IS DISTINCT FROM s.valor_devolvido) THEN UPDATE SET
  venda_id = s.venda_id, data_devolucao_sk = s.data_devolucao_sk, data_devolucao = s.data_devolucao,
  cliente_sk = s.cliente_sk, produto_sk = s.produto_sk, loja_sk = s.loja_sk, canal_sk = s.canal_sk,
  quantidade = s.quantidade, valor_devolvido = s.valor_devolvido
WHEN NOT MATCHED AND NOT s._delete THEN INSERT
  (devolucao_id, venda_id, data_devolucao_sk, data_devolucao, cliente_sk, produto_sk, loja_sk,
   canal_sk, quantidade, valor_devolvido)
  VALUES (s.devolucao_id, s.venda_id, s.data_devolucao_sk, s.data_devolucao, s.cliente_sk,
          s.produto_sk, s.loja_sk, s.canal_sk, s.quantidade, s.valor_devolvido);

DELETE FROM gold._vendas_linhas;

DELETE FROM gold._vendas_cabecalhos;

DELETE FROM gold._vendas_clientes_afetados;

DELETE FROM gold._vendas_pedidos_afetados;

DELETE FROM gold._vendas_modo;
