/**
 * Renders model SQL (templates with `{CUBE}`, `{member}`, `{SECURITY_CONTEXT.x}` references)
 * into SQL expression nodes for one query: cubes become their table aliases, dimension references
 * their expressions, measure references their aggregates, security-context values parameters.
 */
import type { Cube, DanglingReferencePart, Dimension, Measure, SemanticModel, SqlTemplate } from '../model/model-types.ts';
import { expr, type ExpressionNode } from '../sql/expression-node.ts';
import { UserError } from '../errors/user-error.ts';
import { filterGroupSql, filterParamsSql, type PushdownFilters } from './filter-params-sql.ts';

const BARE_IDENTIFIER = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*$/;

/**
 * How measures render in the SELECT at hand. `ungrouped`: one row per source row, so a measure is
 * its per-row value (Cube: a count is 1 when its SQL is not null). `windowPartition`: the
 * PARTITION BY of a multi-stage measure (`group_by`/`reduce_by`) in a grouped SELECT; absent
 * where such a measure cannot be computed.
 */
export interface MeasureRendering {
  readonly ungrouped?: boolean;
  readonly windowPartition?: (measure: Measure) => readonly ExpressionNode[];
  /** A measure already computed in a subquery: its column there (calculated measures over joined nodes). */
  readonly measureColumn?: (measure: Measure) => ExpressionNode | undefined;
}

/**
 * Renders member SQL for one query; `securityContext` feeds `{SECURITY_CONTEXT.x}` parameters,
 * `pushdown` the query's filters that `{FILTER_PARAMS...}` renders (`1 = 1` without it).
 */
export class MemberSql {
  constructor(
    readonly model: SemanticModel,
    private readonly securityContext: Readonly<Record<string, unknown>> = {},
    private readonly rendering: MeasureRendering = {},
    private readonly pushdown?: PushdownFilters,
  ) {}

  /** The same renderer with measures rendered for another kind of SELECT. */
  withRendering(rendering: MeasureRendering): MemberSql {
    return new MemberSql(this.model, this.securityContext, rendering, this.pushdown);
  }

  cube(name: string): Cube {
    const cube = this.model.cubes[name];
    if (!cube) throw new UserError('UNKNOWN_MEMBER', `Cube ${name} not found`);
    return cube;
  }

  /** The alias of a cube's table in the query. */
  cubeAlias(name: string): string {
    return this.model.cubes[name]?.sqlAlias ?? name;
  }

  /** `FROM` SQL of a cube: its table name or its `sql` as a subquery. */
  cubeFrom(name: string): ExpressionNode {
    const cube = this.cube(name);
    if (cube.sqlTable) return this.template(cube.sqlTable, name);
    if (cube.sql) return expr.raw(['(', this.template(cube.sql, name), ')']);
    throw new UserError('MODEL_INVALID', `Cube ${name} has neither sql_table nor sql`, { location: cube.location });
  }

  /** A template of cube `cube`; a lone column name is qualified with the cube alias. */
  template(template: SqlTemplate, cube: string, stack: readonly string[] = []): ExpressionNode {
    const only = template.length === 1 ? template[0] : undefined;
    const bare = only?.kind === 'text' ? BARE_IDENTIFIER.exec(only.text) : null;
    if (bare && stack.length > 0) return expr.raw([expr.column(undefined, this.cubeAlias(cube)), `.${bare[1]}`]);
    return expr.raw(
      template.map((part) => {
        switch (part.kind) {
          case 'text': return part.text;
          case 'cube': return expr.column(undefined, this.cubeAlias(part.cube));
          case 'member': return this.memberReference(part.path, stack);
          case 'securityContext': return expr.param(readPath(this.securityContext, part.path));
          case 'filterParams': return filterParamsSql(part, this.pushdown, (t) => this.template(t, cube, stack));
          case 'filterGroup': return filterGroupSql(part.members, this.pushdown, (t) => this.template(t, cube, stack));
          case 'dangling': throw danglingReference(part);
          case 'cubeSql': throw new Error(`{${part.cube}.sql()} reached the planner: the compiler inlines it`);
        }
      }),
    );
  }

  /**
   * A dimension's SQL expression (not converted to local time). A `sub_query` dimension is the
   * value column of its per-key subquery, joined by the scan (`sub-query-dimension-sql.ts`).
   */
  dimension(dimension: Dimension, stack: readonly string[] = []): ExpressionNode {
    if (dimension.subQuery) return expr.column(subQueryAlias(dimension), SUB_QUERY_VALUE);
    return this.withCycleCheck(dimension.path, stack, (next) => this.template(dimension.sql, dimension.cube, next));
  }

  /** The per-row input of a measure (before aggregation), with measure `filters` applied. */
  measureInput(measure: Measure, stack: readonly string[] = []): ExpressionNode | undefined {
    return this.withCycleCheck(measure.path, stack, (next) => {
      const sql = measure.sql ? this.template(measure.sql, measure.cube, next) : undefined;
      if (measure.filters.length === 0) return sql;
      return expr.case([{ when: this.filtersCondition(measure, next), then: sql ?? expr.literal(1) }]);
    });
  }

  /**
   * The rows a measure's own `filters:` keep, as a row condition: what the measure aggregates
   * over, and what a `measureFilter` (drill-down) applies to the whole query.
   */
  measureFilterCondition(measure: Measure): ExpressionNode {
    return this.filtersCondition(measure, [measure.path]);
  }

  private filtersCondition(measure: Measure, stack: readonly string[]): ExpressionNode {
    return expr.and(measure.filters.map((f) => this.template(f, measure.cube, stack)));
  }

