SELECT
  "Customers".customer_name "Customers__customerName"
FROM customers AS "Customers"
WHERE (("Customers".customer_name ILIKE '%' || $1 || '%' ESCAPE '!' OR "Customers".customer_name ILIKE '%' || $2 || '%' ESCAPE '!') AND ("Customers".customer_name NOT ILIKE '%' || $3 || '%' ESCAPE '!' OR ("Customers".customer_name IS NULL)) AND "Customers".customer_id ILIKE $4 || '%' ESCAPE '!' AND ("Customers".customer_id NOT ILIKE '%' || $5 ESCAPE '!' OR ("Customers".customer_id IS NULL)) AND ("Customers".customer_id NOT IN ($6, $7) OR ("Customers".customer_id IS NULL)))
GROUP BY 1
ORDER BY "Customers__customerName" ASC NULLS LAST
LIMIT 10000
-- params: ["us","om","x","A","0","AH-10465","AJ-10780"]
