/**
 * Renders `{FILTER_PARAMS.cube.member.filter(...)}`: the query's filters on that member, applied
 * to the column SQL the model gives (or through its callback), so a cube's `sql` subquery can
 * prune partitions before the outer WHERE applies the same filters again. `1 = 1` when the query
 * does not filter on the member. Values are always bound parameters.
 *
 * Only filters every row of the answer must pass are pushed: top-level ones (and `and` groups),
 * and an `or` group all of whose leaves are on the member. A date range is pushed unless the plan
 * reads rows outside it (rolling windows, time shifts). Measures are never pushed (they filter
 * groups, not rows). The callback form receives values without their operator, so it takes only
 * date ranges (from, to) and single-value `equals` (value); other filters leave it `1 = 1`.
 * https://cube.dev/docs/reference/data-model/context-variables#filter_params
 */
import type { FilterParamsPart, SqlTemplate } from '../model/model-types.ts';
import type { NormalizedFilter } from '../query/query-types.ts';
import { localToUtc } from '../time/local-time.ts';
import { expr, type ExpressionNode } from '../sql/expression-node.ts';
import { filterSql } from './filter-sql.ts';
import type { LogicalPlan } from './plan-types.ts';

type MemberFilter = Extract<NormalizedFilter, { kind: 'member' }>;
/** A condition on one member's rows: a member filter, or a measureFilter (its measure's own filters, never pushed). */
type LeafFilter = Extract<NormalizedFilter, { kind: 'member' | 'measureFilter' }>;

/** The row filters of one query that FILTER_PARAMS may push down, in the query time zone. */
export interface PushdownFilters {
  readonly filters: readonly NormalizedFilter[];
  readonly timezone: string;
}

/** What a plan lets FILTER_PARAMS push: its row-level filters, and its date ranges when every scan keeps to them. */
export function pushdownFilters(plan: LogicalPlan): PushdownFilters {
  const widened = plan.nodes.some((node) => node.kind === 'rollingWindow' || node.kind === 'timeShift');
  const ranges: NormalizedFilter[] = widened
    ? []
    : plan.dateRanges.map((td) => ({ kind: 'member', target: td.target, operator: 'inDateRange', values: [...td.dateRange!] }));
  return { filters: [...ranges, ...plan.where], timezone: plan.timezone };
}

const ALWAYS_TRUE = (): ExpressionNode => expr.raw(['1 = 1']);

/** Renders a column's own references (`{CUBE}.created_at`) where the template appears. */
export type RenderTemplate = (template: SqlTemplate) => ExpressionNode;

/** The SQL of one FILTER_PARAMS part for the query at hand (`1 = 1` without filters on its member). */
export function filterParamsSql(part: FilterParamsPart, pushdown: PushdownFilters | undefined, renderTemplate: RenderTemplate): ExpressionNode {
  return filterGroupSql([part], pushdown, renderTemplate);
}

/**
 * The SQL of `FILTER_GROUP(FILTER_PARAMS..., ...)`: the query's filters on the group's members,
 * each over its own column or callback, keeping the query's AND/OR between them (an OR is pushed
 * when all its leaves are in the group). https://cube.dev/docs/reference/data-model/context-variables#filter_group
 */
export function filterGroupSql(parts: readonly FilterParamsPart[], pushdown: PushdownFilters | undefined, renderTemplate: RenderTemplate): ExpressionNode {
  const byMember = new Map(parts.map((part) => [part.member, part]));
  const applicable = (pushdown?.filters ?? []).flatMap((filter) => conjunctsIn(filter, byMember));
  const rendered = applicable.flatMap((filter) => {
    const sql = render(byMember, filter, pushdown!.timezone, renderTemplate);
    return sql ? [sql] : [];
  });
  if (rendered.length === 0) return ALWAYS_TRUE();
  return expr.raw(['(', rendered.length === 1 ? rendered[0]! : expr.and(rendered), ')']);
}

/** Filters under `filter` that every answer row passes and that name only members of `group`. */
function conjunctsIn(filter: NormalizedFilter, group: ReadonlyMap<string, FilterParamsPart>): NormalizedFilter[] {
  if (filter.kind === 'and') return filter.filters.flatMap((f) => conjunctsIn(f, group));
  if (filter.kind === 'or') return filter.filters.length > 0 && leaves(filter).every((leaf) => isIn(leaf, group)) ? [filter] : [];
  return isIn(filter, group) ? [filter] : [];
}

function leaves(filter: NormalizedFilter): LeafFilter[] {
  return filter.kind === 'member' || filter.kind === 'measureFilter' ? [filter] : filter.filters.flatMap(leaves);
}

function isIn(filter: LeafFilter, group: ReadonlyMap<string, FilterParamsPart>): boolean {
  return filter.kind === 'member' && filter.target.member.kind === 'dimension' && group.has(filter.target.member.path);
}

/** One pushed filter over its members' columns or callbacks; undefined when a callback cannot take a leaf. */
function render(group: ReadonlyMap<string, FilterParamsPart>, filter: NormalizedFilter, timezone: string, renderTemplate: RenderTemplate): ExpressionNode | undefined {
  if (filter.kind === 'measureFilter') return undefined; // never in a group (isIn): a bug otherwise
  if (filter.kind !== 'member') {
    const each = filter.filters.map((f) => render(group, f, timezone, renderTemplate));
    if (each.some((f) => f === undefined)) return undefined;
    return filter.kind === 'and' ? expr.and(each as ExpressionNode[]) : expr.or(each as ExpressionNode[]);
  }
  const part = group.get(filter.target.member.path)!;
  if (part.column !== undefined) {
    const column = part.columnSql ? renderTemplate(part.columnSql) : expr.raw([part.column]);
    return filterSql(filter, () => column, timezone);
  }
  // The callback sees values, not the operator: only filters whose values bound the rows kept are pushed.
  if (filter.operator !== 'inDateRange' && !(filter.operator === 'equals' && filter.values.length === 1)) return undefined;
  const args = callbackArguments(filter, timezone);
  const body = part.callback!.body;
  if (body.some((piece) => typeof piece === 'number' && piece >= args.length)) return undefined;
  return expr.raw(['(', ...body.map((piece) => (typeof piece === 'string' ? piece : expr.param(args[piece]!))), ')']);
}

/**
 * The callback's arguments, as Cube passes them: a date filter's bounds (from, to) as UTC
 * timestamps in text, other filters' values; the function's SQL handles the types.
 */
function callbackArguments(filter: MemberFilter, timezone: string): readonly (string | number | boolean)[] {
  const member = filter.target.member;
  const isTime = member.kind === 'dimension' && member.type === 'time';
  return filter.values.map((v) => (isTime && typeof v === 'string' ? localToUtc(v, timezone) : v));
}
