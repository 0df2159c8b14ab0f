SELECT
  `BigECommerce`.category `BigECommerce__category`,
  date_trunc('MONTH', from_utc_timestamp(`BigECommerce`.order_date, 'UTC')) `BigECommerce__orderDate_month`,
  sum(`BigECommerce`.profit) `BigECommerce__totalProfit`,
  ROUND(100 * sum(`BigECommerce`.profit) / NULLIF(sum(sum(`BigECommerce`.profit)) OVER (PARTITION BY date_trunc('MONTH', from_utc_timestamp(`BigECommerce`.order_date, 'UTC'))), 0)) `BigECommerce__percentageOfTotalForStatus`,
  sum(sum(`BigECommerce`.profit)) OVER (PARTITION BY date_trunc('QUARTER', date_trunc('MONTH', from_utc_timestamp(`BigECommerce`.order_date, 'UTC')))) `BigECommerce__totalProfitForQuarter`
FROM bigecommerce AS `BigECommerce`
WHERE (`BigECommerce`.order_date >= CAST(? AS TIMESTAMP) AND `BigECommerce`.order_date <= CAST(? AS TIMESTAMP))
GROUP BY 1, 2
ORDER BY `BigECommerce__orderDate_month` ASC NULLS LAST
LIMIT 10000
-- params: ["2020-01-01T00:00:00.000","2020-12-31T23:59:59.999"]
