SELECT
  date_trunc('MONTH', from_utc_timestamp(`ec`.order_date, 'America/Sao_Paulo')) `ECommerce__orderDate_month`,
  sum(`ec`.sales) `ECommerce__totalSales`,
  count(`ec`.customer_id) `ECommerce__count`
FROM ecommerce AS `ec`
WHERE (`ec`.order_date >= CAST(? AS TIMESTAMP) AND `ec`.order_date <= CAST(? AS TIMESTAMP))
GROUP BY 1
ORDER BY `ECommerce__orderDate_month` ASC NULLS LAST
LIMIT 10000
-- params: ["2020-01-01T03:00:00.000","2020-07-01T02:59:59.999"]
