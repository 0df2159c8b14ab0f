SELECT
  "q_0"."BigECommerce__orderDate_quarter" "BigECommerce__orderDate_quarter",
  "q_0"."BigECommerce__rollingCountYTD" "BigECommerce__rollingCountYTD",
  "q_1"."BigECommerce__countApproxByCustomer" "BigECommerce__countApproxByCustomer"
FROM (
SELECT
  "series"."label" "BigECommerce__orderDate_quarter",
  NULLIF(count("base"."BigECommerce__rollingCountYTD"), 0) "BigECommerce__rollingCountYTD"
FROM (SELECT CAST($1 AS TIMESTAMP) AS "label", CAST($2 AS TIMESTAMP) AS "date_from", CAST($3 AS TIMESTAMP) AS "date_to" UNION ALL SELECT CAST($4 AS TIMESTAMP), CAST($5 AS TIMESTAMP), CAST($6 AS TIMESTAMP) UNION ALL SELECT CAST($7 AS TIMESTAMP), CAST($8 AS TIMESTAMP), CAST($9 AS TIMESTAMP) UNION ALL SELECT CAST($10 AS TIMESTAMP), CAST($11 AS TIMESTAMP), CAST($12 AS TIMESTAMP)) AS "series"
LEFT JOIN (
SELECT
  CONVERT_TIMEZONE('UTC', 'UTC', "BigECommerce".order_date) "__time",
  1 "BigECommerce__rollingCountYTD"
FROM bigecommerce AS "BigECommerce"
WHERE ("BigECommerce".order_date >= CAST($13 AS TIMESTAMP) AND "BigECommerce".order_date <= CAST($14 AS TIMESTAMP))
) AS "base" ON ("base"."__time" >= date_trunc('year', "series"."date_from") AND "base"."__time" <= "series"."date_to")
GROUP BY 1
) AS "q_0"
LEFT JOIN (
SELECT
  date_trunc('quarter', CONVERT_TIMEZONE('UTC', 'UTC', "BigECommerce".order_date)) "BigECommerce__orderDate_quarter",
  APPROXIMATE COUNT(DISTINCT "BigECommerce".customer_id) "BigECommerce__countApproxByCustomer"
FROM bigecommerce AS "BigECommerce"
WHERE ("BigECommerce".order_date >= CAST($15 AS TIMESTAMP) AND "BigECommerce".order_date <= CAST($16 AS TIMESTAMP))
GROUP BY 1
) AS "q_1" ON ("q_0"."BigECommerce__orderDate_quarter" = "q_1"."BigECommerce__orderDate_quarter" OR ("q_0"."BigECommerce__orderDate_quarter" IS NULL AND "q_1"."BigECommerce__orderDate_quarter" IS NULL))
ORDER BY "BigECommerce__orderDate_quarter" ASC NULLS LAST
LIMIT 10000
-- params: ["2020-01-01 00:00:00.000","2020-01-01 00:00:00.000","2020-03-31 23:59:59.999","2020-04-01 00:00:00.000","2020-04-01 00:00:00.000","2020-06-30 23:59:59.999","2020-07-01 00:00:00.000","2020-07-01 00:00:00.000","2020-09-30 23:59:59.999","2020-10-01 00:00:00.000","2020-10-01 00:00:00.000","2020-12-31 23:59:59.999","2020-01-01 00:00:00.000","2020-12-31 23:59:59.999","2020-01-01 00:00:00.000","2020-12-31 23:59:59.999"]
