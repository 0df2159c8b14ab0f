SELECT
  "Customers".customer_name "Customers__customerName"
FROM customers AS "Customers"
WHERE ((LOWER("Customers".customer_name) LIKE LOWER('%' || ? || '%') ESCAPE '!' OR LOWER("Customers".customer_name) LIKE LOWER('%' || ? || '%') ESCAPE '!') AND (LOWER("Customers".customer_name) NOT LIKE LOWER(? || '%') ESCAPE '!' OR ("Customers".customer_name IS NULL)) AND LOWER("Customers".customer_id) LIKE LOWER('%' || ?) ESCAPE '!')
GROUP BY 1
ORDER BY "Customers__customerName" ASC NULLS LAST
LIMIT 10000
-- params: ["100!%","a!_b","!!x","!_!%!!"]
