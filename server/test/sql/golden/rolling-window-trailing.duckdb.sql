SELECT
  "q_0"."BigECommerce__orderDate_month" "BigECommerce__orderDate_month",
  "q_0"."BigECommerce__rollingCountBy2Month" "BigECommerce__rollingCountBy2Month",
  "q_1"."BigECommerce__totalSales" "BigECommerce__totalSales"
FROM (
SELECT
  "series"."label" "BigECommerce__orderDate_month",
  NULLIF(count("base"."BigECommerce__rollingCountBy2Month"), 0) "BigECommerce__rollingCountBy2Month"
FROM (VALUES (CAST($1 AS TIMESTAMP), CAST($2 AS TIMESTAMP), CAST($3 AS TIMESTAMP)), (CAST($4 AS TIMESTAMP), CAST($5 AS TIMESTAMP), CAST($6 AS TIMESTAMP)), (CAST($7 AS TIMESTAMP), CAST($8 AS TIMESTAMP), CAST($9 AS TIMESTAMP)), (CAST($10 AS TIMESTAMP), CAST($11 AS TIMESTAMP), CAST($12 AS TIMESTAMP))) AS "series" ("label", "date_from", "date_to")
LEFT JOIN (
SELECT
  timezone('UTC', CAST("BigECommerce".order_date AS TIMESTAMPTZ)) "__time",
  1 "BigECommerce__rollingCountBy2Month"
FROM bigecommerce AS "BigECommerce"
WHERE ("BigECommerce".order_date >= CAST($13 AS TIMESTAMP) AND "BigECommerce".order_date <= CAST($14 AS TIMESTAMP))
) AS "base" ON ("base"."__time" > ("series"."date_to" - INTERVAL '2 month') AND "base"."__time" <= "series"."date_to")
GROUP BY 1
) AS "q_0"
LEFT JOIN (
SELECT
  date_trunc('month', timezone('UTC', CAST("BigECommerce".order_date AS TIMESTAMPTZ))) "BigECommerce__orderDate_month",
  sum("BigECommerce".sales) "BigECommerce__totalSales"
FROM bigecommerce AS "BigECommerce"
WHERE ("BigECommerce".order_date >= CAST($15 AS TIMESTAMP) AND "BigECommerce".order_date <= CAST($16 AS TIMESTAMP))
GROUP BY 1
) AS "q_1" ON "q_0"."BigECommerce__orderDate_month" IS NOT DISTINCT FROM "q_1"."BigECommerce__orderDate_month"
ORDER BY "BigECommerce__orderDate_month" ASC NULLS LAST
LIMIT 10000
-- params: ["2020-01-01T00:00:00.000","2020-01-01T00:00:00.000","2020-01-31T23:59:59.999","2020-02-01T00:00:00.000","2020-02-01T00:00:00.000","2020-02-29T23:59:59.999","2020-03-01T00:00:00.000","2020-03-01T00:00:00.000","2020-03-31T23:59:59.999","2020-04-01T00:00:00.000","2020-04-01T00:00:00.000","2020-04-30T23:59:59.999","2019-11-01T00:00:00.000","2020-04-30T23:59:59.999","2020-01-01T00:00:00.000","2020-04-30T23:59:59.999"]
