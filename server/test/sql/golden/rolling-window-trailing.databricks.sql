SELECT
  `q_0`.`BigECommerce__orderDate_month` `BigECommerce__orderDate_month`,
  `q_0`.`BigECommerce__rollingCountBy2Month` `BigECommerce__rollingCountBy2Month`,
  `q_1`.`BigECommerce__totalSales` `BigECommerce__totalSales`
FROM (
SELECT
  `series`.`label` `BigECommerce__orderDate_month`,
  NULLIF(count(`base`.`BigECommerce__rollingCountBy2Month`), 0) `BigECommerce__rollingCountBy2Month`
FROM (SELECT * FROM VALUES (CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP)), (CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP)), (CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP)), (CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP)) AS t(`label`, `date_from`, `date_to`)) AS `series`
LEFT JOIN (
SELECT
  from_utc_timestamp(`BigECommerce`.order_date, 'UTC') `__time`,
  1 `BigECommerce__rollingCountBy2Month`
FROM bigecommerce AS `BigECommerce`
WHERE (`BigECommerce`.order_date >= CAST(? AS TIMESTAMP) AND `BigECommerce`.order_date <= CAST(? AS TIMESTAMP))
) AS `base` ON (`base`.`__time` > (`series`.`date_to` - INTERVAL 2 MONTH) AND `base`.`__time` <= `series`.`date_to`)
GROUP BY 1
) AS `q_0`
LEFT JOIN (
SELECT
  date_trunc('MONTH', from_utc_timestamp(`BigECommerce`.order_date, 'UTC')) `BigECommerce__orderDate_month`,
  sum(`BigECommerce`.sales) `BigECommerce__totalSales`
FROM bigecommerce AS `BigECommerce`
WHERE (`BigECommerce`.order_date >= CAST(? AS TIMESTAMP) AND `BigECommerce`.order_date <= CAST(? AS TIMESTAMP))
GROUP BY 1
) AS `q_1` ON `q_0`.`BigECommerce__orderDate_month` IS NOT DISTINCT FROM `q_1`.`BigECommerce__orderDate_month`
ORDER BY `BigECommerce__orderDate_month` ASC NULLS LAST
LIMIT 10000
-- params: ["2020-01-01T00:00:00.000","2020-01-01T00:00:00.000","2020-01-31T23:59:59.999","2020-02-01T00:00:00.000","2020-02-01T00:00:00.000","2020-02-29T23:59:59.999","2020-03-01T00:00:00.000","2020-03-01T00:00:00.000","2020-03-31T23:59:59.999","2020-04-01T00:00:00.000","2020-04-01T00:00:00.000","2020-04-30T23:59:59.999","2019-11-01T00:00:00.000","2020-04-30T23:59:59.999","2020-01-01T00:00:00.000","2020-04-30T23:59:59.999"]
