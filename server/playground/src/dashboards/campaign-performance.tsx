/**
 * Real-time campaign performance from `campanhas_tempo_real` (one row per minute and credited
 * campaign, kept by the streaming micro-batches and served by its lambda rollup, which adds the
 * minutes written after the last build): sessions, carts, orders, revenue and conversion per
 * campaign over a window, sessions and orders per minute, refreshing itself every few seconds and
 * saying how fresh the data is (the latest event minute, and how long ago the page last loaded).
 *
 * The window is either the last N minutes (`?window=60`, sliding, the default) or fixed
 * (`?from=2026-01-10T09:00&to=2026-01-10T10:59`, UTC minutes, inclusive). `?refresh=5` sets the
 * refresh interval in seconds (0 turns it off); `?campaign=` filters one credited campaign.
 * Campaign data is web traffic: it has no store, so the store filter does not apply here.
 */
import { useEffect, useState } from 'react';
import type { Filter, Query } from '@cubejs-client/core';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { FigureTable, Kpi, KpiRow, LoadStatus, SERIES_COLORS } from './dashboard-parts.tsx';
import { formatCurrency, formatInteger, formatPercent, minuteOf, toNumber } from './format.ts';
import { useDashboardData, useNumbersShown } from './use-dashboard-data.ts';

const C = 'campanhas_tempo_real';
const MINUTE = `${C}.minuto`;
const SUMS = [`${C}.sessoes`, `${C}.sessoes_com_carrinho`, `${C}.sessoes_com_compra`, `${C}.sessoes_carrinho_com_compra`, `${C}.pedidos`, `${C}.receita`];
const RATIOS = [`${C}.taxa_conversao`, `${C}.abandono_carrinho`];

/** The campaign dashboard's settings, from the URL. */
export interface CampaignSettings {
  /** Sliding window in minutes (ignored when `from`/`to` are set). */
  readonly windowMinutes: number;
  /** Fixed window, UTC minutes "YYYY-MM-DDTHH:mm" (inclusive). */
  readonly from: string;
  readonly to: string;
  readonly campaign: string;
  readonly refreshSeconds: number;
}

export function readCampaignSettings(search = window.location.search): CampaignSettings {
  const params = new URLSearchParams(search);
  const number = (name: string, fallback: number): number => {
    const n = Number(params.get(name));
    return params.has(name) && Number.isFinite(n) && n >= 0 ? n : fallback;
  };
  return {
    windowMinutes: Math.max(1, number('window', 60)),
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
    campaign: params.get('campaign') ?? '',
    refreshSeconds: number('refresh', 5),
  };
}

const isoMinute = (ms: number): string => new Date(ms).toISOString().slice(0, 16);

/** The window as a Cube dateRange of UTC timestamps: [first minute :00.000, last minute :59.999]. */
export function campaignRange(settings: CampaignSettings, nowMs: number): [string, string] {
  if (settings.from && settings.to) return [`${settings.from}:00.000`, `${settings.to}:59.999`];
  const last = Math.floor(nowMs / 60_000) * 60_000;
  return [`${isoMinute(last - (settings.windowMinutes - 1) * 60_000)}:00.000`, `${isoMinute(last)}:59.999`];
}

/**
 * The figures (per campaign over the window; the totals are their sums, and the rates the ratios
 * of the summed counts, as the model defines them) and, loaded beside them so the figures do not
 * wait, the chart (per minute) and the freshness (the latest minute with events, any campaign).
 */
export function campaignQueries(range: [string, string], campaign: string): { figures: Query[]; context: Query[] } {
  const filters: Filter[] = campaign ? [{ member: `${C}.utm_campaign`, operator: 'equals', values: [campaign] }] : [];
  const window = { dimension: MINUTE, dateRange: range };
  const figures: Query[] = [
    {
      measures: [...SUMS, ...RATIOS],
      dimensions: [`${C}.utm_source`, `${C}.utm_medium`, `${C}.utm_campaign`],
      timeDimensions: [window],
      filters,
      order: { [`${C}.sessoes`]: 'desc', [`${C}.utm_campaign`]: 'asc', [`${C}.utm_source`]: 'asc', [`${C}.utm_medium`]: 'asc' },
    },
  ];
  const context: Query[] = [
    { measures: [`${C}.sessoes`, `${C}.pedidos`], timeDimensions: [{ ...window, granularity: 'minute' }], filters, order: { [MINUTE]: 'asc' } },
    { measures: [`${C}.visualizacoes_pagina`], timeDimensions: [{ dimension: MINUTE, granularity: 'minute' }], order: { [MINUTE]: 'desc' }, limit: 1 },
  ];
  return { figures, context };
}

/** The window's totals from the per-campaign rows: sums add up; rates are recomputed from the summed counts. */
function totalsOf(rows: readonly Record<string, unknown>[]): Record<string, number | null> {
  const sum = (m: string): number => rows.reduce((s, r) => s + (toNumber(r[m]) ?? 0), 0);
  const totals: Record<string, number | null> = Object.fromEntries(SUMS.map((m) => [m, sum(m)]));
  const ratio = (num: number, den: number): number | null => (den ? num / den : null);
  totals[`${C}.taxa_conversao`] = ratio(totals[`${C}.sessoes_com_compra`]!, totals[`${C}.sessoes`]!);
  const carts = totals[`${C}.sessoes_com_carrinho`]!;
  totals[`${C}.abandono_carrinho`] = carts ? 1 - totals[`${C}.sessoes_carrinho_com_compra`]! / carts : null;
  return totals;
}

