import { describe, expect, it } from 'vitest';
import { compileModel } from '../model/compile-model.ts';
import { measureFilterDimensions } from './measure-filter-dimensions.ts';

/** A cube whose measure `m` has the one filter `sql`. */
function readBy(sql: string): string[] | undefined {
  const model = compileModel([
    {
      path: 'model/cubes/orders.yml',
      content: `
cubes:
  - name: orders
    sql_table: orders
    joins:
      - name: customers
        relationship: many_to_one
        sql: "{CUBE}.customer_id = {customers}.id"
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: status, sql: status, type: string }
      - { name: channel, sql: channel, type: string }
      - { name: created_at, sql: created_at, type: time }
    measures:
      - name: m
        type: count
        filters:
          - sql: ${JSON.stringify(sql)}
  - name: customers
    sql_table: customers
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: tier, sql: tier, type: string }
`,
    },
  ]);
  const cube = model.cubes.orders!;
  return measureFilterDimensions(cube.measures.m!, cube);
}

describe('measureFilterDimensions', () => {
  it.each([
    ["{status} = 'completed'", ['orders.status']],
    ["{CUBE.status} IN ('a', 'it''s') AND NOT {channel} IS NULL", ['orders.status', 'orders.channel']],
    ["({status} <> 'x' OR {channel} LIKE 'si%') AND {id} > 10", ['orders.status', 'orders.channel', 'orders.id']],
  ])('lists the stored dimensions a condition reads: %s', (sql, read) => {
    expect(readBy(sql)).toEqual(read);
  });

  it.each([
    ["{CUBE}.status = 'completed'", 'a raw column'],
    ["status = 'completed'", 'a bare column name'],
    ["lower({status}) = 'completed'", 'a function'],
    ['{status} = "completed"', 'a double-quoted name'],
    ["{created_at} > '2025-01-01'", 'a time dimension (stored as local buckets)'],
    ["{customers.tier} = 'vip'", "another cube's member"],
  ])('refuses %s (%s)', (sql) => {
    expect(readBy(sql)).toBeUndefined();
  });
});
