SELECT
  `q_0`.`BigECommerce__orderDate_week` `BigECommerce__orderDate_week`,
  `q_1`.`BigECommerce__totalProfitYearAgo` `BigECommerce__totalProfitYearAgo`,
  `q_0`.`BigECommerce__totalProfit` `BigECommerce__totalProfit`
FROM (
SELECT
  date_trunc('WEEK', from_utc_timestamp(`BigECommerce`.order_date, 'UTC')) `BigECommerce__orderDate_week`,
  sum(`BigECommerce`.profit) `BigECommerce__totalProfit`
FROM bigecommerce AS `BigECommerce`
WHERE (`BigECommerce`.order_date >= CAST(? AS TIMESTAMP) AND `BigECommerce`.order_date <= CAST(? AS TIMESTAMP))
GROUP BY 1
) AS `q_0`
INNER JOIN (
SELECT
  date_trunc('WEEK', (from_utc_timestamp(`BigECommerce`.order_date, 'UTC') + INTERVAL 366 DAY)) `BigECommerce__orderDate_week`,
  sum(`BigECommerce`.profit) `BigECommerce__totalProfitYearAgo`
FROM bigecommerce AS `BigECommerce`
WHERE (`BigECommerce`.order_date >= CAST(? AS TIMESTAMP) AND `BigECommerce`.order_date <= CAST(? AS TIMESTAMP))
GROUP BY 1
) AS `q_1` ON `q_0`.`BigECommerce__orderDate_week` IS NOT DISTINCT FROM `q_1`.`BigECommerce__orderDate_week`
ORDER BY `BigECommerce__orderDate_week` ASC NULLS LAST
LIMIT 10000
-- params: ["2020-01-01T00:00:00.000","2020-02-29T23:59:59.999","2018-12-31T00:00:00.000","2019-02-28T23:59:59.999"]
