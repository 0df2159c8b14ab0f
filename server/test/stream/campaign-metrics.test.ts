import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { EventGenerator } from '../../src/lakehouse/stream/event-generator.ts';
import type { StreamEvent } from '../../src/lakehouse/stream/event-types.ts';
import { MicroBatchRunner } from '../../src/lakehouse/stream/micro-batch-runner.ts';
import { referenceMinuteMetrics, type BronzeEventRow } from './campaign-reference.ts';
import { createStreamHarness, type StreamHarness } from './stream-harness.ts';

const METRICS = ['sessoes', 'sessoes_com_carrinho', 'sessoes_com_compra', 'sessoes_carrinho_com_compra', 'visualizacoes_pagina', 'visualizacoes_produto', 'adicoes_carrinho', 'checkouts', 'pedidos', 'receita_centavos'];

async function goldMinuteMetrics(h: StreamHarness): Promise<Map<string, Record<string, number>>> {
  const rows = await h.query<Record<string, unknown>>(
    `SELECT strftime(minuto, '%Y-%m-%dT%H:%M:00.000Z') || '|' || campanha_utm_source || '/' || campanha_utm_medium || '/' || campanha_utm_campaign AS k,
       ${METRICS.filter((m) => m !== 'receita_centavos').join(', ')}, CAST(round(receita * 100) AS BIGINT) AS receita_centavos
     FROM gold.campanha_metricas_minuto`,
  );
  return new Map(
    rows.map((r) => [String(r.k), Object.fromEntries(METRICS.filter((m) => Number(r[m]) !== 0).map((m) => [m, Number(r[m])]))]),
  );
}

async function bronzeRows(h: StreamHarness): Promise<BronzeEventRow[]> {
  const rows = await h.query<Record<string, unknown>>(
    `SELECT event_id, event_type, epoch_ms(event_time) AS event_ms, anonymous_id, utm_source, utm_medium, utm_campaign, order_id,
       CAST(coalesce(price * quantity * 100, 0) AS BIGINT) AS revenue_cents FROM bronze.events`,
  );
  return rows.map((r) => ({ ...r, event_ms: Number(r.event_ms), revenue_cents: Number(r.revenue_cents) }) as BronzeEventRow);
}

function event(base: Partial<StreamEvent> & Pick<StreamEvent, 'event_type' | 'anonymous_id'>, time: number): StreamEvent {
  return {
    event_id: randomUUID(), event_time: new Date(time).toISOString(), session_id: 's-' + base.anonymous_id, customer_id: null,
    device: 'desktop', channel: 'site', utm_source: null, utm_medium: null, utm_campaign: null, product_id: null,
    price: null, quantity: null, order_id: null, ...base,
  };
}

