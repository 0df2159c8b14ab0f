SELECT
  "q_0"."BigECommerce__orderDate_quarter" "BigECommerce__orderDate_quarter",
  "q_0"."BigECommerce__rollingCountYTD" "BigECommerce__rollingCountYTD",
  "q_1"."BigECommerce__countApproxByCustomer" "BigECommerce__countApproxByCustomer"
FROM (
SELECT
  "series"."label" "BigECommerce__orderDate_quarter",
  NULLIF(count("base"."BigECommerce__rollingCountYTD"), 0) "BigECommerce__rollingCountYTD"
FROM (VALUES (CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP)), (CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP)), (CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP)), (CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP))) AS "series" ("label", "date_from", "date_to")
LEFT JOIN (
SELECT
  CAST(with_timezone(CAST("BigECommerce".order_date AS TIMESTAMP), 'UTC') AT TIME ZONE 'UTC' AS TIMESTAMP) "__time",
  1 "BigECommerce__rollingCountYTD"
FROM bigecommerce AS "BigECommerce"
WHERE ("BigECommerce".order_date >= CAST(? AS TIMESTAMP) AND "BigECommerce".order_date <= CAST(? AS TIMESTAMP))
) AS "base" ON ("base"."__time" >= date_trunc('year', "series"."date_from") AND "base"."__time" <= "series"."date_to")
GROUP BY 1
) AS "q_0"
LEFT JOIN (
SELECT
  date_trunc('quarter', CAST(with_timezone(CAST("BigECommerce".order_date AS TIMESTAMP), 'UTC') AT TIME ZONE 'UTC' AS TIMESTAMP)) "BigECommerce__orderDate_quarter",
  approx_distinct("BigECommerce".customer_id) "BigECommerce__countApproxByCustomer"
FROM bigecommerce AS "BigECommerce"
WHERE ("BigECommerce".order_date >= CAST(? AS TIMESTAMP) AND "BigECommerce".order_date <= CAST(? AS TIMESTAMP))
GROUP BY 1
) AS "q_1" ON "q_0"."BigECommerce__orderDate_quarter" IS NOT DISTINCT FROM "q_1"."BigECommerce__orderDate_quarter"
ORDER BY "BigECommerce__orderDate_quarter" ASC NULLS LAST
LIMIT 10000
-- params: ["2020-01-01 00:00:00.000","2020-01-01 00:00:00.000","2020-03-31 23:59:59.999","2020-04-01 00:00:00.000","2020-04-01 00:00:00.000","2020-06-30 23:59:59.999","2020-07-01 00:00:00.000","2020-07-01 00:00:00.000","2020-09-30 23:59:59.999","2020-10-01 00:00:00.000","2020-10-01 00:00:00.000","2020-12-31 23:59:59.999","2020-01-01 00:00:00.000","2020-12-31 23:59:59.999","2020-01-01 00:00:00.000","2020-12-31 23:59:59.999"]
