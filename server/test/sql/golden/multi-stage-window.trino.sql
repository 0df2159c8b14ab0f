SELECT
  "BigECommerce".category "BigECommerce__category",
  date_trunc('month', CAST(with_timezone(CAST("BigECommerce".order_date AS TIMESTAMP), 'UTC') AT TIME ZONE 'UTC' AS TIMESTAMP)) "BigECommerce__orderDate_month",
  sum("BigECommerce".profit) "BigECommerce__totalProfit",
  ROUND(100 * sum("BigECommerce".profit) / NULLIF(sum(sum("BigECommerce".profit)) OVER (PARTITION BY date_trunc('month', CAST(with_timezone(CAST("BigECommerce".order_date AS TIMESTAMP), 'UTC') AT TIME ZONE 'UTC' AS TIMESTAMP))), 0)) "BigECommerce__percentageOfTotalForStatus",
  sum(sum("BigECommerce".profit)) OVER (PARTITION BY date_trunc('quarter', date_trunc('month', CAST(with_timezone(CAST("BigECommerce".order_date AS TIMESTAMP), 'UTC') AT TIME ZONE 'UTC' AS TIMESTAMP)))) "BigECommerce__totalProfitForQuarter"
FROM bigecommerce AS "BigECommerce"
WHERE ("BigECommerce".order_date >= CAST(? AS TIMESTAMP) AND "BigECommerce".order_date <= CAST(? AS TIMESTAMP))
GROUP BY 1, 2
ORDER BY "BigECommerce__orderDate_month" ASC NULLS LAST
LIMIT 10000
-- params: ["2020-01-01 00:00:00.000","2020-12-31 23:59:59.999"]
