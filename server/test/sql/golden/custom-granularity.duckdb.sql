SELECT
  (TIMESTAMP '2020-02-01 10:00:00.000' + to_months(CAST(2 * floor((epoch(timezone('UTC', CAST("ec".order_date AS TIMESTAMPTZ))) - epoch(TIMESTAMP '2020-02-01 10:00:00.000')) / 5184000) AS INTEGER)) + to_seconds(CAST(0 * floor((epoch(timezone('UTC', CAST("ec".order_date AS TIMESTAMPTZ))) - epoch(TIMESTAMP '2020-02-01 10:00:00.000')) / 5184000) AS BIGINT))) "ECommerce__customOrderDateNoPreAgg_two_mo_by_feb",
  count("ec".customer_id) "ECommerce__count"
FROM ecommerce AS "ec"
WHERE ("ec".order_date >= CAST($1 AS TIMESTAMP) AND "ec".order_date <= CAST($2 AS TIMESTAMP))
GROUP BY 1
ORDER BY "ECommerce__customOrderDateNoPreAgg_two_mo_by_feb" ASC NULLS LAST
LIMIT 10000
-- params: ["2020-01-01T00:00:00.000","2020-12-31T23:59:59.999"]
