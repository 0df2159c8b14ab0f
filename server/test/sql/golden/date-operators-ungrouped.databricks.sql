SELECT
  `ec`.order_id `ECommerce__orderId`,
  `ec`.profit `ECommerce__totalProfit`
FROM ecommerce AS `ec`
WHERE (`ec`.order_date >= CAST(? AS TIMESTAMP) AND (`ec`.completed_date < CAST(? AS TIMESTAMP) OR `ec`.completed_date > CAST(? AS TIMESTAMP)) AND `ec`.order_date < CAST(? AS TIMESTAMP))
ORDER BY `ECommerce__totalProfit` DESC NULLS FIRST
LIMIT 10000
-- params: ["2020-03-01T00:00:00.000","2020-05-01T00:00:00.000","2020-05-31T23:59:59.999","2020-12-01T00:00:00.000"]
