SELECT
  "q_0"."BigECommerce__orderDate_month" "BigECommerce__orderDate_month",
  "q_0"."BigECommerce__rollingCountBy2Month" "BigECommerce__rollingCountBy2Month",
  "q_1"."BigECommerce__totalSales" "BigECommerce__totalSales"
FROM (
SELECT
  "series"."label" "BigECommerce__orderDate_month",
  NULLIF(count("base"."BigECommerce__rollingCountBy2Month"), 0) "BigECommerce__rollingCountBy2Month"
FROM (SELECT CAST($1 AS TIMESTAMP) AS "label", CAST($2 AS TIMESTAMP) AS "date_from", CAST($3 AS TIMESTAMP) AS "date_to" UNION ALL SELECT CAST($4 AS TIMESTAMP), CAST($5 AS TIMESTAMP), CAST($6 AS TIMESTAMP) UNION ALL SELECT CAST($7 AS TIMESTAMP), CAST($8 AS TIMESTAMP), CAST($9 AS TIMESTAMP) UNION ALL SELECT CAST($10 AS TIMESTAMP), CAST($11 AS TIMESTAMP), CAST($12 AS TIMESTAMP)) AS "series"
LEFT JOIN (
SELECT
  CONVERT_TIMEZONE('UTC', 'UTC', "BigECommerce".order_date) "__time",
  1 "BigECommerce__rollingCountBy2Month"
FROM bigecommerce AS "BigECommerce"
WHERE ("BigECommerce".order_date >= CAST($13 AS TIMESTAMP) AND "BigECommerce".order_date <= CAST($14 AS TIMESTAMP))
) AS "base" ON ("base"."__time" > DATEADD(month, -2, "series"."date_to") AND "base"."__time" <= "series"."date_to")
GROUP BY 1
) AS "q_0"
LEFT JOIN (
SELECT
  date_trunc('month', CONVERT_TIMEZONE('UTC', 'UTC', "BigECommerce".order_date)) "BigECommerce__orderDate_month",
  sum("BigECommerce".sales) "BigECommerce__totalSales"
FROM bigecommerce AS "BigECommerce"
WHERE ("BigECommerce".order_date >= CAST($15 AS TIMESTAMP) AND "BigECommerce".order_date <= CAST($16 AS TIMESTAMP))
GROUP BY 1
) AS "q_1" ON ("q_0"."BigECommerce__orderDate_month" = "q_1"."BigECommerce__orderDate_month" OR ("q_0"."BigECommerce__orderDate_month" IS NULL AND "q_1"."BigECommerce__orderDate_month" IS NULL))
ORDER BY "BigECommerce__orderDate_month" ASC NULLS LAST
LIMIT 10000
-- params: ["2020-01-01 00:00:00.000","2020-01-01 00:00:00.000","2020-01-31 23:59:59.999","2020-02-01 00:00:00.000","2020-02-01 00:00:00.000","2020-02-29 23:59:59.999","2020-03-01 00:00:00.000","2020-03-01 00:00:00.000","2020-03-31 23:59:59.999","2020-04-01 00:00:00.000","2020-04-01 00:00:00.000","2020-04-30 23:59:59.999","2019-11-01 00:00:00.000","2020-04-30 23:59:59.999","2020-01-01 00:00:00.000","2020-04-30 23:59:59.999"]
