/**
 * The result as a chart (line, bar, area or pie, drawn as SVG by Recharts): the x axis is the
 * time dimension, else the dimensions joined; one series per measure (the pie shows the first).
 */
import { useState } from 'react';
import { Area, AreaChart, Bar, BarChart, CartesianGrid, Cell, Legend, Line, LineChart, Pie, PieChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { LoadResult } from '../api/rest-client.ts';
import type { CubeQuery } from '../query/query-types.ts';
import { resultColumns } from './result-columns.ts';

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];
export type ChartType = 'line' | 'bar' | 'area' | 'pie';
const WIDTH = 820;
const HEIGHT = 340;

export function ResultsChart({ result }: { result?: LoadResult; query: CubeQuery }) {
  const [type, setType] = useState<ChartType>('line');
  if (!result) return <p className="note">No result.</p>;
  const columns = resultColumns(result);
  const measures = columns.filter((c) => c.kind === 'measure');
  const categories = columns.filter((c) => c.kind !== 'measure');
  if (!measures.length) return <p className="note">Add a measure to chart the result.</p>;
  const data = result.data.map((row) => {
    const point: Record<string, string | number | null> = { x: categories.map((c) => String(row[c.key] ?? '∅').replace(/T00:00:00\.000$/, '')).join(' · ') || 'total' };
    for (const m of measures) point[m.key] = row[m.key] === null || row[m.key] === undefined ? null : Number(row[m.key]);
    return point;
  });
  const axes = (
    <>
      <CartesianGrid strokeDasharray="3 3" />
      <XAxis dataKey="x" />
      <YAxis />
      <Tooltip />
      <Legend />
    </>
  );
  const chart =
    type === 'pie' ? (
      <PieChart width={WIDTH} height={HEIGHT}>
        <Pie data={data} dataKey={measures[0]!.key} nameKey="x" outerRadius={130} isAnimationActive={false} label>
          {data.map((_, i) => (
            <Cell key={i} fill={COLORS[i % COLORS.length]} />
          ))}
        </Pie>
        <Tooltip />
      </PieChart>
    ) : type === 'bar' ? (
      <BarChart width={WIDTH} height={HEIGHT} data={data}>
        {axes}
        {measures.map((m, i) => (
          <Bar key={m.key} dataKey={m.key} name={m.title} fill={COLORS[i % COLORS.length]} isAnimationActive={false} />
        ))}
      </BarChart>
    ) : type === 'area' ? (
      <AreaChart width={WIDTH} height={HEIGHT} data={data}>
        {axes}
        {measures.map((m, i) => (
          <Area key={m.key} dataKey={m.key} name={m.title} stroke={COLORS[i % COLORS.length]} fill={COLORS[i % COLORS.length]} fillOpacity={0.25} isAnimationActive={false} />
        ))}
      </AreaChart>
    ) : (
      <LineChart width={WIDTH} height={HEIGHT} data={data}>
        {axes}
        {measures.map((m, i) => (
          <Line key={m.key} dataKey={m.key} name={m.title} stroke={COLORS[i % COLORS.length]} isAnimationActive={false} />
        ))}
      </LineChart>
    );
  return (
    <div data-testid="chart">
      <div className="row">
        {(['line', 'bar', 'area', 'pie'] as const).map((t) => (
          <label key={t}>
            <input type="radio" name="chart-type" checked={type === t} onChange={() => setType(t)} data-testid={`chart-type-${t}`} /> {t}
          </label>
        ))}
      </div>
      {chart}
    </div>
  );
}
