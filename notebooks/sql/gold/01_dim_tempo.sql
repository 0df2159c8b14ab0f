-- gold.dim_tempo: conformed date dimension, generated (no source), one row per day of every calendar
-- year that has a sale or a refund in silver. Re-runnable: only missing days are inserted.
-- Days are numbered from 2000-01-03, a Monday, so the ISO weekday is plain arithmetic (both engines
-- number weekdays differently in their built-ins). evento_sazonal marks Brazilian retail dates:
-- Black Friday (the Friday after the 4th Thursday of November), Cyber Monday (the Monday after), Natal (Dec 15–25),
-- Dia das Mães (2nd Sunday of May), Dia dos Pais (2nd Sunday of August), Dia dos Namorados (Jun 12),
-- Ano Novo (Jan 1); NULL on other days.
CREATE SCHEMA IF NOT EXISTS gold;

CREATE TABLE IF NOT EXISTS gold.dim_tempo (
  data_sk INT, data DATE, ano INT, trimestre INT, mes INT, nome_mes STRING, dia INT, dia_semana INT,
  nome_dia_semana STRING, semana_iso INT, is_fim_de_semana BOOLEAN, evento_sazonal STRING);

MERGE INTO gold.dim_tempo AS t
USING (
  WITH bounds AS (
    SELECT year(min(lo)) AS ano_de, year(max(hi)) AS ano_ate
    FROM (
      SELECT min(order_ts) AS lo, max(order_ts) AS hi FROM silver.sales_orders
      UNION ALL
      SELECT min(refunded_at) AS lo, max(refunded_at) AS hi FROM silver.returns
    ) x
  ),
  digits AS (
    SELECT n FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) AS v(n)
  ),
  offsets AS (
    SELECT a.n + 10 * b.n + 100 * c.n + 1000 * d.n + 10000 * e.n AS n
    FROM digits a CROSS JOIN digits b CROSS JOIN digits c CROSS JOIN digits d CROSS JOIN digits e
  ),
  days AS (
    SELECT DATE '2000-01-03' + o.n AS data, o.n % 7 + 1 AS dia_semana
    FROM offsets o
  ),
  parts AS (
    SELECT d.data, CAST(year(d.data) AS INT) AS ano, CAST(quarter(d.data) AS INT) AS trimestre,
           CAST(month(d.data) AS INT) AS mes, CAST(day(d.data) AS INT) AS dia,
           CAST(d.dia_semana AS INT) AS dia_semana, CAST(weekofyear(d.data) AS INT) AS semana_iso
    FROM days d CROSS JOIN bounds b
    WHERE year(d.data) >= b.ano_de AND year(d.data) <= b.ano_ate
  )
  SELECT CAST(ano * 10000 + mes * 100 + dia AS INT) AS data_sk, data, ano, trimestre, mes,
         CASE mes WHEN 1 THEN 'Janeiro' WHEN 2 THEN 'Fevereiro' WHEN 3 THEN 'Março' WHEN 4 THEN 'Abril'
                  WHEN 5 THEN 'Maio' WHEN 6 THEN 'Junho' WHEN 7 THEN 'Julho' WHEN 8 THEN 'Agosto'
                  WHEN 9 THEN 'Setembro' WHEN 10 THEN 'Outubro' WHEN 11 THEN 'Novembro'
                  ELSE 'Dezembro' END AS nome_mes,
         dia, dia_semana,
         CASE dia_semana WHEN 1 THEN 'Segunda-feira' WHEN 2 THEN 'Terça-feira' WHEN 3 THEN 'Quarta-feira'
                         WHEN 4 THEN 'Quinta-feira' WHEN 5 THEN 'Sexta-feira' WHEN 6 THEN 'Sábado'
                         ELSE 'Domingo' END AS nome_dia_semana,
         semana_iso,
         dia_semana >= 6 AS is_fim_de_semana,
         CASE WHEN mes = 11 AND dia_semana = 5 AND dia BETWEEN 23 AND 29 THEN 'Black Friday'
              WHEN (mes = 11 AND dia_semana = 1 AND dia BETWEEN 26 AND 30)
                OR (mes = 12 AND dia_semana = 1 AND dia <= 2) THEN 'Cyber Monday'
              WHEN mes = 12 AND dia BETWEEN 15 AND 25 THEN 'Natal'
              WHEN mes = 5 AND dia_semana = 7 AND dia BETWEEN 8 AND 14 THEN 'Dia das Mães'
              WHEN mes = 8 AND dia_semana = 7 AND dia BETWEEN 8 AND 14 THEN 'Dia dos Pais'
              WHEN mes = 6 AND dia = 12 THEN 'Dia dos Namorados'
              WHEN mes = 1 AND dia = 1 THEN 'Ano Novo' END AS evento_sazonal
  FROM parts
) AS s
ON t.data_sk = s.data_sk
WHEN NOT MATCHED THEN INSERT
  (data_sk, data, ano, trimestre, mes, nome_mes, dia, dia_semana, nome_dia_semana, semana_iso,
   is_fim_de_semana, evento_sazonal)
  VALUES (s.data_sk, s.data, s.ano, s.trimestre, s.mes, s.nome_mes, s.dia, s.dia_semana,
          s.nome_dia_semana, s.semana_iso, s.is_fim_de_semana, s.evento_sazonal);
