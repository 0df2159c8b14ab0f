import { existingCustomers, type DatagenParams } from './datagen-params.ts';
import { BRANDS, CITIES, FIRST_NAMES, LAST_NAMES, SEGMENTS, SUBCATEGORIES, listSql, valuesSql } from './reference-data.ts';
import type { CampaignPlan } from './campaign-plan.ts';
import type { CalendarDay } from './sample-calendar.ts';

/**
 * SQL building the master data in the generator's in-memory DuckDB: days, cities, products (and
 * their price changes), stores, campaigns, customers and the CRM versions of each customer.
 * Output tables named `out_*` carry a `dt` column: the landing partition they are written to.
 */
export function masterDataSql(p: DatagenParams, days: readonly CalendarDay[], campaigns: readonly CampaignPlan[]): string[] {
  const cityWeights = CITIES.map((c, i) => [i, c[0], c[1], c[2], c[3]] as const);
  const nOld = existingCustomers(p);
  const nNew = p.customers - nOld;
  const lastIdx = 729;
  return [
    `CREATE TEMP TABLE days AS SELECT CAST(day AS DATE) AS day, day_idx, n_orders, n_receipts FROM (VALUES ${valuesSql(
      days.map((d) => [d.day, d.dayIndex, d.onlineOrders, d.storeReceipts]),
    )}) t(day, day_idx, n_orders, n_receipts)`,
    // Cumulative weights let a uniform draw pick a city in proportion to its population.
    `CREATE TEMP TABLE cities AS SELECT idx, city, state, region,
       SUM(w) OVER (ORDER BY idx) / SUM(w) OVER () AS cum_hi, (SUM(w) OVER (ORDER BY idx) - w) / SUM(w) OVER () AS cum_lo
     FROM (VALUES ${valuesSql(cityWeights)}) t(idx, city, state, region, w)`,
    `CREATE TEMP TABLE subcats AS SELECT * FROM (VALUES ${valuesSql(SUBCATEGORIES.map((s, i) => [i, ...s]))}) t(idx, category, subcategory, base_price)`,
    `CREATE TEMP TABLE products AS
     SELECT k, 'P' || lpad(CAST(k + 1 AS VARCHAR), 6, '0') AS product_id,
       ${listSql(BRANDS)}[1 + CAST(floor(rnd(k, 'brand') * ${BRANDS.length}) AS INT)] AS brand, s.category, s.subcategory,
       CAST(round(s.base_price * (0.4 + rnd(k, 'pr1') + rnd(k, 'pr2') * rnd(k, 'pr3')), 1) - 0.1 AS DECIMAL(18,2)) AS list_price
     FROM range(${p.products}) r(k) JOIN subcats s ON s.idx = CAST(floor(rnd(k, 'subcat') * ${SUBCATEGORIES.length}) AS INT)`,
    `CREATE TEMP TABLE out_products AS
     SELECT DATE '${p.periodStart}' AS dt, product_id, brand || ' ' || subcategory || ' ' || upper(substr(md5(product_id), 1, 4)) AS name,
       category, subcategory, brand, list_price, CAST(DATE '${p.periodStart}' AS TIMESTAMP) + to_seconds(CAST(k AS BIGINT)) AS updated_at
     FROM products
     UNION ALL
     SELECT DATE '${p.periodStart}' + CAST(1 + floor(rnd(k, 'pchg-day') * ${lastIdx}) AS INT) AS dt, product_id,
       brand || ' ' || subcategory || ' ' || upper(substr(md5(product_id), 1, 4)), category, subcategory, brand,
       CAST(round(list_price * (0.85 + 0.3 * rnd(k, 'pchg')), 1) - 0.1 AS DECIMAL(18,2)),
       CAST(DATE '${p.periodStart}' + CAST(1 + floor(rnd(k, 'pchg-day') * ${lastIdx}) AS INT) AS TIMESTAMP) + to_seconds(CAST(36000 + k AS BIGINT))
     FROM products WHERE rnd(k, 'pchg-p') < 0.05`,
    `CREATE TEMP TABLE out_stores AS
     SELECT DATE '${p.periodStart}' AS dt, 'L000' AS store_id, 'Loja Online' AS name, 'online' AS store_type, 'São Paulo' AS city,
       'SP' AS state, 'Sudeste' AS region, DATE '2015-03-01' AS opened_at, CAST(DATE '${p.periodStart}' AS TIMESTAMP) AS updated_at
     UNION ALL
     SELECT DATE '${p.periodStart}', 'L' || lpad(CAST(k AS VARCHAR), 3, '0'), 'Loja ' || c.city || ' ' || k, 'physical', c.city, c.state, c.region,
       DATE '${p.periodStart}' - CAST(60 + floor(rnd(k, 'opened') * 4000) AS INT), CAST(DATE '${p.periodStart}' AS TIMESTAMP)
     FROM range(1, ${p.physicalStores + 1}) r(k) JOIN cities c ON rnd(k, 'store-city') >= c.cum_lo AND rnd(k, 'store-city') < c.cum_hi`,
    `CREATE TEMP TABLE campaigns AS SELECT campaign_id, name, utm_source, utm_medium, utm_campaign, CAST(start_date AS DATE) AS start_date,
       CAST(end_date AS DATE) AS end_date FROM (VALUES ${valuesSql(
         campaigns.map((c) => [c.campaignId, c.name, c.utmSource, c.utmMedium, c.utmCampaign, c.startDate, c.endDate]),
       )}) t(campaign_id, name, utm_source, utm_medium, utm_campaign, start_date, end_date)`,
    // Campaigns land in the partition of the day they were created, a week before they start.
    `CREATE TEMP TABLE out_campaigns AS
     SELECT greatest(start_date - 7, DATE '${p.periodStart}') AS dt, *, CAST(greatest(start_date - 7, DATE '${p.periodStart}') AS TIMESTAMP) + INTERVAL 9 HOUR AS updated_at
     FROM campaigns`,
    // Customers are numbered in signup order: those below nOld signed up before the period, the
    // rest one after another through it, so "customers signed up by day d" is a prefix.
    `CREATE TEMP TABLE customers AS
     SELECT k, 'C' || lpad(CAST(k + 1 AS VARCHAR), 7, '0') AS customer_id,
       ${listSql(FIRST_NAMES)}[1 + CAST(floor(rnd(k, 'fn') * ${FIRST_NAMES.length}) AS INT)] AS first_name,
       ${listSql(LAST_NAMES)}[1 + CAST(floor(rnd(k, 'ln') * ${LAST_NAMES.length}) AS INT)] AS last_name,
       c.idx AS city_idx, c.city, c.state,
       ${listSql(SEGMENTS)}[1 + CAST(floor(pow(rnd(k, 'seg'), 2) * 3) AS INT)] AS segment,
       DATE '1950-01-01' + CAST(floor(rnd(k, 'birth') * 19000) AS INT) AS birth_date,
       CASE WHEN k < ${nOld} THEN DATE '${p.periodStart}' - CAST(1 + floor(rnd(k, 'signup') * 1500) AS INT)
            ELSE DATE '${p.periodStart}' + CAST(floor((k - ${nOld}) * 730.0 / ${Math.max(1, nNew)}) AS INT) END AS signup_date
     FROM range(${p.customers}) r(k) JOIN cities c ON rnd(k, 'city') >= c.cum_lo AND rnd(k, 'city') < c.cum_hi`,
    crmVersionsSql(p),
  ];
}

