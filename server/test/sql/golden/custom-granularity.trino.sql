SELECT
  date_add('second', CAST(0 * floor(CAST(date_diff('second', TIMESTAMP '2020-02-01 10:00:00.000', CAST(with_timezone(CAST("ec".order_date AS TIMESTAMP), 'UTC') AT TIME ZONE 'UTC' AS TIMESTAMP)) AS DOUBLE) / 5184000) AS BIGINT), date_add('month', CAST(2 * floor(CAST(date_diff('second', TIMESTAMP '2020-02-01 10:00:00.000', CAST(with_timezone(CAST("ec".order_date AS TIMESTAMP), 'UTC') AT TIME ZONE 'UTC' AS TIMESTAMP)) AS DOUBLE) / 5184000) AS BIGINT), TIMESTAMP '2020-02-01 10:00:00.000')) "ECommerce__customOrderDateNoPreAgg_two_mo_by_feb",
  count("ec".customer_id) "ECommerce__count"
FROM ecommerce AS "ec"
WHERE ("ec".order_date >= CAST(? AS TIMESTAMP) AND "ec".order_date <= CAST(? AS TIMESTAMP))
GROUP BY 1
ORDER BY "ECommerce__customOrderDateNoPreAgg_two_mo_by_feb" ASC NULLS LAST
LIMIT 10000
-- params: ["2020-01-01 00:00:00.000","2020-12-31 23:59:59.999"]
