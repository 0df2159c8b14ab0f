/**
 * A small sales model for the regressions found by the QA runs of 2026-12-06: six sale lines in
 * three channels over three days, a multi-stage share of channel (Cube's `reduce_by`), a count
 * and a daily rollup. Expected answers come from hand-written SQL over the same table.
 */
export const SALES_SQL = `
CREATE TABLE sales (id INTEGER, channel VARCHAR, amount DECIMAL(12,2), sold_at TIMESTAMP);
INSERT INTO sales VALUES
  (1, 'site', 100, '2025-03-03 10:00:00'), (2, 'site', 50, '2025-03-03 12:30:00'),
  (3, 'app', 30, '2025-03-03 12:30:00'), (4, 'store', 400, '2025-03-04 09:00:00'),
  (5, 'app', 20, '2025-03-05 09:00:00'), (6, 'store', 5, '2025-03-05 11:00:00');
`;

export const SALES_MODEL = `
cubes:
  - name: sales
    sql_table: sales
    dimensions:
      - name: id
        sql: id
        type: number
        primary_key: true
        public: true
      - name: channel
        sql: channel
        type: string
      - name: sold_at
        sql: sold_at
        type: time
    measures:
      - name: count
        type: count
      - name: amount
        sql: amount
        type: sum
      - name: amount_all_channels
        sql: "{amount}"
        type: sum
        multi_stage: true
        reduce_by: [sales.channel]
      - name: share
        sql: "CAST({amount} AS DOUBLE) / NULLIF({amount_all_channels}, 0)"
        type: number
        multi_stage: true
    pre_aggregations:
      - name: by_day
        measures: [count, amount]
        dimensions: [channel]
        time_dimension: sold_at
        granularity: day
`;