/** A clock ticking every second (for "updated N s ago" and the sliding window). */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

export function CampaignPerformance({ settings, token }: { settings: CampaignSettings; token: string }) {
  const now = useNow();
  // The sliding window moves once a minute (the queries change only then).
  const range = campaignRange(settings, Math.floor(now / 60_000) * 60_000);
  const queries = campaignQueries(range, settings.campaign);
  const data = useDashboardData(queries.figures, token, settings.refreshSeconds * 1_000);
  // The chart and the freshness load once the figures are in (and then refresh on their own).
  const context = useDashboardData(queries.context, token, settings.refreshSeconds * 1_000, data.loads > 0);
  const [perCampaign] = data.results ?? [];
  const [perMinute, latest] = context.results ?? [];
  useNumbersShown(Boolean(perCampaign));
  const total = perCampaign ? totalsOf(perCampaign.rows) : {};
  const latestMinute = latest?.rows[0]?.[`${MINUTE}.minute`];
  const latestMs = latestMinute ? Date.parse(`${String(latestMinute).slice(0, 19)}Z`) : undefined;
  const points = perMinute?.rows.map((r) => ({ minute: minuteOf(r[`${MINUTE}.minute`]), sessions: toNumber(r[`${C}.sessoes`]) ?? 0, orders: toNumber(r[`${C}.pedidos`]) ?? 0 })) ?? [];

  return (
    <section className="dashboard" data-testid="dashboard-campaigns">
      <h2>Real-time campaign performance</h2>
      <LoadStatus data={data} />
      <div className="freshness" data-testid="freshness">
        <span>
          Latest event minute: <strong data-testid="freshness-latest-minute">{latestMinute ? `${String(latestMinute).slice(0, 16).replace('T', ' ')} UTC` : latest ? 'no events yet' : 'loading…'}</strong>
          {latestMs !== undefined && <> ({Math.max(0, Math.round((now - latestMs) / 60_000))} min ago)</>}
        </span>
        <span>
          Updated <strong data-testid="freshness-updated">{data.loadedAt ? `${Math.max(0, Math.round((now - data.loadedAt) / 1_000))} s ago` : '…'}</strong>
        </span>
        <span>
          {settings.refreshSeconds > 0 ? `refreshing every ${settings.refreshSeconds} s` : 'auto-refresh off'} · loads: <span data-testid="refresh-count">{data.loads}</span>
        </span>
        <span data-testid="campaign-window">
          window {range[0].slice(0, 16).replace('T', ' ')} → {range[1].slice(0, 16).replace('T', ' ')} UTC{settings.campaign ? ` · campaign ${settings.campaign}` : ''}
        </span>
        <span className="muted">Store filter: not applicable (web traffic has no store).</span>
      </div>
      {perCampaign && (
        <KpiRow>
          <Kpi label="Sessions" value={formatInteger(total[`${C}.sessoes`])} testId="kpi-sessions" />
          <Kpi label="Sessions with cart" value={formatInteger(total[`${C}.sessoes_com_carrinho`])} testId="kpi-cart-sessions" />
          <Kpi label="Orders (web)" value={formatInteger(total[`${C}.pedidos`])} testId="kpi-orders" />
          <Kpi label="Revenue (web)" value={formatCurrency(total[`${C}.receita`])} testId="kpi-revenue" />
          <Kpi label="Conversion" value={formatPercent(toNumber(total[`${C}.taxa_conversao`]))} testId="kpi-conversion" hint="sessions with a purchase ÷ sessions" />
          <Kpi label="Cart abandonment" value={formatPercent(toNumber(total[`${C}.abandono_carrinho`]))} testId="kpi-abandonment" />
        </KpiRow>
      )}
      {perMinute && (
        <div className="charts">
          <figure>
            <figcaption>Sessions and orders per minute (UTC)</figcaption>
            <ResponsiveContainer width="100%" height={240}>
              <LineChart data={points}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="minute" />
                <YAxis />
                <Tooltip />
                <Legend />
                <Line dataKey="sessions" stroke={SERIES_COLORS[0]} dot={false} isAnimationActive={false} />
                <Line dataKey="orders" stroke={SERIES_COLORS[1]} dot={false} isAnimationActive={false} />
              </LineChart>
            </ResponsiveContainer>
          </figure>
        </div>
      )}
      {perCampaign && (
        <FigureTable
          testId="table-campaigns"
          headers={['Source', 'Medium', 'Campaign', 'Sessions', 'Sessions with cart', 'Sessions with purchase', 'Orders', 'Revenue', 'Conversion', 'Cart abandonment']}
          rows={perCampaign.rows.map((r) => [
            String(r[`${C}.utm_source`]),
            String(r[`${C}.utm_medium`]),
            String(r[`${C}.utm_campaign`]),
            formatInteger(r[`${C}.sessoes`]),
            formatInteger(r[`${C}.sessoes_com_carrinho`]),
            formatInteger(r[`${C}.sessoes_com_compra`]),
            formatInteger(r[`${C}.pedidos`]),
            formatCurrency(r[`${C}.receita`]),
            formatPercent(toNumber(r[`${C}.taxa_conversao`])),
            formatPercent(toNumber(r[`${C}.abandono_carrinho`])),
          ])}
        />
      )}
      <p className="note">
        Attribution: last non-direct UTM-tagged session within 30 days; <code>(direct)</code> = no campaign. Sessions count in their first minute, orders and revenue in the
        event&apos;s minute. Revenue is price × quantity before discounts, reconciled daily with the sales fact.
      </p>
    </section>
  );
}