describe('near-real-time campaign metrics', () => {
  let h: StreamHarness;
  let runner: MicroBatchRunner;
  beforeEach(async () => {
    h = await createStreamHarness(2);
    runner = new MicroBatchRunner({ connection: h.connection, writeLock: h.lock });
  });
  afterEach(async () => {
    await h.close();
  });

  /** Consumes everything, running a micro-batch after every consumer round (incremental path). */
  async function consumeIncrementally(): Promise<void> {
    const consumer = await h.consumer({ recordsPerCall: 300 });
    for (let idle = 0; idle < 2; ) {
      const n = await consumer.pollOnce();
      await runner.runOnce();
      idle = n === 0 ? idle + 1 : 0;
    }
  }

  it('keeps per-minute campaign aggregates equal to a from-scratch computation over bronze.events', async () => {
    await h.producer.send(new EventGenerator({ seed: 21 }).take(3_000));
    await consumeIncrementally();
    const expected = referenceMinuteMetrics(await bronzeRows(h));
    expect(expected.size).toBeGreaterThan(3);
    expect(await goldMinuteMetrics(h)).toEqual(expected);

    // Hand-written SQL over bronze for the event-time placement of the event counts.
    const [byBronze] = await h.query<Record<string, number>>(
      `SELECT count(*) FILTER (WHERE event_type = 'product_view') AS views, count(DISTINCT order_id) AS orders,
         CAST(sum(CASE WHEN event_type = 'purchase' THEN price * quantity ELSE 0 END) AS DOUBLE) AS revenue FROM bronze.events`,
    );
    const [byGold] = await h.query<Record<string, number>>(
      `SELECT sum(visualizacoes_produto) AS views, sum(pedidos) AS orders, CAST(sum(receita) AS DOUBLE) AS revenue FROM gold.campanha_metricas_minuto`,
    );
    expect(Number(byGold!.views)).toBe(Number(byBronze!.views));
    expect(Number(byGold!.orders)).toBe(Number(byBronze!.orders));
    expect(byGold!.revenue).toBeCloseTo(byBronze!.revenue, 2);
  });

  it('counts late and out-of-order events in their event-time minute and re-sessionizes the visitor', async () => {
    const t0 = Date.UTC(2026, 0, 10, 9, 0, 0);
    const v = 'visitor-late';
    const email = { utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'clientes_vip' };
    await h.producer.send([
      event({ event_type: 'page_view', anonymous_id: v, ...email }, t0),
      event({ event_type: 'page_view', anonymous_id: v }, t0 + 50 * 60_000),
      event({ event_type: 'add_to_cart', anonymous_id: v, product_id: 'P00001', price: 30, quantity: 2 }, t0 + 51 * 60_000),
      event({ event_type: 'purchase', anonymous_id: v, product_id: 'P00001', price: 30, quantity: 2, order_id: 'W1' }, t0 + 52 * 60_000),
    ]);
    await consumeIncrementally();
    const minute = (offset: number) => `${new Date(t0 + offset * 60_000).toISOString()}|newsletter/email/clientes_vip`;
    let gold = await goldMinuteMetrics(h);
    // Two sessions 50 minutes apart; the second (untagged) is credited to the email session.
    expect(gold.get(minute(0))).toEqual({ sessoes: 1, visualizacoes_pagina: 1 });
    expect(gold.get(minute(50))).toEqual({ sessoes: 1, sessoes_com_carrinho: 1, sessoes_com_compra: 1, sessoes_carrinho_com_compra: 1, visualizacoes_pagina: 1 });
    expect(gold.get(minute(52))).toEqual({ pedidos: 1, receita_centavos: 6000 });

    // A late event at t0+25 bridges both visits into one session started at t0; another visitor's
    // event arrives three hours late for a minute nobody touched yet.
    const lateMinute = t0 - 3 * 60 * 60_000;
    await h.producer.send([
      event({ event_type: 'page_view', anonymous_id: v }, t0 + 25 * 60_000),
      event({ event_type: 'product_view', anonymous_id: 'visitor-other', product_id: 'P00002', ...email }, lateMinute + 5_000),
    ]);
    await consumeIncrementally();
    gold = await goldMinuteMetrics(h);
    expect(gold.get(minute(0))).toEqual({ sessoes: 1, sessoes_com_carrinho: 1, sessoes_com_compra: 1, sessoes_carrinho_com_compra: 1, visualizacoes_pagina: 1 });
    // The visit no longer starts at t0+50: only its page view remains counted there.
    expect(gold.get(minute(50))).toEqual({ visualizacoes_pagina: 1 });
    expect(gold.get(minute(25))).toEqual({ visualizacoes_pagina: 1 });
    expect(gold.get(minute(52))).toEqual({ pedidos: 1, receita_centavos: 6000 });
    expect(gold.get(`${new Date(lateMinute).toISOString()}|newsletter/email/clientes_vip`)).toEqual({ sessoes: 1, visualizacoes_produto: 1 });
    expect(gold).toEqual(referenceMinuteMetrics(await bronzeRows(h)));
    const sessions = await h.query<{ n: bigint }>(`SELECT count(*) AS n FROM gold.fato_sessoes WHERE anonymous_id = '${v}'`);
    expect(Number(sessions[0]!.n)).toBe(1);
  });
});
