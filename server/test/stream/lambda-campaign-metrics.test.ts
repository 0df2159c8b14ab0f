/**
 * The lambda pre-aggregation of `campanhas_tempo_real` against the raw data while events keep
 * flowing: kinesalite → consumer → bronze → micro-batches → gold, with rollup refreshes in
 * between (some concurrent with the stream). At every checkpoint the pipeline's writers are held
 * (the shared WriteLock), so both sides read the same moment; the lambda-served answer must equal
 * (a) the same query with rollups disabled and (b) hand-written SQL over the gold table. At the end
 * the lambda answer is also checked against an independent computation from bronze events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SemanticEngine } from '../../src/engine/engine-types.ts';
import type { SemanticModel } from '../../src/model/model-types.ts';
import { rollupStoreKey } from '../../src/preagg/rollup-signature.ts';
import type { CubeQuery } from '../../src/query/query-types.ts';
import { EventGenerator } from '../../src/lakehouse/stream/event-generator.ts';
import type { StreamEvent } from '../../src/lakehouse/stream/event-types.ts';
import { MicroBatchRunner } from '../../src/lakehouse/stream/micro-batch-runner.ts';
import { produceAtRate } from '../../src/lakehouse/stream/produce-at-rate.ts';
import { referenceMinuteMetrics, type BronzeEventRow } from './campaign-reference.ts';
import { createStreamHarness, type StreamHarness } from './stream-harness.ts';
import { DuckDBInstance } from '@duckdb/node-api';
import { INTERNAL_CONTEXT } from '../engine/gold-fixture.ts';
import type { PreAggregations } from '../../src/preagg/open-pre-aggregations.ts';
import { startStack, type Stack } from '../support/stack.ts';

const CUBE = 'campanhas_tempo_real';
const LAMBDA = `${CUBE}.metricas_tempo_real`;
const BATCH = `${CUBE}.metricas_por_minuto`;
const ctx = { securityContext: INTERNAL_CONTEXT, requestId: 'lambda', api: 'internal' as const };

// Simulated event clock: 12× real time from 09:57, so ~25 s of test cover several minutes and
// cross an hour (two partitions of the batch rollup).
const T0 = Date.UTC(2026, 0, 10, 9, 57, 0);
const SPEED = 12;
const RUN_MS = 22_000;
const MAX_RUN_MS = 80_000;

const SUMS = ['sessoes', 'sessoes_com_carrinho', 'sessoes_com_compra', 'sessoes_carrinho_com_compra', 'visualizacoes_pagina', 'visualizacoes_produto', 'adicoes_carrinho', 'checkouts', 'pedidos'];

const byCampaignMinute: CubeQuery = {
  measures: [...SUMS, 'receita', 'taxa_conversao', 'abandono_carrinho'].map((m) => `${CUBE}.${m}`),
  dimensions: [`${CUBE}.utm_source`, `${CUBE}.utm_medium`, `${CUBE}.utm_campaign`],
  timeDimensions: [{ dimension: `${CUBE}.minuto`, granularity: 'minute' }],
  order: [[`${CUBE}.minuto.minute`, 'asc'], [`${CUBE}.utm_source`, 'asc'], [`${CUBE}.utm_medium`, 'asc'], [`${CUBE}.utm_campaign`, 'asc']],
};
const byCampaignHour: CubeQuery = {
  measures: [`${CUBE}.sessoes`, `${CUBE}.pedidos`, `${CUBE}.receita`, `${CUBE}.taxa_conversao`],
  dimensions: [`${CUBE}.utm_campaign`],
  timeDimensions: [{ dimension: `${CUBE}.minuto`, granularity: 'hour' }],
  order: [[`${CUBE}.minuto.hour`, 'asc'], [`${CUBE}.utm_campaign`, 'asc']],
};

type Row = Record<string, unknown>;

async function load(engine: SemanticEngine, query: CubeQuery): Promise<{ rows: Row[]; used: string[] }> {
  const result = (await engine.load(query, ctx)).results[0]!;
  const rows = Array.from({ length: result.rowCount }, (_, r) => Object.fromEntries(result.columns.map((c, i) => [c.name, result.data[i]![r]])));
  return { rows, used: Object.keys(result.usedPreAggregations) };
}

/** campaign minute → metrics, from the engine's rows (zeros dropped, revenue in cents). */
function metricsOf(rows: readonly Row[]): Map<string, Record<string, number>> {
  return new Map(
    rows.map((r) => {
      const key = `${String(r[`${CUBE}.minuto.minute`])}Z|${String(r[`${CUBE}.utm_source`])}/${String(r[`${CUBE}.utm_medium`])}/${String(r[`${CUBE}.utm_campaign`])}`;
      const metrics: Record<string, number> = {};
      for (const m of SUMS) if (Number(r[`${CUBE}.${m}`]) !== 0) metrics[m] = Number(r[`${CUBE}.${m}`]);
      const cents = Math.round(Number(r[`${CUBE}.receita`]) * 100);
      if (cents !== 0) metrics.receita_centavos = cents;
      return [key, metrics];
    }),
  );
}

