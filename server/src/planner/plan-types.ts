/**
 * The logical plan: what to compute, before any SQL. A query becomes a set of measure groups
 * (plain aggregate, aggregate of a multiplied cube by primary key, rolling window over a date
 * series) sharing the same key columns, then combined, filtered on measures, ordered, limited.
 * https://cube.dev/docs/product/data-modeling/concepts/working-with-joins (fan-out)
 */
import type { Dimension, Measure, RollingWindow } from '../model/model-types.ts';
import type { JoinTree } from '../model/join-graph.ts';
import type { IntervalPart } from './time-series.ts';
import type { NormalizedFilter, NormalizedTimeDimension, ResolvedMember } from '../query/query-types.ts';

/** A GROUP BY column of the result: a dimension, or a time dimension at a granularity. */
export type KeyColumn =
  | { readonly kind: 'dimension'; readonly sqlAlias: string; readonly member: ResolvedMember<Dimension> }
  | { readonly kind: 'time'; readonly sqlAlias: string; readonly timeDimension: NormalizedTimeDimension; readonly granularity: string };

/** Measures aggregated straight over the join tree (their cubes are not multiplied). */
export interface AggregateNode {
  readonly kind: 'aggregate';
  readonly measures: readonly ResolvedMember<Measure>[];
}

/** Measures of a multiplied cube: distinct keys + primary key first, then aggregate (no fan-out). */
export interface MultipliedAggregateNode {
  readonly kind: 'multipliedAggregate';
  readonly cube: string;
  readonly measures: readonly ResolvedMember<Measure>[];
}

/** Cumulative measures sharing one window, computed over the date series of `series`. */
export interface RollingWindowNode {
  readonly kind: 'rollingWindow';
  readonly window: RollingWindow;
  readonly measures: readonly ResolvedMember<Measure>[];
  /** The key column the series drives (its granularity), and the buckets `[label, from, to]`. */
  readonly seriesKey: KeyColumn & { readonly kind: 'time' } | undefined;
  readonly seriesMember: ResolvedMember<Dimension>;
  readonly buckets: readonly (readonly [string, string, string])[];
}

/**
 * Multi-stage measures with a `time_shift` (e.g. "same measure one year before"): aggregated over
 * rows whose time, moved by `shift`, falls into the bucket and the date range.
 */
export interface TimeShiftNode {
  readonly kind: 'timeShift';
  readonly measures: readonly ResolvedMember<Measure>[];
  readonly shift: readonly IntervalPart[];
}

export type MeasureNode = AggregateNode | MultipliedAggregateNode | RollingWindowNode | TimeShiftNode;

/** A result column and the keys under which the response shows it. */
export interface OutputColumn {
  readonly sqlAlias: string;
  readonly keys: readonly string[];
  readonly kind: 'dimension' | 'timeDimension' | 'measure';
  readonly member: Measure | Dimension;
  readonly granularity?: string;
}

export interface LogicalPlan {
  readonly keys: readonly KeyColumn[];
  readonly nodes: readonly MeasureNode[];
  /**
   * Calculated measures over other cubes' measures (alias → measure), evaluated over the leaf
   * columns of the joined nodes (`composed-measures.ts`); their leaves are hidden node measures.
   */
  readonly composed: ReadonlyMap<string, Measure>;
  /** Leaf measure path → alias of its hidden column in the nodes. */
  readonly leafAliases: ReadonlyMap<string, string>;
  readonly joinTree: JoinTree;
  /** `sub_query` dimensions the query reaches: each a per-key subquery LEFT JOINed to its cube. */
  readonly subQueryDimensions: readonly Dimension[];
  /** Access-policy row filters (also in `where`), applied inside sub-query dimensions too. */
  readonly rowFilters: readonly NormalizedFilter[];
  /** Row-level predicates (dimension filters, segments, date ranges): WHERE of every scan. */
  readonly where: readonly NormalizedFilter[];
  readonly segments: readonly ResolvedMember<import('../model/model-types.ts').Segment>[];
  readonly dateRanges: readonly NormalizedTimeDimension[];
  /** Predicates naming measures: HAVING, or WHERE over the combined groups. */
  readonly having: readonly NormalizedFilter[];
  readonly measureAliases: ReadonlyMap<string, string>; // member alias → sql alias (leaves of composed measures included)
  readonly order: readonly { readonly sqlAlias: string; readonly direction: 'asc' | 'desc' }[];
  readonly limit: number;
  readonly offset: number;
  readonly ungrouped: boolean;
  readonly timezone: string;
  readonly outputs: readonly OutputColumn[];
}
