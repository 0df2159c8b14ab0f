SELECT
  timestampadd(SECOND, CAST(0 * floor((unix_timestamp(from_utc_timestamp(`ec`.order_date, 'UTC')) - unix_timestamp(TIMESTAMP '2020-02-01 10:00:00.000')) / 5184000) AS BIGINT), timestampadd(MONTH, CAST(2 * floor((unix_timestamp(from_utc_timestamp(`ec`.order_date, 'UTC')) - unix_timestamp(TIMESTAMP '2020-02-01 10:00:00.000')) / 5184000) AS INT), TIMESTAMP '2020-02-01 10:00:00.000')) `ECommerce__customOrderDateNoPreAgg_two_mo_by_feb`,
  count(`ec`.customer_id) `ECommerce__count`
FROM ecommerce AS `ec`
WHERE (`ec`.order_date >= CAST(? AS TIMESTAMP) AND `ec`.order_date <= CAST(? AS TIMESTAMP))
GROUP BY 1
ORDER BY `ECommerce__customOrderDateNoPreAgg_two_mo_by_feb` ASC NULLS LAST
LIMIT 10000
-- params: ["2020-01-01T00:00:00.000","2020-12-31T23:59:59.999"]