/** The same grouping written by hand over gold (sums; ratios recomputed here from the sums). */
async function goldByHand(h: StreamHarness): Promise<Map<string, Record<string, number | null>>> {
  const rows = await h.query<Row>(
    `SELECT strftime(minuto, '%Y-%m-%dT%H:%M:00.000') || 'Z|' || campanha_utm_source || '/' || campanha_utm_medium || '/' || campanha_utm_campaign AS k,
       ${SUMS.map((m) => `CAST(sum(${m}) AS BIGINT) AS ${m}`).join(', ')}, CAST(round(sum(receita) * 100) AS BIGINT) AS receita_centavos
     FROM gold.campanha_metricas_minuto GROUP BY 1`,
  );
  return new Map(
    rows.map((r) => {
      const n = (m: string) => Number(r[m]);
      return [String(r.k), {
        ...Object.fromEntries([...SUMS, 'receita_centavos'].map((m) => [m, n(m)])),
        taxa_conversao: n('sessoes') === 0 ? null : n('sessoes_com_compra') / n('sessoes'),
        abandono_carrinho: n('sessoes_com_carrinho') === 0 ? null : 1 - n('sessoes_carrinho_com_compra') / n('sessoes_com_carrinho'),
      }];
    }),
  );
}

function expectEqualToGold(rows: readonly Row[], gold: Map<string, Record<string, number | null>>): void {
  expect(rows.length).toBe(gold.size);
  for (const r of rows) {
    const key = `${String(r[`${CUBE}.minuto.minute`])}Z|${String(r[`${CUBE}.utm_source`])}/${String(r[`${CUBE}.utm_medium`])}/${String(r[`${CUBE}.utm_campaign`])}`;
    const want = gold.get(key);
    expect(want, key).toBeDefined();
    for (const m of SUMS) expect(Number(r[`${CUBE}.${m}`]), `${key} ${m}`).toBe(want![m]);
    expect(Math.round(Number(r[`${CUBE}.receita`]) * 100), `${key} receita`).toBe(want!.receita_centavos);
    for (const ratio of ['taxa_conversao', 'abandono_carrinho']) {
      const got = r[`${CUBE}.${ratio}`];
      if (want![ratio] === null) expect(got, `${key} ${ratio}`).toBeNull();
      else expect(Number(got), `${key} ${ratio}`).toBeCloseTo(want![ratio]!, 12);
    }
  }
}

async function bronzeRows(h: StreamHarness): Promise<BronzeEventRow[]> {
  const rows = await h.query<Row>(
    `SELECT event_id, event_type, epoch_ms(event_time) AS event_ms, anonymous_id, utm_source, utm_medium, utm_campaign, order_id,
       CAST(coalesce(price * quantity * 100, 0) AS BIGINT) AS revenue_cents FROM bronze.events`,
  );
  return rows.map((r) => ({ ...r, event_ms: Number(r.event_ms), revenue_cents: Number(r.revenue_cents) }) as BronzeEventRow);
}

/** A tagged visitor's purchase funnel stamped `minutesLate` minutes before the simulated now. */
function lateVisit(nowMs: number, minutesLate: number): StreamEvent[] {
  const anonymous = randomUUID();
  const at = nowMs - minutesLate * 60_000;
  const base = { session_id: `late-${anonymous}`, anonymous_id: anonymous, customer_id: null, device: 'desktop', channel: 'site' };
  const product = { product_id: 'P-LATE', price: 19.9, quantity: 2 };
  const e = (type: string, offset: number, extra: Partial<StreamEvent> = {}): StreamEvent => ({
    ...base, event_id: randomUUID(), event_type: type, event_time: new Date(at + offset).toISOString(),
    utm_source: null, utm_medium: null, utm_campaign: null, product_id: null, price: null, quantity: null, order_id: null, ...extra,
  }) as StreamEvent;
  return [
    e('page_view', 0, { utm_source: 'late', utm_medium: 'email', utm_campaign: 'atrasada' }),
    e('add_to_cart', 1_000, product),
    e('purchase', 2_000, { ...product, order_id: `WLATE${anonymous.slice(0, 8)}` }),
  ];
}