  /** A measure aggregated (`sum(x)`, `count(DISTINCT x)` …); `number` measures compose others. */
  measureAggregate(measure: Measure, stack: readonly string[] = []): ExpressionNode {
    const computed = this.rendering.measureColumn?.(measure);
    if (computed) return computed;
    if (isComposed(measure)) {
      if (!measure.sql) throw new UserError('MODEL_INVALID', `Measure ${measure.path} of type ${measure.type} needs sql`, { location: measure.location });
      return this.withCycleCheck(measure.path, stack, (next) => this.template(measure.sql!, measure.cube, next));
    }
    const input = this.measureInput(measure, stack);
    // Checked before the ungrouped branch: a multi-stage total over groups has no per-row value.
    if (measure.multiStage && !measure.timeShift?.length && referencesMeasure(this.model, measure)) return this.multiStageAggregate(measure, input!);
    if (this.rendering.ungrouped) return ungroupedValue(measure, input);
    return aggregate(measure.type, input);
  }

  /**
   * A multi-stage aggregate over other measures (`sum({totalProfit})` with `reduce_by`/`group_by`):
   * the inner measures are aggregated by the query's GROUP BY, the outer aggregate runs over those
   * groups as a window partitioned by the keys the measure keeps.
   * https://cube.dev/docs/product/data-modeling/concepts/multi-stage-calculations
   */
  private multiStageAggregate(measure: Measure, inner: ExpressionNode): ExpressionNode {
    const partition = this.rendering.windowPartition;
    if (!partition || this.rendering.ungrouped) {
      throw new UserError('UNSUPPORTED', `Multi-stage measure ${measure.path} can only be computed in a grouped query over one cube's measures`, {
        hint: 'query it without measure filters on it, without ungrouped, and without measures multiplied by a one-to-many join',
      });
    }
    return expr.window(aggregate(measure.type, inner), partition(measure));
  }

  private memberReference(path: string, stack: readonly string[]): ExpressionNode {
    const dot = path.indexOf('.');
    const cube = this.cube(path.slice(0, dot));
    const name = path.slice(dot + 1);
    const dimension = cube.dimensions[name];
    if (dimension) return this.dimension(dimension, stack);
    const measure = cube.measures[name];
    if (measure) return this.measureAggregate(measure, stack);
    throw new UserError('UNKNOWN_MEMBER', `Reference {${path}} not found`);
  }

  private withCycleCheck<T>(path: string, stack: readonly string[], render: (next: readonly string[]) => T): T {
    if (stack.includes(path)) throw new UserError('MODEL_INVALID', `Circular reference: ${[...stack, path].join(' → ')}`);
    return render([...stack, path]);
  }
}

/** A query reached SQL naming a cube or member that does not exist (compiled with a warning). */
function danglingReference(part: DanglingReferencePart): UserError {
  const where = part.location ? ` (${part.location.file}:${part.location.line})` : '';
  return new UserError('UNKNOWN_MEMBER', `${part.owner ?? 'The model'} cannot be queried: its SQL has an ${part.message}${where}`, {
    ...(part.location ? { location: part.location } : {}),
    hint: 'Fix or remove the reference in the model; the compiler listed it as a warning.',
  });
}

/** The value column of a `sub_query` dimension's subquery. */
export const SUB_QUERY_VALUE = 'value';

/** The table alias of a `sub_query` dimension's subquery (`<cube>_<dimension>_subquery`, as Cube names it). */
export function subQueryAlias(dimension: Dimension): string {
  return `${dimension.cube}_${dimension.name}_subquery`;
}

function isComposed(measure: Measure): boolean {
  return measure.type === 'number' || measure.type === 'string' || measure.type === 'time' || measure.type === 'boolean';
}

/** A measure's per-row value in an ungrouped query, as Cube renders it (counts: 1 when the SQL is set). */
function ungroupedValue(measure: Measure, input: ExpressionNode | undefined): ExpressionNode {
  if (input === undefined) return expr.literal(1);
  if (measure.type === 'count' || measure.type === 'count_distinct' || measure.type === 'count_distinct_approx') {
    return expr.case([{ when: expr.isNull(input, true), then: expr.literal(1) }]);
  }
  return input;
}

/** True when the measure's SQL names another measure (so aggregating it nests aggregates). */
function referencesMeasure(model: SemanticModel, measure: Measure): boolean {
  return (measure.sql ?? []).some((part) => {
    if (part.kind !== 'member') return false;
    const dot = part.path.indexOf('.');
    return model.cubes[part.path.slice(0, dot)]?.measures[part.path.slice(dot + 1)] !== undefined;
  });
}

/** The aggregate of an additive/distinct measure type over `input` (`undefined` = count rows). */
export function aggregate(type: Measure['type'], input: ExpressionNode | undefined): ExpressionNode {
  const arg = input ?? expr.star();
  switch (type) {
    case 'count': return expr.func('count', [arg]);
    case 'count_distinct': return expr.func('count', [arg], true);
    case 'count_distinct_approx': return expr.approxCountDistinct(arg);
    case 'sum':
    case 'running_total': return expr.func('sum', [arg]);
    case 'avg': return expr.func('avg', [arg]);
    case 'min': return expr.func('min', [arg]);
    case 'max': return expr.func('max', [arg]);
    default: return arg;
  }
}

function readPath(context: Readonly<Record<string, unknown>>, path: readonly string[]): unknown {
  let value: unknown = context;
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  if (value === undefined) throw new UserError('ACCESS_DENIED', `securityContext.${path.join('.')} is required by the model but missing`);
  return value;
}
