SELECT
  "q_0"."BigECommerce__orderDate_week" "BigECommerce__orderDate_week",
  "q_1"."BigECommerce__totalProfitYearAgo" "BigECommerce__totalProfitYearAgo",
  "q_0"."BigECommerce__totalProfit" "BigECommerce__totalProfit"
FROM (
SELECT
  date_trunc('week', CONVERT_TIMEZONE('UTC', 'UTC', "BigECommerce".order_date)) "BigECommerce__orderDate_week",
  sum("BigECommerce".profit) "BigECommerce__totalProfit"
FROM bigecommerce AS "BigECommerce"
WHERE ("BigECommerce".order_date >= CAST($1 AS TIMESTAMP) AND "BigECommerce".order_date <= CAST($2 AS TIMESTAMP))
GROUP BY 1
) AS "q_0"
INNER JOIN (
SELECT
  date_trunc('week', DATEADD(day, 366, CONVERT_TIMEZONE('UTC', 'UTC', "BigECommerce".order_date))) "BigECommerce__orderDate_week",
  sum("BigECommerce".profit) "BigECommerce__totalProfitYearAgo"
FROM bigecommerce AS "BigECommerce"
WHERE ("BigECommerce".order_date >= CAST($3 AS TIMESTAMP) AND "BigECommerce".order_date <= CAST($4 AS TIMESTAMP))
GROUP BY 1
) AS "q_1" ON ("q_0"."BigECommerce__orderDate_week" = "q_1"."BigECommerce__orderDate_week" OR ("q_0"."BigECommerce__orderDate_week" IS NULL AND "q_1"."BigECommerce__orderDate_week" IS NULL))
ORDER BY "BigECommerce__orderDate_week" ASC NULLS LAST
LIMIT 10000
-- params: ["2020-01-01 00:00:00.000","2020-02-29 23:59:59.999","2018-12-31 00:00:00.000","2019-02-28 23:59:59.999"]
