/**
 * New vs returning customers by month: distinct customers (`vendas.clientes_distintos`) and orders
 * (`vendas.pedidos`) per customer type (`vendas.tipo_cliente`: novo, recorrente, sem_historico,
 * nao_identificado), and the new customers' share of identified orders. Filtered by sale date and
 * store. Customer types come from the data, so a type the model adds shows up as its own column.
 *
 * `sem_historico` (first order seen in the first 12 months of history from a customer registered
 * before it: may have bought before) is shown apart, as model/GLOSSARY.md asks dashboards to do.
 *
 * Distinct customers do not add up across types: one customer can place a new and a returning
 * order in the same month. So the types' bars stand side by side (never stacked, whose height
 * would read as a customer count), and the month's customers are the measure itself, asked
 * without the type (`All customers`).
 */
import type { Query } from '@cubejs-client/core';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { saleDate, storeFilters, type SalesFilters } from './dashboard-filters.ts';
import { FigureTable, Kpi, KpiRow, LoadStatus, SERIES_COLORS } from './dashboard-parts.tsx';
import { formatInteger, formatPercent, monthOf, toNumber } from './format.ts';
import { useDashboardData, useNumbersShown } from './use-dashboard-data.ts';

const CUSTOMERS = 'vendas.clientes_distintos';
const ORDERS = 'vendas.pedidos';
const TYPE = 'vendas.tipo_cliente';
/** The month's distinct customers, the measure asked without the type (not a sum of the types). */
const ALL_LABEL = 'All customers';

/** Customer types in display order, with their labels; unknown types follow with their raw name. */
export const TYPE_LABELS: Readonly<Record<string, string>> = {
  novo: 'New',
  recorrente: 'Returning',
  sem_historico: 'First seen (no history)',
  nao_identificado: 'Not identified',
};
const typeLabel = (value: string): string => TYPE_LABELS[value] ?? value;
/** Types whose orders come from identified customers (the share's denominator). */
const IDENTIFIED = (type: string): boolean => type !== 'nao_identificado';

export function newVsReturningQueries(filters: SalesFilters): Query[] {
  const base = { measures: [CUSTOMERS, ORDERS], dimensions: [TYPE], filters: storeFilters(filters) };
  const all = { measures: [CUSTOMERS], filters: storeFilters(filters) };
  return [
    { ...base, timeDimensions: saleDate(filters, 'month'), order: { 'vendas.data_venda': 'asc', [TYPE]: 'asc' } },
    { ...base, timeDimensions: saleDate(filters), order: { [TYPE]: 'asc' } },
    { ...all, timeDimensions: saleDate(filters, 'month'), order: { 'vendas.data_venda': 'asc' } },
    { ...all, timeDimensions: saleDate(filters) },
  ];
}

/** New orders ÷ orders of identified customers (new + returning + first seen without history). */
export function newShare(byType: ReadonlyMap<string, number>): number | null {
  let identified = 0;
  for (const [type, orders] of byType) if (IDENTIFIED(type)) identified += orders;
  return identified ? (byType.get('novo') ?? 0) / identified : null;
}

function orderedTypes(rows: readonly Record<string, unknown>[]): string[] {
  const seen = [...new Set(rows.map((r) => String(r[TYPE])))];
  const known = Object.keys(TYPE_LABELS).filter((t) => seen.includes(t));
  return [...known, ...seen.filter((t) => !(t in TYPE_LABELS)).sort()];
}

interface MonthFigures {
  readonly month: string;
  readonly customers: Map<string, number>;
  readonly orders: Map<string, number>;
}

function byMonth(rows: readonly Record<string, unknown>[]): MonthFigures[] {
  const months = new Map<string, MonthFigures>();
  for (const r of rows) {
    const month = monthOf(r['vendas.data_venda.month']);
    const figures = months.get(month) ?? { month, customers: new Map(), orders: new Map() };
    figures.customers.set(String(r[TYPE]), toNumber(r[CUSTOMERS]) ?? 0);
    figures.orders.set(String(r[TYPE]), toNumber(r[ORDERS]) ?? 0);
    months.set(month, figures);
  }
  return [...months.values()];
}

