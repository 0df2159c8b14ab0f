SELECT
  DATEADD(second, CAST(0 * floor((EXTRACT(EPOCH FROM CONVERT_TIMEZONE('UTC', 'UTC', "ec".order_date)) - EXTRACT(EPOCH FROM TIMESTAMP '2020-02-01 10:00:00.000')) / 5184000) AS INTEGER), DATEADD(month, CAST(2 * floor((EXTRACT(EPOCH FROM CONVERT_TIMEZONE('UTC', 'UTC', "ec".order_date)) - EXTRACT(EPOCH FROM TIMESTAMP '2020-02-01 10:00:00.000')) / 5184000) AS INTEGER), TIMESTAMP '2020-02-01 10:00:00.000')) "ECommerce__customOrderDateNoPreAgg_two_mo_by_feb",
  count("ec".customer_id) "ECommerce__count"
FROM ecommerce AS "ec"
WHERE ("ec".order_date >= CAST($1 AS TIMESTAMP) AND "ec".order_date <= CAST($2 AS TIMESTAMP))
GROUP BY 1
ORDER BY "ECommerce__customOrderDateNoPreAgg_two_mo_by_feb" ASC NULLS LAST
LIMIT 10000
-- params: ["2020-01-01 00:00:00.000","2020-12-31 23:59:59.999"]
