/**
 * The query's types in one place to import from: Cube's query JSON (inferred from its schema in
 * `query-schema.ts`; REST `/load`, GraphQL and the SQL API all end up here), and the normalized
 * form the planner consumes.
 * Reference: https://cube.dev/docs/product/apis-integrations/rest-api/query-format
 */
import type { Measure, Dimension, Segment } from '../model/model-types.ts';
import type { FilterOperator, OrderDirection } from './query-schema.ts';

// The query JSON's types are inferred from its one schema (query-schema.ts), re-exported here so
// the rest of the code keeps one place to import query types from.
export type {
  CubeQuery,
  CubeQueryJson,
  DateRange,
  Filter,
  FilterOperator,
  LogicalAnd,
  LogicalOr,
  MemberFilter,
  OrderDirection,
  TimeDimensionRequest,
} from './query-schema.ts';

// ---------------------------------------------------------------------------------------------
// Normalized query: every member resolved against the model, every value typed, every date range
// turned into absolute local timestamps in the query timezone. Produced by `normalize-query.ts`.
// ---------------------------------------------------------------------------------------------

/** A member as the query names it (a view member) and the cube member it reaches. */
export interface ResolvedMember<M> {
  /** The name the client used, e.g. `vendas.valor_liquido`; result keys use this. */
  readonly alias: string;
  /** The cube member behind it (for a view member, the target in its cube). */
  readonly member: M;
  /** For view members, the join path the view declares; empty for cube members. */
  readonly joinPath: readonly string[];
}

export type NormalizedFilter =
  | {
      readonly kind: 'member';
      readonly target: ResolvedMember<Measure | Dimension>;
      readonly operator: Exclude<FilterOperator, 'measureFilter'>;
      /** Values typed for the member (numbers for number dims, ISO local strings for time). */
      readonly values: readonly (string | number | boolean)[];
    }
  | {
      /**
       * Cube's `measureFilter` (what `ResultSet.drillDown` adds): the rows the measure's own
       * `filters:` keep, a row condition (WHERE) of its cube, never a HAVING on its value. Only
       * measures with filters: on any other measure the operator is a no-op and normalization drops it.
       */
      readonly kind: 'measureFilter';
      readonly target: ResolvedMember<Measure>;
    }
  | { readonly kind: 'and'; readonly filters: readonly NormalizedFilter[] }
  | { readonly kind: 'or'; readonly filters: readonly NormalizedFilter[] };

export interface NormalizedTimeDimension {
  readonly target: ResolvedMember<Dimension>;
  readonly granularity?: string; // standard or custom granularity name
  /** Absolute inclusive range, local time in the query timezone: ['2024-01-01T00:00:00.000', '2024-01-31T23:59:59.999']. */
  readonly dateRange?: readonly [string, string];
  readonly compareDateRange?: readonly (readonly [string, string])[];
}

export interface NormalizedOrder {
  readonly alias: string; // member alias (as requested), or `alias.granularity` for time dimensions
  readonly direction: OrderDirection;
}

export interface NormalizedQuery {
  readonly measures: readonly ResolvedMember<Measure>[];
  readonly dimensions: readonly ResolvedMember<Dimension>[];
  readonly segments: readonly ResolvedMember<Segment>[];
  readonly timeDimensions: readonly NormalizedTimeDimension[];
  /** Filters on dimensions and measureFilters go to WHERE, filters on measures to HAVING; the planner splits them. */
  readonly filters: readonly NormalizedFilter[];
  /**
   * The access-policy row filters `secureQuery` added (they are in `filters` too). The planner
   * also applies them inside subqueries the query's filters do not reach (`sub_query` dimensions).
   */
  readonly rowFilters?: readonly NormalizedFilter[];
  readonly order: readonly NormalizedOrder[];
  /**
   * Aliases of measures in `measures` that only `order` names: computed so the rows can be ordered
   * by them (Cube's Tesseract planner does so), never answered, echoed or annotated.
   */
  readonly orderOnlyMeasures?: readonly string[];
  readonly limit: number;
  readonly offset: number;
  /**
   * The query asked for a `limit` or an `offset`: it reads one page of the rows, so the planner
   * makes the order total (pages must partition the rows even where the asked order ties).
   */
  readonly paged?: boolean;
  readonly total: boolean;
  readonly ungrouped: boolean;
  readonly timezone: string;
}
