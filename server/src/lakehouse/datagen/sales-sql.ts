import { existingCustomers, type DatagenParams } from './datagen-params.ts';
import { PAYMENT_METHODS, listSql } from './reference-data.ts';

/**
 * Picks a customer index among those signed up by the row's day (a prefix of the customers, see
 * master-data-sql.ts): mostly skewed towards long-standing customers (returning buyers), sometimes
 * one who signed up in the last month (first purchases).
 */
function customerPickSql(p: DatagenParams, key: string): string {
  const nOld = existingCustomers(p);
  const nNew = p.customers - nOld;
  const signedUp = `least(${p.customers}, CAST(floor(${nOld} + ${nNew} * (day_idx + 1) / 730.0) AS BIGINT))`;
  const recent = Math.max(1, Math.round((nNew * 30) / 730));
  return `CASE WHEN rnd(${key}, 'cust-new') < 0.12
    THEN greatest(0, ${signedUp} - 1 - CAST(floor(rnd(${key}, 'cust') * ${recent}) AS BIGINT))
    ELSE CAST(floor(${signedUp} * pow(rnd(${key}, 'cust'), 1.8)) AS BIGINT) END`;
}

/** Lines per order/receipt from a uniform draw: mostly one or two. */
function lineCountSql(key: string, receipt: boolean): string {
  return receipt
    ? `CASE WHEN rnd(${key}, 'nl') < 0.55 THEN 1 WHEN rnd(${key}, 'nl') < 0.8 THEN 2 WHEN rnd(${key}, 'nl') < 0.92 THEN 3 ELSE 4 END`
    : `CASE WHEN rnd(${key}, 'nl') < 0.5 THEN 1 WHEN rnd(${key}, 'nl') < 0.75 THEN 2 WHEN rnd(${key}, 'nl') < 0.88 THEN 3 WHEN rnd(${key}, 'nl') < 0.95 THEN 4 ELSE 5 END`;
}

const QUANTITY = (key: string) => `CASE WHEN rnd(${key}, 'qty') < 0.75 THEN 1 WHEN rnd(${key}, 'qty') < 0.93 THEN 2 ELSE 3 END`;
const PRODUCT = (p: DatagenParams, key: string) => `CAST(floor(${p.products} * pow(rnd(${key}, 'prod'), 1.6)) AS BIGINT)`;
const TIME_OF_DAY = (key: string, fromHour: number, hours: number) =>
  `to_seconds(CAST(${fromHour * 3600} + floor(rnd(${key}, 'tod') * ${hours * 3600}) AS BIGINT))`;

/**
 * Online orders (ERP) and their lines. Lines carry the clean values; the dirty variants (negative
 * quantity, unknown product, unparseable quantity) are applied when writing the files, see
 * `landing-outputs-sql.ts`, so the RDS tables only refer to well-formed lines.
 */
