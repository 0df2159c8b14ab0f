/**
 * An independent, deliberately plain TypeScript reading of METRICS.md for the campaign minute
 * aggregates, used as the expected answer for the streaming SQL: sessions are a visitor's events
 * until 30 minutes of inactivity; a session is credited to the most recent UTM-tagged session of
 * the visitor that started within the 30 days up to its own start (itself included).
 */
export interface BronzeEventRow {
  event_id: string;
  event_type: string;
  event_ms: number;
  anonymous_id: string;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  order_id: string | null;
  revenue_cents: number;
}

const MINUTE = 60_000;
const GAP = 30 * MINUTE;
const LOOKBACK = 30 * 24 * 60 * MINUTE;

export function referenceMinuteMetrics(rows: readonly BronzeEventRow[]): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  const bump = (minuteMs: number, campaign: string, metric: string, by = 1) => {
    const key = `${new Date(minuteMs).toISOString()}|${campaign}`;
    const entry = out.get(key) ?? {};
    entry[metric] = (entry[metric] ?? 0) + by;
    out.set(key, entry);
  };
  const norm = (v: string | null) => (v == null || v.trim() === '' ? null : v.trim().toLowerCase());
  const seenOrders = new Set<string>();
  const byVisitor = new Map<string, BronzeEventRow[]>();
  for (const row of rows) byVisitor.set(row.anonymous_id, [...(byVisitor.get(row.anonymous_id) ?? []), row]);
  for (const events of byVisitor.values()) {
    events.sort((a, b) => a.event_ms - b.event_ms || (a.event_id < b.event_id ? -1 : 1));
    const sessions: { start: number; events: BronzeEventRow[]; tag?: string }[] = [];
    for (const e of events) {
      const current = sessions.at(-1);
      if (!current || e.event_ms - current.events.at(-1)!.event_ms > GAP) sessions.push({ start: e.event_ms, events: [e] });
      else current.events.push(e);
      const campaign = norm(e.utm_campaign);
      if (campaign) sessions.at(-1)!.tag = [norm(e.utm_source), norm(e.utm_medium), campaign].join('/');
    }
    for (const s of sessions) {
      const credit = sessions.filter((p) => p.tag && p.start <= s.start && p.start >= s.start - LOOKBACK).at(-1)?.tag ?? '(direct)/(direct)/(direct)';
      const startMinute = Math.floor(s.start / MINUTE) * MINUTE;
      const has = (t: string) => s.events.some((e) => e.event_type === t);
      bump(startMinute, credit, 'sessoes');
      if (has('add_to_cart')) bump(startMinute, credit, 'sessoes_com_carrinho');
      if (has('purchase')) bump(startMinute, credit, 'sessoes_com_compra');
      if (has('add_to_cart') && has('purchase')) bump(startMinute, credit, 'sessoes_carrinho_com_compra');
      for (const e of s.events) {
        const minute = Math.floor(e.event_ms / MINUTE) * MINUTE;
        if (e.event_type === 'page_view') bump(minute, credit, 'visualizacoes_pagina');
        if (e.event_type === 'product_view') bump(minute, credit, 'visualizacoes_produto');
        if (e.event_type === 'add_to_cart') bump(minute, credit, 'adicoes_carrinho');
        if (e.event_type === 'checkout_start') bump(minute, credit, 'checkouts');
        if (e.event_type === 'purchase') {
          bump(minute, credit, 'receita_centavos', e.revenue_cents);
          if (!seenOrders.has(e.order_id!)) bump(minute, credit, 'pedidos');
          seenOrders.add(e.order_id!);
        }
      }
    }
  }
  return out;
}
