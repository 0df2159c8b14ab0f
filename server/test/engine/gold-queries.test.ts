/**
 * 40+ queries over the repository's gold model (model/ plus test-only extras) against a small
 * hand-built gold fixture, each checked against SQL written by hand here — not produced by the
 * planner. Covers every measure type, every filter operator, every granularity, a view, a
 * one-to-many join without fan-out, segments, relative dates with a fixed "now".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Driver } from '../../src/drivers/driver-types.ts';
import type { LoadResult, SemanticEngine } from '../../src/engine/engine-types.ts';
import { GOLD_EXTRA_FILES, startStack, type Stack } from '../support/stack.ts';
import { CASES, ctx, F, normalize, NOW, rows } from './gold-cases.ts';

let stack: Stack;
let driver: Driver;
let engine: SemanticEngine;

beforeAll(async () => {
  stack = await startStack({ data: 'gold', model: { files: GOLD_EXTRA_FILES }, now: () => NOW });
  driver = stack.driver;
  engine = stack.engine;
});

afterAll(async () => stack?.close());

describe('gold model queries checked against hand-written SQL', () => {
  it('has at least 40 cases', () => expect(CASES.length).toBeGreaterThanOrEqual(40));

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const response = await engine.load(c.query, ctx);
    const got = normalize(rows(response.results[0] as LoadResult));
    const want = normalize(rows(await driver.query(c.sql, [])), c.approx);
    expect(want.length).toBeGreaterThan(0);
    const sort = (l: Record<string, unknown>[]) => [...l].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    if (c.unordered) expect(sort(got)).toEqual(sort(want));
    else expect(got).toEqual(want);
  });

  it('compareDateRange answers one result per range', async () => {
    const response = await engine.load({ measures: ['fato_vendas.count'], timeDimensions: [{ dimension: 'fato_vendas.data_venda', compareDateRange: [['2024-01-01', '2024-01-31'], 'last quarter'] }] }, ctx);
    expect(response.queryType).toBe('compareDateRangeQuery');
    const want = await driver.query(`SELECT count(*) FILTER (WHERE data_venda < TIMESTAMP '2024-02-01'), count(*) FILTER (WHERE data_venda >= TIMESTAMP '2024-01-01' AND data_venda < TIMESTAMP '2024-04-01') FROM ${F}`, []);
    expect(response.results.map((r) => Number(r.data[0]![0]))).toEqual([Number(want.data[0]![0]), Number(want.data[1]![0])]);
  });

  it('total counts the rows of the un-limited query', async () => {
    const response = await engine.load({ dimensions: ['fato_vendas.pedido_id'], limit: 3, total: true }, ctx);
    const want = await driver.query(`SELECT count(DISTINCT pedido_id) FROM ${F}`, []);
    expect(response.results[0]!.rowCount).toBe(3);
    expect(response.results[0]!.total).toBe(Number(want.data[0]![0]));
  });
});
