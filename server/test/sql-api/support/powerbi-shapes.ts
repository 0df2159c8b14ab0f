/**
 * The SQL Power BI Desktop's PostgreSQL connector sends in DirectQuery, written the way it writes
 * it, for one visual: a grain (one column, or none for a card), one measure column under one
 * aggregate, and a filter. The shapes follow what was captured from Power BI against
 * Postgres-wire servers and published:
 * - the inner level only projects (and filters) the table under alias `"_"`, the grouping level
 *   reads it as `"rows"`, and an outer level keeps `where not "_"."a0" is null`, with
 *   `limit 1000001` (Cube's cubesql tests `powerbi_join`, Adobe CJA's BI-extension use cases);
 * - date filters are `timestamp '...'` literals, list filters `in (...)` in parentheses;
 * - "Count (Distinct)" is `count(distinct(x)) + max(case when x is null then 1 else 0 end)`
 *   (cubesql `test_bi_workarounds.rs`);
 * - a Top N filter joins the rows back to a ranked subquery: `"$Outer" inner join (… order by
 *   "_"."a0" desc limit N) "$Inner" on ("$Outer".c = "$Inner".c or "$Outer".c is null and
 *   "$Inner".c is null)` (the null-safe join of cubesql's Power BI join tests).
 */

/** Power BI's summarizations of a numeric column ("Don't summarize" aside). */
export const AGGREGATES = ['sum', 'avg', 'min', 'max', 'count', 'countDistinct'] as const;
export type Aggregate = (typeof AGGREGATES)[number];

/** A visual's filter: none, a date range, a slicer on dimensions, or a Top N on the grain. */
export type FilterKind = 'none' | 'dateRange' | 'dimension' | 'topN';

/** The date range used (the gold fixture has sales every 37 hours through 2024). */
export const DATE_RANGE = { from: '2024-11-01 00:00:00', to: '2024-12-01 00:00:00' } as const;
/** The slicer: three sales channels and one product category. */
export const DIMENSION_FILTER = { canais: ['Site', 'App', 'Loja física'], categoria: 'Vestuário' } as const;
export const TOP_N = 2;

/** One visual: `grain` undefined is a card (one total row). */
export interface Visual {
  readonly grain?: string;
  readonly measure: string;
  readonly aggregate: Aggregate;
  readonly filter: FilterKind;
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;
const lit = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** The aggregate expression Power BI writes over column `col` of alias `rel`. */
export function aggregateSql(aggregate: Aggregate, rel: string, col: string): string {
  const ref = `${q(rel)}.${q(col)}`;
  if (aggregate === 'countDistinct') return `count(distinct(${ref})) + max(case when ${ref} is null then 1 else 0 end)`;
  return `${aggregate}(${ref})`;
}

/** The inner WHERE (on alias `"_"`) for a filter kind; empty for none and Top N. */
export function innerWhere(filter: FilterKind): string {
  if (filter === 'dateRange') return ` where "_"."data_venda" >= timestamp ${lit(DATE_RANGE.from)} and "_"."data_venda" < timestamp ${lit(DATE_RANGE.to)}`;
  if (filter === 'dimension') return ` where ("_"."canal_nome" in (${DIMENSION_FILTER.canais.map(lit).join(', ')})) and "_"."produto_categoria" = ${lit(DIMENSION_FILTER.categoria)}`;
  return '';
}

/** The same filter as a plain WHERE for `MEASURE()` (the oracle), or '' when there is none. */
export function plainWhere(filter: FilterKind): string {
  if (filter === 'dateRange') return ` WHERE data_venda >= timestamp ${lit(DATE_RANGE.from)} AND data_venda < timestamp ${lit(DATE_RANGE.to)}`;
  if (filter === 'dimension') return ` WHERE canal_nome IN (${DIMENSION_FILTER.canais.map(lit).join(', ')}) AND produto_categoria = ${lit(DIMENSION_FILTER.categoria)}`;
  return '';
}

/** The table level: `select "_"."c", "_"."m" from "public"."vendas" "_" [where …]`. */
function projection(columns: readonly string[], filter: FilterKind): string {
  return `select ${columns.map((c) => `"_".${q(c)}`).join(', ')} from "public"."vendas" "_"${innerWhere(filter)}`;
}

/** The grouping level over `rows` (a subquery text) at the visual's grain. */
function grouping(v: Visual, rows: string): string {
  const agg = `${aggregateSql(v.aggregate, 'rows', v.measure)} as "a0"`;
  if (!v.grain) return `select ${agg} from (${rows}) "rows"`;
  return `select "rows".${q(v.grain)} as ${q(v.grain)}, ${agg} from (${rows}) "rows" group by ${q(v.grain)}`;
}

/** Power BI's DirectQuery SQL for the visual. */
export function powerBiSql(v: Visual): string {
  if (v.filter === 'topN') return topNSql(v);
  const level = grouping(v, projection(v.grain ? [v.grain, v.measure] : [v.measure], v.filter));
  if (!dropsNullGroups(v)) return `${level} limit 1000001`;
  return `select "_".${q(v.grain!)}, "_"."a0" from (${level}) "_" where not "_"."a0" is null limit 1000001`;
}

/** Whether the shape drops groups whose aggregate is NULL (the outer `not "_"."a0" is null`). */
export function dropsNullGroups(v: Visual): boolean {
  return Boolean(v.grain) && (v.filter === 'none' || v.filter === 'topN');
}

function topNSql(v: Visual): string {
  if (!v.grain) throw new Error('Top N needs a grain');
  const g = q(v.grain);
  const columns = [v.grain, v.measure];
  const ranked = `select "_".${g} from (${grouping(v, projection(columns, 'none'))}) "_" where not "_"."a0" is null order by "_"."a0" desc limit ${TOP_N}`;
  const joined =
    `select "$Outer".${g}, "$Outer".${q(v.measure)} from (${projection(columns, 'none')}) "$Outer" inner join (${ranked}) "$Inner"` +
    ` on ("$Outer".${g} = "$Inner".${g} or "$Outer".${g} is null and "$Inner".${g} is null)`;
  return `select "_".${g}, "_"."a0" from (${grouping(v, joined)}) "_" where not "_"."a0" is null limit 1000001`;
}
