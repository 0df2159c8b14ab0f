SELECT
  "ec".order_id "ECommerce__orderId",
  "ec".profit "ECommerce__totalProfit"
FROM ecommerce AS "ec"
WHERE ("ec".order_date >= CAST($1 AS TIMESTAMP) AND ("ec".completed_date < CAST($2 AS TIMESTAMP) OR "ec".completed_date > CAST($3 AS TIMESTAMP)) AND "ec".order_date < CAST($4 AS TIMESTAMP))
ORDER BY "ECommerce__totalProfit" DESC NULLS FIRST
LIMIT 10000
-- params: ["2020-03-01 00:00:00.000","2020-05-01 00:00:00.000","2020-05-31 23:59:59.999","2020-12-01 00:00:00.000"]
