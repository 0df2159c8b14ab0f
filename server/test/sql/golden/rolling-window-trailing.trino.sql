SELECT
  "q_0"."BigECommerce__orderDate_month" "BigECommerce__orderDate_month",
  "q_0"."BigECommerce__rollingCountBy2Month" "BigECommerce__rollingCountBy2Month",
  "q_1"."BigECommerce__totalSales" "BigECommerce__totalSales"
FROM (
SELECT
  "series"."label" "BigECommerce__orderDate_month",
  NULLIF(count("base"."BigECommerce__rollingCountBy2Month"), 0) "BigECommerce__rollingCountBy2Month"
FROM (VALUES (CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP)), (CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP)), (CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP)), (CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP))) AS "series" ("label", "date_from", "date_to")
LEFT JOIN (
SELECT
  CAST(with_timezone(CAST("BigECommerce".order_date AS TIMESTAMP), 'UTC') AT TIME ZONE 'UTC' AS TIMESTAMP) "__time",
  1 "BigECommerce__rollingCountBy2Month"
FROM bigecommerce AS "BigECommerce"
WHERE ("BigECommerce".order_date >= CAST(? AS TIMESTAMP) AND "BigECommerce".order_date <= CAST(? AS TIMESTAMP))
) AS "base" ON ("base"."__time" > date_add('month', -2, "series"."date_to") AND "base"."__time" <= "series"."date_to")
GROUP BY 1
) AS "q_0"
LEFT JOIN (
SELECT
  date_trunc('month', CAST(with_timezone(CAST("BigECommerce".order_date AS TIMESTAMP), 'UTC') AT TIME ZONE 'UTC' AS TIMESTAMP)) "BigECommerce__orderDate_month",
  sum("BigECommerce".sales) "BigECommerce__totalSales"
FROM bigecommerce AS "BigECommerce"
WHERE ("BigECommerce".order_date >= CAST(? AS TIMESTAMP) AND "BigECommerce".order_date <= CAST(? AS TIMESTAMP))
GROUP BY 1
) AS "q_1" ON "q_0"."BigECommerce__orderDate_month" IS NOT DISTINCT FROM "q_1"."BigECommerce__orderDate_month"
ORDER BY "BigECommerce__orderDate_month" ASC NULLS LAST
LIMIT 10000
-- params: ["2020-01-01 00:00:00.000","2020-01-01 00:00:00.000","2020-01-31 23:59:59.999","2020-02-01 00:00:00.000","2020-02-01 00:00:00.000","2020-02-29 23:59:59.999","2020-03-01 00:00:00.000","2020-03-01 00:00:00.000","2020-03-31 23:59:59.999","2020-04-01 00:00:00.000","2020-04-01 00:00:00.000","2020-04-30 23:59:59.999","2019-11-01 00:00:00.000","2020-04-30 23:59:59.999","2020-01-01 00:00:00.000","2020-04-30 23:59:59.999"]
