SELECT
  "BigECommerce".category "BigECommerce__category",
  date_trunc('month', CONVERT_TIMEZONE('UTC', 'UTC', "BigECommerce".order_date)) "BigECommerce__orderDate_month",
  sum("BigECommerce".profit) "BigECommerce__totalProfit",
  ROUND(100 * sum("BigECommerce".profit) / NULLIF(sum(sum("BigECommerce".profit)) OVER (PARTITION BY date_trunc('month', CONVERT_TIMEZONE('UTC', 'UTC', "BigECommerce".order_date))), 0)) "BigECommerce__percentageOfTotalForStatus",
  sum(sum("BigECommerce".profit)) OVER (PARTITION BY date_trunc('quarter', date_trunc('month', CONVERT_TIMEZONE('UTC', 'UTC', "BigECommerce".order_date)))) "BigECommerce__totalProfitForQuarter"
FROM bigecommerce AS "BigECommerce"
WHERE ("BigECommerce".order_date >= CAST($1 AS TIMESTAMP) AND "BigECommerce".order_date <= CAST($2 AS TIMESTAMP))
GROUP BY 1, 2
ORDER BY "BigECommerce__orderDate_month" ASC NULLS LAST
LIMIT 10000
-- params: ["2020-01-01 00:00:00.000","2020-12-31 23:59:59.999"]
