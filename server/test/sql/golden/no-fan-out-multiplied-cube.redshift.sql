SELECT
  "q_0"."Customers__customerName" "Customers__customerName",
  "q_1"."Customers__count" "Customers__count",
  "q_0"."ECommerce__totalQuantity" "ECommerce__totalQuantity"
FROM (
SELECT
  "Customers".customer_name "Customers__customerName",
  sum("ec".quantity) "ECommerce__totalQuantity"
FROM ecommerce AS "ec"
LEFT JOIN customers AS "Customers" ON "ec".customer_id = "Customers".customer_id
GROUP BY 1
) AS "q_0"
LEFT JOIN (
SELECT
  "keys"."Customers__customerName" "Customers__customerName",
  count("Customers".customer_id) "Customers__count"
FROM (
SELECT DISTINCT
  "Customers".customer_name "Customers__customerName",
  "Customers".customer_id "Customers__pk_0"
FROM ecommerce AS "ec"
LEFT JOIN customers AS "Customers" ON "ec".customer_id = "Customers".customer_id
) AS "keys"
LEFT JOIN customers AS "Customers" ON "keys"."Customers__pk_0" = "Customers".customer_id
GROUP BY 1
) AS "q_1" ON ("q_0"."Customers__customerName" = "q_1"."Customers__customerName" OR ("q_0"."Customers__customerName" IS NULL AND "q_1"."Customers__customerName" IS NULL))
ORDER BY "Customers__customerName" ASC NULLS LAST
LIMIT 10000
-- params: []