export function NewVsReturning({ filters, token }: { filters: SalesFilters; token: string }) {
  const data = useDashboardData(newVsReturningQueries(filters), token);
  const [monthly, totals, monthlyAll, totalAll] = data.results ?? [];
  useNumbersShown(Boolean(totals));
  const types = monthly ? orderedTypes([...monthly.rows, ...(totals?.rows ?? [])]) : [];
  const months = monthly ? byMonth(monthly.rows) : [];
  const totalOrders = new Map(totals?.rows.map((r) => [String(r[TYPE]), toNumber(r[ORDERS]) ?? 0]) ?? []);
  const customerTypes = types.filter(IDENTIFIED);
  const allByMonth = new Map(monthlyAll?.rows.map((r) => [monthOf(r['vendas.data_venda.month']), toNumber(r[CUSTOMERS]) ?? 0]) ?? []);

  const chartPoints = months.map((m) => ({
    month: m.month,
    ...Object.fromEntries(customerTypes.map((t) => [typeLabel(t), m.customers.get(t) ?? 0])),
    [ALL_LABEL]: allByMonth.get(m.month) ?? 0,
    share: (newShare(m.orders) ?? 0) * 100,
  }));

  return (
    <section className="dashboard" data-testid="dashboard-new-vs-returning">
      <h2>New vs returning customers by month</h2>
      <LoadStatus data={data} />
      {totals && (
        <KpiRow>
          <Kpi label={`Customers · ${ALL_LABEL}`} value={formatInteger(totalAll?.rows[0]?.[CUSTOMERS] ?? 0)} testId="kpi-customers:all" />
          {totals.rows.map((r) => (
            <Kpi key={`c-${String(r[TYPE])}`} label={`Customers · ${typeLabel(String(r[TYPE]))}`} value={formatInteger(r[CUSTOMERS])} testId={`kpi-customers:${String(r[TYPE])}`} />
          ))}
          {totals.rows.map((r) => (
            <Kpi key={`o-${String(r[TYPE])}`} label={`Orders · ${typeLabel(String(r[TYPE]))}`} value={formatInteger(r[ORDERS])} testId={`kpi-orders:${String(r[TYPE])}`} />
          ))}
          <Kpi label="New customers' share of identified orders" value={formatPercent(newShare(totalOrders))} testId="kpi-new-share" />
        </KpiRow>
      )}
      {monthly && (
        <div className="charts">
          <figure data-testid="chart-customers">
            <figcaption>Customers by month and type (side by side: a customer can be new and returning in one month)</figcaption>
            <ResponsiveContainer width="100%" height={260}>
              <BarChart data={chartPoints}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="month" />
                <YAxis />
                <Tooltip />
                <Legend />
                <Bar dataKey={ALL_LABEL} fill="#9aa0a6" isAnimationActive={false} />
                {customerTypes.map((t, i) => (
                  <Bar key={t} dataKey={typeLabel(t)} fill={SERIES_COLORS[i % SERIES_COLORS.length]} isAnimationActive={false} />
                ))}
              </BarChart>
            </ResponsiveContainer>
          </figure>
          <figure>
            <figcaption>New customers&apos; share of identified orders (%)</figcaption>
            <ResponsiveContainer width="100%" height={260}>
              <LineChart data={chartPoints}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="month" />
                <YAxis unit="%" />
                <Tooltip />
                <Line dataKey="share" name="new share" stroke={SERIES_COLORS[0]} dot={false} isAnimationActive={false} />
              </LineChart>
            </ResponsiveContainer>
          </figure>
        </div>
      )}
      {monthly && (
        <FigureTable
          testId="table-new-vs-returning"
          headers={['Month', `Customers · ${ALL_LABEL}`, ...types.map((t) => `Customers · ${typeLabel(t)}`), ...types.map((t) => `Orders · ${typeLabel(t)}`), 'New share']}
          rows={months.map((m) => [
            m.month,
            formatInteger(allByMonth.get(m.month) ?? 0),
            ...types.map((t) => formatInteger(m.customers.get(t) ?? 0)),
            ...types.map((t) => formatInteger(m.orders.get(t) ?? 0)),
            formatPercent(newShare(m.orders)),
          ])}
        />
      )}
      <p className="note">
        Per order: <em>new</em> is the customer&apos;s first valid order in any channel, <em>returning</em> a later one. In the first 12 months of history a first order
        from a customer registered earlier is <em>first seen (no history)</em>: they may have bought before. Anonymous store receipts are <em>not identified</em> (no
        customer count). A customer can place a new and a returning order in one month, so the types&apos; customers do not add up to <em>all customers</em>,
        which is counted once each. New share = new orders ÷ orders of identified customers.
      </p>
    </section>
  );
}
