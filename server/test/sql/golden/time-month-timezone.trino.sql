SELECT
  date_trunc('month', CAST(with_timezone(CAST("ec".order_date AS TIMESTAMP), 'UTC') AT TIME ZONE 'America/Sao_Paulo' AS TIMESTAMP)) "ECommerce__orderDate_month",
  sum("ec".sales) "ECommerce__totalSales",
  count("ec".customer_id) "ECommerce__count"
FROM ecommerce AS "ec"
WHERE ("ec".order_date >= CAST(? AS TIMESTAMP) AND "ec".order_date <= CAST(? AS TIMESTAMP))
GROUP BY 1
ORDER BY "ECommerce__orderDate_month" ASC NULLS LAST
LIMIT 10000
-- params: ["2020-01-01 03:00:00.000","2020-07-01 02:59:59.999"]
