/**
 * The result cache and the queues in the engine: a repeated query is answered from the cache, a
 * rebuilt rollup or a new refresh-key interval misses it, identical concurrent queries run once,
 * and `renewQuery` skips the cache.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/create-engine.ts';
import type { Driver } from '../../src/drivers/driver-types.ts';
import { QueryOrchestrator } from '../../src/reuse/query-orchestrator.ts';
import { createDuckDbDialect } from '../../src/sql/dialects/duckdb/duckdb-dialect.ts';
import { ctx, openPreaggFixture, type PreaggFixture } from './preagg-harness.ts';

let fx: PreaggFixture;

beforeAll(async () => {
  fx = await openPreaggFixture();
  await fx.preAggregations.refresher.refresh(fx.model, { force: true, only: ['rollup_teste.por_origem_dia'] });
});

afterAll(async () => fx?.close());

/** The real source driver, counting the statements it runs. */
function counting(driver: Driver): Driver & { count: number } {
  const wrapped = { name: driver.name, count: 0, query: (sql: string, params: readonly unknown[], o?: { signal?: AbortSignal }) => { wrapped.count++; return driver.query(sql, params, o); }, testConnection: () => driver.testConnection(), close: async () => undefined };
  return wrapped;
}

describe('result cache and coalescing', () => {
  it('answers a repeated rollup query from the cache until the rollup is rebuilt', async () => {
    const query = { measures: ['rollup_teste.linhas'], dimensions: ['rollup_teste.status_pedido'] };
    const hits = () => fx.orchestrator.stats().cache.hits;
    const first = await fx.engine.load(query, ctx);
    const h0 = hits();
    const second = await fx.engine.load(query, ctx);
    expect(hits()).toBe(h0 + 1);
    expect(second.results[0]!.data).toEqual(first.results[0]!.data);
    await fx.preAggregations.refresher.refresh(fx.model, { force: true, only: ['rollup_teste.por_origem_dia'] });
    const third = await fx.engine.load(query, ctx);
    expect(hits()).toBe(h0 + 1); // new table version: a new key
    expect(third.results[0]!.usedPreAggregations['rollup_teste.por_origem_dia']!.targetTableName).not.toBe(first.results[0]!.usedPreAggregations['rollup_teste.por_origem_dia']!.targetTableName);
    expect(third.results[0]!.data).toEqual(first.results[0]!.data);
  });

  it('runs identical concurrent source queries once, caches per refresh-key interval and per security context, and renews on request', async () => {
    const source = counting(fx.source);
    let now = new Date('2024-06-15T12:00:00Z');
    const orchestrator = new QueryOrchestrator({ queue: { concurrency: 2, executionTimeoutMs: 10_000 }, cache: { maxEntries: 100, ttlMs: 3_600_000 } });
    const engine = createEngine({ model: fx.model, driver: source, dialect: createDuckDbDialect(), now: () => now, orchestrator });
    const query = { measures: ['fato_vendas.descontos'], dimensions: ['fato_vendas.status_pedido'] };
    const answers = await Promise.all(Array.from({ length: 8 }, () => engine.load(query, ctx)));
    expect(source.count).toBe(1);
    expect(new Set(answers.map((a) => JSON.stringify(a.results[0]!.data))).size).toBe(1);
    await engine.load(query, ctx);
    expect(source.count).toBe(1);
    await engine.load(query, { ...ctx, securityContext: { ...ctx.securityContext, user: 'other' } });
    expect(source.count).toBe(2);
    await engine.load({ ...query, renewQuery: true }, ctx);
    expect(source.count).toBe(3);
    now = new Date(now.getTime() + 10_000); // the cube's default refresh key (every 10 s) moved on
    await engine.load(query, ctx);
    expect(source.count).toBe(4);
    expect(orchestrator.stats().queues.default!.coalesced).toBeGreaterThanOrEqual(7);
  });
});
