SELECT
  date_trunc('month', CONVERT_TIMEZONE('UTC', 'America/Sao_Paulo', "ec".order_date)) "ECommerce__orderDate_month",
  sum("ec".sales) "ECommerce__totalSales",
  count("ec".customer_id) "ECommerce__count"
FROM ecommerce AS "ec"
WHERE ("ec".order_date >= CAST($1 AS TIMESTAMP) AND "ec".order_date <= CAST($2 AS TIMESTAMP))
GROUP BY 1
ORDER BY "ECommerce__orderDate_month" ASC NULLS LAST
LIMIT 10000
-- params: ["2020-01-01 03:00:00.000","2020-07-01 02:59:59.999"]