/**
 * CRM rows: the first version of every customer (full export on the first day, then each signup on
 * its day), and a later change for 8 % of them (moved city, new segment, new email) — SCD2 material.
 * A tenth of the changes arrive late (updated_at before the file's day); 0.2 % of birth dates are
 * unparseable.
 */
function crmVersionsSql(p: DatagenParams): string {
  const attrs = (version: string) => `first_name || ' ' || last_name AS name,
       lower(strip_accents(first_name || '.' || last_name)) || ${version === 'v1' ? `CASE WHEN rnd(k, 'chg-mail') < 0.3 THEN '.novo' ELSE '' END || ` : ''}CAST(k + 1 AS VARCHAR) || '@exemplo.com.br' AS email`;
  const birth = `CASE WHEN rnd(k, 'bad-birth') < 0.002 THEN strftime(birth_date, '%d/%m/%Y') ELSE strftime(birth_date, '%Y-%m-%d') END AS birth_date`;
  return `CREATE TEMP TABLE out_crm_customers AS
    WITH v0 AS (SELECT *, greatest(signup_date, DATE '${p.periodStart}') AS first_dt FROM customers),
    v1 AS (
      SELECT v0.*, first_dt + CAST(1 + floor(rnd(k, 'chg-day') * (DATE '${p.periodEnd}' - first_dt - 1)) AS INT) AS chg_dt,
        c2.city AS new_city, c2.state AS new_state
      FROM v0 JOIN cities c2 ON c2.idx = (city_idx + 1 + CAST(floor(rnd(k, 'chg-city') * 19) AS INT)) % 20
      WHERE rnd(k, 'chg') < 0.08 AND DATE '${p.periodEnd}' - first_dt > 2
    )
    SELECT first_dt AS dt, customer_id, ${attrs('v0')}, city, state, segment, ${birth}, signup_date,
      CAST(first_dt AS TIMESTAMP) + to_seconds(CAST(28800 + floor(rnd(k, 't0') * 36000) AS BIGINT)) AS updated_at
    FROM v0
    UNION ALL
    SELECT chg_dt, customer_id, ${attrs('v1')},
      CASE WHEN rnd(k, 'chg-kind') < 0.7 THEN new_city ELSE city END,
      CASE WHEN rnd(k, 'chg-kind') < 0.7 THEN new_state ELSE state END,
      CASE WHEN rnd(k, 'chg-kind') >= 0.5 THEN ${listSql(SEGMENTS)}[least(3, 2 + CAST(floor(rnd(k, 'seg') * 2) AS INT))] ELSE segment END,
      ${birth}, signup_date,
      CAST(chg_dt - CASE WHEN rnd(k, 'late') < 0.1 AND chg_dt - first_dt > 4 THEN 1 + CAST(floor(rnd(k, 'late-d') * 3) AS INT) ELSE 0 END AS TIMESTAMP)
        + to_seconds(CAST(28800 + floor(rnd(k, 't1') * 36000) AS BIGINT))
    FROM v1`;
}
