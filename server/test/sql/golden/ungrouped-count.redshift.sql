SELECT
  "ec".order_id "ECommerce__orderId",
  CASE WHEN ("ec".customer_id IS NOT NULL) THEN 1 END "ECommerce__count",
  "ec".sales "ECommerce__totalSales"
FROM ecommerce AS "ec"
ORDER BY "ECommerce__count" DESC NULLS FIRST
LIMIT 10000
-- params: []
