SELECT
  "ec".city "ECommerce__city",
  count("ec".customer_id) "ECommerce__count",
  avg(CAST("ec".discount AS DOUBLE)) "ECommerce__avgDiscount"
FROM ecommerce AS "ec"
WHERE ("ec".sales > ? OR ("ec".quantity >= ? AND ("ec".city IS NOT NULL)))
GROUP BY 1
HAVING count("ec".customer_id) >= ?
ORDER BY "ECommerce__count" DESC NULLS FIRST
LIMIT 10000
-- params: [100,3,2]
