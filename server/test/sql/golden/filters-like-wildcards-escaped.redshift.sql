SELECT
  "Customers".customer_name "Customers__customerName"
FROM customers AS "Customers"
WHERE (("Customers".customer_name ILIKE '%' || $1 || '%' ESCAPE '!' OR "Customers".customer_name ILIKE '%' || $2 || '%' ESCAPE '!') AND ("Customers".customer_name NOT ILIKE $3 || '%' ESCAPE '!' OR ("Customers".customer_name IS NULL)) AND "Customers".customer_id ILIKE '%' || $4 ESCAPE '!')
GROUP BY 1
ORDER BY "Customers__customerName" ASC NULLS LAST
LIMIT 10000
-- params: ["100!%","a!_b","!!x","!_!%!!"]
