/**
 * Sales by channel: online vs physical stores over time. Net sales (`vendas.vendas_liquidas`, the
 * contract's default revenue) and orders (`vendas.pedidos`) by month, per channel group
 * (`vendas.canal_tipo`: online / fisico) and per sales channel (`vendas.canal_nome`), with the
 * totals of the period and the online share of net sales. Filtered by sale date and store.
 */
import type { Query } from '@cubejs-client/core';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { saleDate, storeFilters, type SalesFilters } from './dashboard-filters.ts';
import { FigureTable, Kpi, KpiRow, LoadStatus, SERIES_COLORS } from './dashboard-parts.tsx';
import { formatCurrency, formatInteger, formatPercent, monthOf, toNumber } from './format.ts';
import { useDashboardData, useNumbersShown } from './use-dashboard-data.ts';

const NET = 'vendas.vendas_liquidas';
const ORDERS = 'vendas.pedidos';
const GROUP = 'vendas.canal_tipo';
const CHANNEL = 'vendas.canal_nome';

/** Channel group labels (`dim_canal.tipo`). */
export const GROUP_LABELS: Readonly<Record<string, string>> = { online: 'Online', fisico: 'Physical stores' };
const groupLabel = (value: unknown): string => GROUP_LABELS[String(value)] ?? String(value);

/** The dashboard's three queries: by month × group, by month × channel, totals by group. */
export function salesByChannelQueries(filters: SalesFilters): Query[] {
  const base = { measures: [NET, ORDERS], filters: storeFilters(filters) };
  return [
    { ...base, dimensions: [GROUP], timeDimensions: saleDate(filters, 'month'), order: { 'vendas.data_venda': 'asc', [GROUP]: 'asc' } },
    { ...base, dimensions: [CHANNEL], timeDimensions: saleDate(filters, 'month'), order: { 'vendas.data_venda': 'asc', [CHANNEL]: 'asc' } },
    { ...base, dimensions: [GROUP], timeDimensions: saleDate(filters), order: { [GROUP]: 'asc' } },
  ];
}

/** Rows by month → one chart point per month with a value per series. */
function pivot(rows: readonly Record<string, unknown>[], series: string, label: (v: unknown) => string): { points: Record<string, string | number>[]; names: string[] } {
  const byMonth = new Map<string, Record<string, string | number>>();
  const names = new Set<string>();
  for (const row of rows) {
    const month = monthOf(row['vendas.data_venda.month']);
    const name = label(row[series]);
    names.add(name);
    const point = byMonth.get(month) ?? { month };
    point[name] = toNumber(row[NET]) ?? 0;
    byMonth.set(month, point);
  }
  return { points: [...byMonth.values()], names: [...names] };
}

export function SalesByChannel({ filters, token }: { filters: SalesFilters; token: string }) {
  const data = useDashboardData(salesByChannelQueries(filters), token);
  const [byGroup, byChannel, totals] = data.results ?? [];
  useNumbersShown(Boolean(totals));
  const totalNet = totals?.rows.reduce((sum, r) => sum + (toNumber(r[NET]) ?? 0), 0) ?? 0;
  const onlineNet = toNumber(totals?.rows.find((r) => r[GROUP] === 'online')?.[NET]) ?? 0;
  const groupChart = byGroup ? pivot(byGroup.rows, GROUP, groupLabel) : undefined;
  const channelChart = byChannel ? pivot(byChannel.rows, CHANNEL, String) : undefined;

  return (
    <section className="dashboard" data-testid="dashboard-sales-by-channel">
      <h2>Sales by channel: online vs physical stores</h2>
      <LoadStatus data={data} />
      {totals && (
        <KpiRow>
          {totals.rows.map((r) => (
            <Kpi key={`net-${String(r[GROUP])}`} label={`Net sales · ${groupLabel(r[GROUP])}`} value={formatCurrency(r[NET])} testId={`kpi-net:${String(r[GROUP])}`} />
          ))}
          {totals.rows.map((r) => (
            <Kpi key={`orders-${String(r[GROUP])}`} label={`Orders · ${groupLabel(r[GROUP])}`} value={formatInteger(r[ORDERS])} testId={`kpi-orders:${String(r[GROUP])}`} />
          ))}
          <Kpi label="Online share of net sales" value={formatPercent(totalNet ? onlineNet / totalNet : null)} testId="kpi-online-share" hint="online net sales ÷ net sales of every channel" />
        </KpiRow>
      )}
      <div className="charts">
        {groupChart && (
          <figure>
            <figcaption>Net sales by month: online vs physical stores</figcaption>
            <ResponsiveContainer width="100%" height={260}>
              <BarChart data={groupChart.points}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="month" />
                <YAxis />
                <Tooltip />
                <Legend />
                {groupChart.names.map((name, i) => (
                  <Bar key={name} dataKey={name} stackId="net" fill={SERIES_COLORS[i % SERIES_COLORS.length]} isAnimationActive={false} />
                ))}
              </BarChart>
            </ResponsiveContainer>
          </figure>
        )}
        {channelChart && (
          <figure>
            <figcaption>Net sales by month and sales channel</figcaption>
            <ResponsiveContainer width="100%" height={260}>
              <LineChart data={channelChart.points}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="month" />
                <YAxis />
                <Tooltip />
                <Legend />
                {channelChart.names.map((name, i) => (
                  <Line key={name} dataKey={name} stroke={SERIES_COLORS[i % SERIES_COLORS.length]} dot={false} isAnimationActive={false} />
                ))}
              </LineChart>
            </ResponsiveContainer>
          </figure>
        )}
      </div>
      <div className="tables">
        {byGroup && (
          <FigureTable
            testId="table-month-group"
            headers={['Month', 'Channel group', 'Net sales', 'Orders']}
            rows={byGroup.rows.map((r) => [monthOf(r['vendas.data_venda.month']), groupLabel(r[GROUP]), formatCurrency(r[NET]), formatInteger(r[ORDERS])])}
          />
        )}
        {byChannel && (
          <FigureTable
            testId="table-month-channel"
            headers={['Month', 'Sales channel', 'Net sales', 'Orders']}
            rows={byChannel.rows.map((r) => [monthOf(r['vendas.data_venda.month']), String(r[CHANNEL]), formatCurrency(r[NET]), formatInteger(r[ORDERS])])}
          />
        )}
      </div>
      <p className="note">
        Net sales = gross − discounts on the sale date − refunds on the refund date (<code>vendas.vendas_liquidas</code>); orders exclude cancelled and test orders.
      </p>
    </section>
  );
}
