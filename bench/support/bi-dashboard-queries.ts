/**
 * The dashboard mix of `bench/preagg-bench.ts` (sales by channel by day and by month, new vs
 * returning customers by month, campaigns by day, the year's KPIs), each visual written twice
 * over the `vendas` view: as the REST `/load` query an app sends, and as the SQL Power BI's
 * DirectQuery sends for the same visual (the nested `"_"` / `"rows"` levels, a `date_trunc`
 * custom column for the date axis, `where not "_"."a0" is null`, `limit 1000001`; see
 * server/test/sql-api/support/powerbi-shapes.ts).
 *
 * Both carry an exclusion filter on a dimension the rollup holds (`<> 'value'` in SQL, `notEquals`
 * in REST) with a value that matches no row: a distinct value per request makes every request a
 * result-cache miss answered by the rollup, the same value every time makes them cache hits.
 */

/** A time range: `from` inclusive, `to` exclusive, both at midnight. */
interface Range {
  readonly from: string;
  readonly to: string;
}

/** One visual: its measures (view columns), its grain and date range, and the dimension the exclusion filter is on. */
interface Visual {
  readonly name: string;
  readonly measures: readonly string[];
  readonly dimension?: string;
  readonly granularity?: 'day' | 'month';
  readonly range: Range;
  readonly excludeOn: string;
}

/** A visual written for both APIs; `exclude` is the never-matching value of the exclusion filter. */
export interface DashboardQuery {
  readonly name: string;
  rest(exclude: string): Record<string, unknown>;
  /** REST's answer keys in the SQL answer's column order (REST also repeats the time dimension without granularity). */
  readonly restColumns: readonly string[];
  sql(exclude: string): string;
  /** The grouping level alone (Power BI's SQL without the outer `not "_"."a0" is null` level), to tell the two levels' costs apart. */
  sqlGroupingLevel(exclude: string): string;
}

const VISUALS: readonly Visual[] = [
  { name: 'vendas por canal por dia (90 d)', measures: ['vendas_liquidas', 'unidades'], dimension: 'canal_nome', granularity: 'day', range: { from: '2026-06-01', to: '2026-08-30' }, excludeOn: 'canal_nome' },
  { name: 'vendas por canal por mês (2 anos)', measures: ['vendas_liquidas', 'descontos'], dimension: 'canal_nome', granularity: 'month', range: { from: '2024-10-01', to: '2026-10-01' }, excludeOn: 'canal_nome' },
  { name: 'novos x recorrentes por mês', measures: ['pedidos', 'vendas_liquidas'], dimension: 'tipo_cliente', granularity: 'month', range: { from: '2025-01-01', to: '2026-09-01' }, excludeOn: 'tipo_cliente' },
  { name: 'campanhas por dia (30 d)', measures: ['vendas_liquidas', 'unidades'], dimension: 'campanha_nome', granularity: 'day', range: { from: '2026-08-01', to: '2026-08-31' }, excludeOn: 'campanha_nome' },
  { name: 'KPIs do ano (cartão)', measures: ['vendas_brutas', 'vendas_liquidas', 'unidades'], range: { from: '2025-01-01', to: '2026-01-01' }, excludeOn: 'canal_nome' },
];

const q = (name: string) => `"${name}"`;
const lit = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** The day before `to` (REST date ranges are inclusive of whole days). */
function lastDay(to: string): string {
  return new Date(Date.parse(`${to}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

function restQuery(v: Visual, exclude: string): Record<string, unknown> {
  const dateRange = [v.range.from, lastDay(v.range.to)];
  return {
    measures: v.measures.map((m) => `vendas.${m}`),
    ...(v.dimension ? { dimensions: [`vendas.${v.dimension}`] } : {}),
    timeDimensions: [{ dimension: 'vendas.data_venda', dateRange, ...(v.granularity ? { granularity: v.granularity } : {}) }],
    filters: [{ member: `vendas.${v.excludeOn}`, operator: 'notEquals', values: [exclude] }],
  };
}

function powerBiSql(v: Visual, exclude: string, outerLevel = true): string {
  const grain = [...(v.dimension ? [v.dimension] : []), ...(v.granularity ? ['periodo'] : [])];
  const innerColumns = [
    ...(v.dimension ? [`"_".${q(v.dimension)}`] : []),
    ...(v.granularity ? [`date_trunc(${lit(v.granularity)}, "_"."data_venda") as "periodo"`] : []),
    ...v.measures.map((m) => `"_".${q(m)}`),
  ];
  const where =
    `"_"."data_venda" >= timestamp ${lit(`${v.range.from} 00:00:00`)} and "_"."data_venda" < timestamp ${lit(`${v.range.to} 00:00:00`)}` +
    ` and "_".${q(v.excludeOn)} <> ${lit(exclude)}`;
  const rows = `select ${innerColumns.join(', ')} from "public"."vendas" "_" where ${where}`;
  const aggregates = v.measures.map((m, i) => `sum("rows".${q(m)}) as "a${i}"`);
  if (grain.length === 0) return `select ${aggregates.join(', ')} from (${rows}) "rows" limit 1000001`;
  const grouping = `select ${grain.map((g) => `"rows".${q(g)} as ${q(g)}`).join(', ')}, ${aggregates.join(', ')} from (${rows}) "rows" group by ${grain.map(q).join(', ')}`;
  if (!outerLevel) return `${grouping} limit 1000001`;
  const notNull = v.measures.map((_, i) => `not "_"."a${i}" is null`).join(' or ');
  return `select ${[...grain, ...v.measures.map((_, i) => `a${i}`)].map((c) => `"_".${q(c)}`).join(', ')} from (${grouping}) "_" where ${notNull} limit 1000001`;
}

export const DASHBOARD_QUERIES: readonly DashboardQuery[] = VISUALS.map((v) => ({
  name: v.name,
  rest: (exclude) => restQuery(v, exclude),
  restColumns: [...(v.dimension ? [`vendas.${v.dimension}`] : []), ...(v.granularity ? [`vendas.data_venda.${v.granularity}`] : []), ...v.measures.map((m) => `vendas.${m}`)],
  sql: (exclude) => powerBiSql(v, exclude),
  sqlGroupingLevel: (exclude) => powerBiSql(v, exclude, false),
}));
