SELECT
  "Customers".customer_id "Customers__customerId",
  "Customers".customer_name "Customers__customerName"
FROM customers AS "Customers"
GROUP BY 1, 2
ORDER BY "Customers__customerName" ASC NULLS LAST, "Customers__customerId" ASC NULLS LAST
LIMIT 10
OFFSET 5
-- params: []