describe('lambda pre-aggregation over the event stream', () => {
  let h: StreamHarness;
  let lambdaStack: Stack;
  let rawStack: Stack;
  let model: SemanticModel;
  let preAggregations: PreAggregations;
  let lambdaEngine: SemanticEngine;
  let rawEngine: SemanticEngine;

  beforeAll(async () => {
    h = await createStreamHarness(2);
    const data = { duckdbPath: path.join(h.dir, 'lakehouse.duckdb') };
    // One database per file per process, as in `npm start`: the stream's writers use the instance
    // the stacks' drivers open through DuckDB's instance cache.
    h.connection.closeSync();
    h.instance.closeSync();
    h.instance = await DuckDBInstance.fromCache(data.duckdbPath);
    h.connection = await h.instance.connect();
    // The repository's model over the stream's file, with rollups (one build at a time) and the
    // result cache on: a cached lambda answer would hide fresh events and fail below.
    lambdaStack = await startStack({ data, preaggs: { stagingDir: path.join(h.dir, 'staging') }, env: { CUBEJS_SCHEDULED_REFRESH_CONCURRENCY: '1' } });
    // The same model and file without rollups: the raw answer.
    rawStack = await startStack({ data });
    lambdaEngine = lambdaStack.engine;
    rawEngine = rawStack.engine;
    preAggregations = lambdaStack.preAggregations!;
    model = lambdaEngine.currentModel();
  });

  afterAll(async () => {
    await lambdaStack?.close();
    await rawStack?.close();
    await h?.close();
  });

  it('answers like the raw data at every checkpoint while events keep arriving', async () => {
    const runner = new MicroBatchRunner({ connection: h.connection, writeLock: h.lock });
    await runner.runOnce(); // creates the gold tables before the first query
    const batchKey = rollupStoreKey(model.cubes[CUBE]!, model.cubes[CUBE]!.preAggregations.metricas_por_minuto!);
    const seen = { checkpoints: 0, servedByLambda: 0, withBatchRows: 0, newTail: 0, rewrittenBuiltMinutes: 0, builds: 0 };

    const checkpoint = () =>
      h.lock.run(async () => {
        // Nothing writes the lakehouse while the lock is held: both sides see one moment.
        const partitions = preAggregations.store.partitions(batchKey);
        const lambda = await load(lambdaEngine, byCampaignMinute);
        // The raw side always reads the source (renewQuery: past its result cache), as the
        // uncached engine did.
        const raw = await load(rawEngine, { ...byCampaignMinute, renewQuery: true });
        const gold = await goldByHand(h);
        const lambdaHours = await load(lambdaEngine, byCampaignHour);
        const rawHours = await load(rawEngine, { ...byCampaignHour, renewQuery: true });
        seen.checkpoints++;
        expect(raw.used).toEqual([]);
        expect(lambda.rows).toEqual(raw.rows);
        expectEqualToGold(lambda.rows, gold);
        expect(lambdaHours.rows).toEqual(rawHours.rows);
        if (partitions.length > 0) {
          // When the lambda is not chosen, say why (the matcher's own reasons) instead of only "[]".
          const why = async (query: CubeQuery) => JSON.stringify(await lambdaEngine.explain?.(query, ctx));
          expect(lambda.used, lambda.used.length === 0 ? await why(byCampaignMinute) : undefined).toEqual([LAMBDA]);
          expect(lambdaHours.used, lambdaHours.used.length === 0 ? await why(byCampaignHour) : undefined).toEqual([LAMBDA]);
          seen.servedByLambda++;
          const watermark = partitions.map((p) => p.watermark).sort().at(-1)!;
          const stamp = partitions.map((p) => p.changeStamp).sort()[0]!;
          if (watermark) seen.withBatchRows++;
          const [tail] = await h.query<{ fresh: bigint; rewritten: bigint }>(
            `SELECT count(*) FILTER (WHERE minuto > CAST('${watermark}' AS TIMESTAMP)) AS fresh,
               count(*) FILTER (WHERE minuto <= CAST('${watermark}' AS TIMESTAMP) AND atualizado_em >= CAST('${stamp}' AS TIMESTAMP)) AS rewritten
             FROM gold.campanha_metricas_minuto`,
          );
          if (Number(tail!.fresh) > 0) seen.newTail++;
          if (Number(tail!.rewritten) > 0) seen.rewrittenBuiltMinutes++;
        }
      });

    // What a loaded machine once produced (issue 11): a checkpoint and the first build both come
    // before the first events land, so the lambda is not built when the first rows arrive. The
    // source then answers in its place and must not serve its cached empty answer.
    await checkpoint();
    const [first] = await preAggregations.refresher.refresh(model, { only: [BATCH] });
    expect(first?.state).toBe('never_built');

    const started = Date.now();
    const simulatedNow = () => T0 + (Date.now() - started) * SPEED;
    const producing = produceAtRate({ producer: h.producer, generator: new EventGenerator({ seed: 7, now: simulatedNow }), ratePerSecond: 150, tickMs: 100 });

    const consumer = await h.consumer({ recordsPerCall: 500 });
    let consuming = true;
    let consumerError: unknown;
    const consumerLoop = (async () => {
      while (consuming) {
        const n = await consumer.pollOnce();
        runner.request((error) => (consumerError = error));
        if (n === 0) await sleep(30);
      }
    })().catch((error: unknown) => (consumerError = error));

    let refreshing: Promise<unknown> = Promise.resolve();
    let sentLate = false;

    // Runs at least RUN_MS, and longer (up to MAX_RUN_MS) on a loaded machine until the run has
    // exercised every case the assertions below demand; the simulated clock keeps advancing.
    const exercised = () =>
      seen.checkpoints >= 12 && seen.servedByLambda >= 8 && seen.withBatchRows >= 6 && seen.newTail >= 1 && seen.rewrittenBuiltMinutes >= 1;
    for (let i = 0; Date.now() - started < RUN_MS || (!exercised() && Date.now() - started < MAX_RUN_MS); i++) {
      await sleep(500);
      if (i % 4 === 1) {
        // Some refreshes overlap the stream and the next checkpoint's wait; at most one at a time.
        await refreshing;
        refreshing = preAggregations.refresher.refresh(model, { only: [BATCH], force: i % 8 === 1 }).then((statuses) => {
          // 'never_built' only while gold is still empty (the first refresh can come before any event).
          expect(statuses[0]?.state, statuses[0]?.lastError).not.toBe('failed');
          seen.builds++;
        });
      }
      if (!sentLate && Date.now() - started > RUN_MS / 2) {
        sentLate = true;
        await h.producer.send(lateVisit(simulatedNow(), 3)); // late: lands in a minute already built
      }
      await refreshing; // the checkpoint must know which partitions the lambda leases

      await checkpoint();
      expect(consumerError).toBeUndefined();
    }

    await producing.stop();
    await refreshing;
    consuming = false;
    await consumerLoop;
    for (let idle = 0; idle < 2; ) idle = (await consumer.pollOnce()) === 0 ? idle + 1 : 0;
    await runner.idle();
    await runner.runOnce();

    // Final moment: the lambda answer against an independent computation from the raw events.
    const final = await load(lambdaEngine, byCampaignMinute);
    expect(final.used).toEqual([LAMBDA]);
    const expected = referenceMinuteMetrics(await bronzeRows(h));
    expect(metricsOf(final.rows)).toEqual(expected);
    expect([...expected.keys()].some((k) => k.endsWith('|late/email/atrasada'))).toBe(true);

    // The run exercised what it claims: many checkpoints served by the lambda with stored rows,
    // fresh minutes past the watermark, and built minutes rewritten by later micro-batches.
    console.log('lambda checkpoints', seen, 'events', producing.sent());
    expect(seen.checkpoints).toBeGreaterThanOrEqual(12);
    expect(seen.servedByLambda).toBeGreaterThanOrEqual(8);
    expect(seen.withBatchRows).toBeGreaterThanOrEqual(6);
    expect(seen.newTail).toBeGreaterThanOrEqual(1);
    expect(seen.rewrittenBuiltMinutes).toBeGreaterThanOrEqual(1);
    // The events crossed an hour, so a build after the stream stopped has two hourly partitions.
    await preAggregations.refresher.refresh(model, { only: [BATCH], force: true });
    expect(preAggregations.store.partitions(batchKey).length).toBeGreaterThanOrEqual(2);
  }, 150_000);
});
