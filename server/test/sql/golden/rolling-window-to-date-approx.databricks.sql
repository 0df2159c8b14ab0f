SELECT
  `q_0`.`BigECommerce__orderDate_quarter` `BigECommerce__orderDate_quarter`,
  `q_0`.`BigECommerce__rollingCountYTD` `BigECommerce__rollingCountYTD`,
  `q_1`.`BigECommerce__countApproxByCustomer` `BigECommerce__countApproxByCustomer`
FROM (
SELECT
  `series`.`label` `BigECommerce__orderDate_quarter`,
  NULLIF(count(`base`.`BigECommerce__rollingCountYTD`), 0) `BigECommerce__rollingCountYTD`
FROM (SELECT * FROM VALUES (CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP)), (CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP)), (CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP)), (CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP)) AS t(`label`, `date_from`, `date_to`)) AS `series`
LEFT JOIN (
SELECT
  from_utc_timestamp(`BigECommerce`.order_date, 'UTC') `__time`,
  1 `BigECommerce__rollingCountYTD`
FROM bigecommerce AS `BigECommerce`
WHERE (`BigECommerce`.order_date >= CAST(? AS TIMESTAMP) AND `BigECommerce`.order_date <= CAST(? AS TIMESTAMP))
) AS `base` ON (`base`.`__time` >= date_trunc('YEAR', `series`.`date_from`) AND `base`.`__time` <= `series`.`date_to`)
GROUP BY 1
) AS `q_0`
LEFT JOIN (
SELECT
  date_trunc('QUARTER', from_utc_timestamp(`BigECommerce`.order_date, 'UTC')) `BigECommerce__orderDate_quarter`,
  approx_count_distinct(`BigECommerce`.customer_id) `BigECommerce__countApproxByCustomer`
FROM bigecommerce AS `BigECommerce`
WHERE (`BigECommerce`.order_date >= CAST(? AS TIMESTAMP) AND `BigECommerce`.order_date <= CAST(? AS TIMESTAMP))
GROUP BY 1
) AS `q_1` ON `q_0`.`BigECommerce__orderDate_quarter` IS NOT DISTINCT FROM `q_1`.`BigECommerce__orderDate_quarter`
ORDER BY `BigECommerce__orderDate_quarter` ASC NULLS LAST
LIMIT 10000
-- params: ["2020-01-01T00:00:00.000","2020-01-01T00:00:00.000","2020-03-31T23:59:59.999","2020-04-01T00:00:00.000","2020-04-01T00:00:00.000","2020-06-30T23:59:59.999","2020-07-01T00:00:00.000","2020-07-01T00:00:00.000","2020-09-30T23:59:59.999","2020-10-01T00:00:00.000","2020-10-01T00:00:00.000","2020-12-31T23:59:59.999","2020-01-01T00:00:00.000","2020-12-31T23:59:59.999","2020-01-01T00:00:00.000","2020-12-31T23:59:59.999"]
