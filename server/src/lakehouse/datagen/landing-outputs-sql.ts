import type { DatagenParams } from './datagen-params.ts';

/**
 * The dirty-record rates, in one place. A few records of each kind are what real feeds deliver;
 * they exercise quarantine (unparseable values, missing keys) and silver cleaning (the rest).
 */
export const DIRTY = {
  /** Order timestamp written as `dd/mm/yyyy hh:mm` → unparseable → quarantine. */
  badOrderTs: 0.001,
  /** Quantity written as a word → unparseable → quarantine. */
  badQuantityText: 0.0005,
  negativeQuantity: 0.001,
  unknownProduct: 0.001,
  exactDuplicate: 0.002,
  /** Store lines without a receipt id → quarantine (missing key). */
  missingReceiptId: 0.0005,
} as const;

const lineKey = (idCol: string) => `${idCol} || ':' || line_no`;
const isNegative = (key: string) => `rnd(${key}, 'neg') < ${DIRTY.negativeQuantity}`;
const isUnknownProduct = (key: string) => `rnd(${key}, 'bad-prod') < ${DIRTY.unknownProduct}`;
const isBadQuantity = (key: string) => `rnd(${key}, 'bad-qty') < ${DIRTY.badQuantityText}`;
const isBadOrderTs = `rnd(order_id, 'bad-ts') < ${DIRTY.badOrderTs}`;

/** SQL building the `out_*` tables for the transactional files (ERP CSV, POS Parquet). */
export function salesOutputsSql(): string[] {
  const ol = lineKey('order_id');
  const rl = lineKey('receipt_id');
  return [
    `CREATE TEMP TABLE out_erp_orders AS
     WITH base AS (
       SELECT o.day AS dt, o.order_id, o.customer_id, o.channel, 'L000' AS store_id,
         CASE WHEN ${isBadOrderTs} THEN strftime(o.order_ts, '%d/%m/%Y %H:%M') ELSE strftime(o.order_ts, '%Y-%m-%d %H:%M:%S') END AS order_ts,
         o.status, d.order_discount, o.campaign_id, o.utm_source, o.utm_medium, o.utm_campaign, o.order_ts + INTERVAL 2 MINUTE AS updated_at
       FROM orders o JOIN order_discounts d USING (order_id)
     )
     SELECT * FROM base
     UNION ALL SELECT * FROM base WHERE rnd(order_id, 'dup') < ${DIRTY.exactDuplicate}
     UNION ALL
     SELECT dt + 1, order_id, customer_id, channel, store_id, order_ts, 'paid', order_discount, campaign_id, utm_source, utm_medium,
       utm_campaign, updated_at + INTERVAL 1 DAY
     FROM base WHERE status = 'created' AND rnd(order_id, 'late') < 0.3`,
    `CREATE TEMP TABLE out_erp_order_lines AS
     WITH base AS (
       SELECT day AS dt, order_id, line_no,
         CASE WHEN ${isUnknownProduct(ol)} THEN 'PX' || upper(substr(md5(${ol}), 1, 6)) ELSE product_id END AS product_id,
         CASE WHEN ${isBadQuantity(ol)} THEN 'dois' WHEN ${isNegative(ol)} THEN CAST(-quantity AS VARCHAR) ELSE CAST(quantity AS VARCHAR) END AS quantity,
         unit_price, line_discount, order_ts + INTERVAL 2 MINUTE AS updated_at
       FROM order_lines
     )
     SELECT * FROM base UNION ALL SELECT * FROM base WHERE rnd(order_id || ':' || line_no, 'dup') < ${DIRTY.exactDuplicate}`,
    `CREATE TEMP TABLE out_pos_store_sales AS
     WITH base AS (
       SELECT day AS dt, CASE WHEN rnd(${rl}, 'no-id') < ${DIRTY.missingReceiptId} THEN NULL ELSE receipt_id END AS receipt_id,
         CAST(line_no AS INTEGER) AS line_no, store_id, sold_at,
         CASE WHEN ${isUnknownProduct(rl)} THEN 'PX' || upper(substr(md5(${rl}), 1, 6)) ELSE product_id END AS product_id,
         CAST(CASE WHEN ${isNegative(rl)} THEN -quantity ELSE quantity END AS INTEGER) AS quantity,
         unit_price, discount, customer_id, payment_method
       FROM receipt_lines
     )
     SELECT * FROM base UNION ALL SELECT * FROM base WHERE rnd(receipt_id || ':' || line_no, 'dup') < ${DIRTY.exactDuplicate}`,
  ];
}

