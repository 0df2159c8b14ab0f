SELECT
  "Customers".customer_name "Customers__customerName"
FROM customers AS "Customers"
WHERE ((LOWER("Customers".customer_name) LIKE LOWER('%' || ? || '%') ESCAPE '!' OR LOWER("Customers".customer_name) LIKE LOWER('%' || ? || '%') ESCAPE '!') AND (LOWER("Customers".customer_name) NOT LIKE LOWER('%' || ? || '%') ESCAPE '!' OR ("Customers".customer_name IS NULL)) AND LOWER("Customers".customer_id) LIKE LOWER(? || '%') ESCAPE '!' AND (LOWER("Customers".customer_id) NOT LIKE LOWER('%' || ?) ESCAPE '!' OR ("Customers".customer_id IS NULL)) AND ("Customers".customer_id NOT IN (?, ?) OR ("Customers".customer_id IS NULL)))
GROUP BY 1
ORDER BY "Customers__customerName" ASC NULLS LAST
LIMIT 10000
-- params: ["us","om","x","A","0","AH-10465","AJ-10780"]
