/** Small pieces every dashboard shows: KPI cards, the load status and which rollups answered. */
import type { ReactNode } from 'react';
import type { DashboardData } from './use-dashboard-data.ts';

export function Kpi({ label, value, testId, hint }: { label: string; value: string; testId: string; hint?: string }) {
  return (
    <div className="kpi" title={hint}>
      <div className="kpi-label">{label}</div>
      <div className="kpi-value" data-testid={testId}>
        {value}
      </div>
    </div>
  );
}

export function KpiRow({ children }: { children: ReactNode }) {
  return <div className="kpi-row">{children}</div>;
}

/** "loading" / "ready" / the API's error, and the rollups that answered the last load. */
export function LoadStatus({ data }: { data: DashboardData }) {
  const used = [...new Set(data.results?.flatMap((r) => r.usedPreAggregations) ?? [])];
  return (
    <div className="load-status">
      <span data-testid="dashboard-status" className={data.error ? 'error' : ''}>
        {data.error ? `Error: ${data.error}` : data.results ? (data.loading ? 'refreshing…' : 'ready') : 'loading…'}
      </span>
      {data.results && (
        <span className="served" data-testid="served-by">
          {used.length ? `rollups: ${used.join(', ')}` : 'answered from the source tables'}
        </span>
      )}
    </div>
  );
}

/** A table of rows already formatted as text; `testId` lets the browser tests read it back. */
export function FigureTable({ testId, headers, rows }: { testId: string; headers: readonly string[]; rows: readonly (readonly string[])[] }) {
  return (
    <table className="figures" data-testid={testId}>
      <thead>
        <tr>
          {headers.map((h) => (
            <th key={h}>{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, i) => (
          <tr key={i}>
            {row.map((cell, j) => (
              <td key={j}>{cell}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A fixed palette for chart series. */
export const SERIES_COLORS = ['#2563eb', '#f97316', '#16a34a', '#9333ea', '#dc2626', '#0891b2', '#ca8a04'];