/**
 * SQL building the RDS tables: cancellations of 4.5 % of online orders and refunds of 4 % of online
 * and 2 % of store lines (only well-formed lines of live orders). 5 % of refunds are corrected
 * later (updated_at after refunded_at). Rows dated after the run's last day have not happened yet.
 */
export function rdsOutputsSql(p: DatagenParams): string[] {
  const until = `CAST(DATE '${p.to}' + 1 AS TIMESTAMP)`;
  const ol = lineKey('l.order_id');
  const rl = lineKey('receipt_id');
  const refund = (discountCol: string) =>
    `CAST(round(unit_price * rq - ${discountCol} * rq / quantity, 2) AS DECIMAL(18,2))`;
  const refundedAt = (key: string, tsCol: string) =>
    `${tsCol} + to_seconds(CAST(86400 * (2 + floor(rnd(${key}, 'ret-day') * 28)) + floor(rnd(${key}, 'ret-tod') * 36000) AS BIGINT))`;
  return [
    `CREATE TEMP TABLE rds_order_status AS
     SELECT order_id, 'cancelled' AS status, order_ts + to_seconds(CAST(3600 + floor(rnd(order_id, 'cancel-t') * 259200) AS BIGINT)) AS updated_at
     FROM orders WHERE status <> 'test' AND rnd(order_id, 'cancel') < 0.045 AND NOT (${isBadOrderTs})`,
    `DELETE FROM rds_order_status WHERE updated_at >= ${until}`,
    `CREATE TEMP TABLE rds_returns AS
     WITH erp AS (
       SELECT l.order_id, l.line_no, l.quantity, l.unit_price, l.line_discount, l.order_ts, ${ol} AS k,
         CASE WHEN l.quantity > 1 AND rnd(${ol}, 'ret-q') < 0.5 THEN 1 ELSE l.quantity END AS rq
       FROM order_lines l
       WHERE l.status <> 'test' AND rnd(${ol}, 'ret') < 0.04
         AND NOT (${isNegative(ol)} OR ${isUnknownProduct(ol)} OR ${isBadQuantity(ol)})
         AND NOT (rnd(l.order_id, 'bad-ts') < ${DIRTY.badOrderTs})
         AND l.order_id NOT IN (SELECT order_id FROM rds_order_status)
     ), pos AS (
       SELECT receipt_id, line_no, quantity, unit_price, discount, sold_at, ${rl} AS k,
         CASE WHEN quantity > 1 AND rnd(${rl}, 'ret-q') < 0.5 THEN 1 ELSE quantity END AS rq
       FROM receipt_lines
       WHERE rnd(${rl}, 'ret') < 0.02 AND NOT (${isNegative(rl)} OR ${isUnknownProduct(rl)} OR rnd(${rl}, 'no-id') < ${DIRTY.missingReceiptId})
     ), r AS (
       SELECT 'DV-' || order_id || '-' || line_no AS return_id, 'erp' AS source_system, order_id, CAST(line_no AS INTEGER) AS line_no,
         CAST(rq AS INTEGER) AS quantity, ${refund('line_discount')} AS refund_amount, ${refundedAt('k', 'order_ts')} AS refunded_at, k
       FROM erp
       UNION ALL
       SELECT 'DV-' || receipt_id || '-' || line_no, 'pos', receipt_id, CAST(line_no AS INTEGER), CAST(rq AS INTEGER),
         ${refund('discount')}, ${refundedAt('k', 'sold_at')}, k
       FROM pos
     )
     SELECT return_id, source_system, order_id, line_no, quantity, refund_amount, refunded_at,
       refunded_at + to_seconds(CAST(CASE WHEN rnd(k, 'ret-late') < 0.05 THEN 86400 * (1 + floor(rnd(k, 'ret-late-d') * 10)) ELSE 0 END AS BIGINT)) AS updated_at
     FROM r`,
    `DELETE FROM rds_returns WHERE updated_at >= ${until}`,
  ];
}