export function onlineSalesSql(p: DatagenParams): string[] {
  return [
    `CREATE TEMP TABLE active_campaigns AS
     SELECT d.day, list(c.campaign_id ORDER BY c.campaign_id) AS ids FROM days d JOIN campaigns c ON d.day BETWEEN c.start_date AND c.end_date GROUP BY d.day`,
    `CREATE TEMP TABLE orders AS
     WITH o AS (
       SELECT day, day_idx, 'O' || strftime(day, '%Y%m%d') || lpad(CAST(seq AS VARCHAR), 5, '0') AS order_id
       FROM (SELECT day, day_idx, unnest(range(n_orders)) AS seq FROM days)
     ), c AS (
       SELECT o.*, a.ids, ${customerPickSql(p, 'order_id')} AS cust_k,
         CASE WHEN a.ids IS NOT NULL AND rnd(order_id, 'camp') < 0.35 THEN a.ids[1 + CAST(floor(rnd(order_id, 'camp-pick') * len(a.ids)) AS INT)] END AS campaign_id
       FROM o LEFT JOIN active_campaigns a USING (day)
     )
     SELECT c.day, c.order_id, cu.customer_id,
       CASE WHEN rnd(order_id, 'ch') < 0.5 THEN 'site' WHEN rnd(order_id, 'ch') < 0.85 THEN 'app' ELSE 'marketplace' END AS channel,
       CAST(c.day AS TIMESTAMP) + ${TIME_OF_DAY('order_id', 7, 17)} AS order_ts,
       CASE WHEN rnd(order_id, 'st') < 0.003 THEN 'test' WHEN rnd(order_id, 'st') < 0.04 THEN 'created' ELSE 'paid' END AS status,
       CASE WHEN rnd(order_id, 'coupon') < CASE WHEN c.campaign_id IS NULL THEN 0.08 ELSE 0.4 END
            THEN [10, 15, 20, 30, 50][1 + CAST(floor(rnd(order_id, 'coupon-v') * 5) AS INT)] ELSE 0 END AS coupon,
       c.campaign_id, k.utm_source, k.utm_medium, k.utm_campaign,
       ${lineCountSql('order_id', false)} AS n_lines
     FROM c JOIN customers cu ON cu.k = c.cust_k LEFT JOIN campaigns k ON k.campaign_id = c.campaign_id`,
    `CREATE TEMP TABLE order_lines AS
     SELECT o.day, o.order_id, o.order_ts, o.status, l.line_no, pr.product_id, l.quantity, pr.list_price AS unit_price,
       CASE WHEN rnd(l.line_key, 'ldisc') < 0.12 THEN CAST(round(pr.list_price * l.quantity * 0.1, 2) AS DECIMAL(18,2)) ELSE CAST(0 AS DECIMAL(18,2)) END AS line_discount
     FROM (SELECT order_id, line_no, order_id || ':' || line_no AS line_key, ${QUANTITY("order_id || ':' || line_no")} AS quantity,
             ${PRODUCT(p, "order_id || ':' || line_no")} AS prod_k
           FROM (SELECT order_id, unnest(range(1, n_lines + 1)) AS line_no FROM orders)) l
     JOIN orders o USING (order_id) JOIN products pr ON pr.k = l.prod_k`,
    // Order-level coupons never exceed 30 % of what the lines are worth after line discounts.
    `CREATE TEMP TABLE order_discounts AS
     SELECT o.order_id, CAST(least(o.coupon, round(0.3 * SUM(l.unit_price * l.quantity - l.line_discount), 2)) AS DECIMAL(18,2)) AS order_discount
     FROM orders o JOIN order_lines l USING (order_id) GROUP BY o.order_id, o.coupon`,
  ];
}

/** Store receipts (POS) with their lines; 45 % anonymous (no loyalty card). */
export function storeSalesSql(p: DatagenParams): string[] {
  return [
    `CREATE TEMP TABLE receipts AS
     WITH r AS (
       SELECT day, day_idx, 'R' || strftime(day, '%Y%m%d') || lpad(CAST(seq AS VARCHAR), 5, '0') AS receipt_id
       FROM (SELECT day, day_idx, unnest(range(n_receipts)) AS seq FROM days)
     )
     SELECT r.day, r.receipt_id, 'L' || lpad(CAST(1 + CAST(floor(pow(rnd(receipt_id, 'store'), 1.3) * ${p.physicalStores}) AS INT) AS VARCHAR), 3, '0') AS store_id,
       CAST(r.day AS TIMESTAMP) + ${TIME_OF_DAY('receipt_id', 9, 13)} AS sold_at,
       CASE WHEN rnd(receipt_id, 'anon') < 0.45 THEN NULL ELSE cu.customer_id END AS customer_id,
       ${listSql(PAYMENT_METHODS)}[CASE WHEN rnd(receipt_id, 'pay') < 0.5 THEN 1 WHEN rnd(receipt_id, 'pay') < 0.75 THEN 2 WHEN rnd(receipt_id, 'pay') < 0.95 THEN 3 ELSE 4 END] AS payment_method,
       ${lineCountSql('receipt_id', true)} AS n_lines
     FROM r JOIN customers cu ON cu.k = ${customerPickSql(p, 'receipt_id')}`,
    `CREATE TEMP TABLE receipt_lines AS
     SELECT r.day, r.receipt_id, l.line_no, r.store_id, r.sold_at, pr.product_id, l.quantity, pr.list_price AS unit_price,
       CASE WHEN rnd(l.line_key, 'ldisc') < 0.08 THEN CAST(round(pr.list_price * l.quantity * 0.15, 2) AS DECIMAL(18,2)) ELSE CAST(0 AS DECIMAL(18,2)) END AS discount,
       r.customer_id, r.payment_method
     FROM (SELECT receipt_id, line_no, receipt_id || ':' || line_no AS line_key, ${QUANTITY("receipt_id || ':' || line_no")} AS quantity,
             ${PRODUCT(p, "receipt_id || ':' || line_no")} AS prod_k
           FROM (SELECT receipt_id, unnest(range(1, n_lines + 1)) AS line_no FROM receipts)) l
     JOIN receipts r USING (receipt_id) JOIN products pr ON pr.k = l.prod_k`,
  ];
}
