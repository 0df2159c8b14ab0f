SELECT
  "ec".city "ECommerce__city",
  count("ec".customer_id) "ECommerce__count",
  avg(CAST("ec".discount AS FLOAT8)) "ECommerce__avgDiscount"
FROM ecommerce AS "ec"
WHERE ("ec".sales > $1 OR ("ec".quantity >= $2 AND ("ec".city IS NOT NULL)))
GROUP BY 1
HAVING count("ec".customer_id) >= $3
ORDER BY "ECommerce__count" DESC NULLS FIRST
LIMIT 10000
-- params: [100,3,2]
