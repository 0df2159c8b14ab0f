/**
 * Compiles a cube's `pre_aggregations` with every key Cube accepts. Member lists are resolved to
 * `Cube.member` paths (`CUBE.productName` → `ECommerce.productName`) and checked for kind.
 *
 * Decision on undeclared granularities: a rollup whose time granularity is neither standard nor a
 * custom granularity of its time dimension (Cube's corpus `TBuildOnlyHalfYear` uses an undeclared
 * `build_only_half_year`) is dropped with a warning instead of failing the model: the rollup can
 * never match a query, and the rest of the model stays usable. The warning names file and line.
 * Reference: https://cube.dev/docs/reference/data-model/pre-aggregations
 */
import type { CompileContext } from './compile-context.ts';
import type { CubeDefinition, MemberKind } from './collect-definitions.ts';
import {
  GRANULARITIES,
  type Dimension,
  type PreAggregation,
  type PreAggregationTimeDimension,
  type RefreshKey,
  type SqlTemplate,
} from './model-types.ts';
import { NodeReader } from './node-reader.ts';
import { isInterval } from '../time/interval.ts';

const TYPES = ['rollup', 'original_sql', 'rollup_lambda', 'rollup_join'] as const;

/** All pre-aggregations of one cube, keyed by name; invalid ones are reported and left out. */
export function compilePreAggregations(
  definition: CubeDefinition,
  ctx: CompileContext,
  dimensions: Readonly<Record<string, Dimension>>,
): Record<string, PreAggregation> {
  const out: Record<string, PreAggregation> = {};
  for (const [name, node] of definition.preAggregations) {
    const reader = new NodeReader(node, 'pre_aggregation', `${definition.name}.${name}`, ctx.sink);
    const compiled = compileOne(name, reader, definition.name, ctx, dimensions);
    if (compiled) out[name] = compiled;
  }
  checkLambdaSources(out, ctx);
  return out;
}

/**
 * A lambda that unions source data splits time at its rollups' watermark, so (as in Cube) each
 * rollup of this cube it names needs a time dimension and a partition_granularity.
 */
function checkLambdaSources(preAggregations: Readonly<Record<string, PreAggregation>>, ctx: CompileContext): void {
  for (const lambda of Object.values(preAggregations)) {
    if (lambda.type !== 'rollup_lambda' || !lambda.unionWithSourceData) continue;
    for (const ref of lambda.rollups) {
      const [owner, name] = ref.split('.') as [string, string];
      const target = owner === lambda.cube ? preAggregations[name] : undefined;
      if (!target) continue; // other cubes' rollups are checked where they are defined
      if (target.timeDimensions.length === 0 || !target.partitionGranularity) {
        ctx.sink.error(`rollups: ${ref} needs a time_dimension and a partition_granularity to be unioned with source data (union_with_source_data)`, lambda.location, `${lambda.cube}.${lambda.name}`);
      }
    }
  }
}

function compileOne(
  name: string,
  reader: NodeReader,
  cube: string,
  ctx: CompileContext,
  dimensions: Readonly<Record<string, Dimension>>,
): PreAggregation | undefined {
  const type = reader.oneOf('type', TYPES) ?? 'rollup';
  const list = (key: string, kinds: readonly MemberKind[]): string[] =>
    (reader.stringList(key) ?? []).flatMap(({ value, location }) => {
      const path = ctx.memberPath(value, cube, (m) => ctx.sink.error(`${key}: ${m}`, location, reader.member), kinds);
      return path ? [path] : [];
    });
  const measures = list('measures', ['measures']);
  const dims = list('dimensions', ['dimensions']);
  const segments = list('segments', ['segments']);
  const timeDimensions = readTimeDimensions(reader, cube, ctx, dimensions);
  if (timeDimensions === 'drop') return undefined;
  const partitionGranularity = reader.oneOf('partition_granularity', GRANULARITIES);
  const rollups = readRollups(reader, cube, ctx);
  if (type === 'rollup_lambda' && rollups.length === 0) reader.error('a rollup_lambda pre-aggregation needs "rollups"', 'type');
  const unionWithSourceData = reader.boolean('union_with_source_data');
  const refreshKey = readRefreshKey(reader, cube, ctx);
  const buildRangeStart = buildRange(reader, 'build_range_start', cube, ctx);
  const buildRangeEnd = buildRange(reader, 'build_range_end', cube, ctx);
  const indexes = reader.mapItems('indexes', 'index', () => reader.member).flatMap((index) => {
    const indexName = index.string('name', true);
    const columns = (index.stringList('columns') ?? []).flatMap(({ value, location }) => {
      const path = ctx.memberPath(value, cube, (m) => ctx.sink.error(`index columns: ${m}`, location, reader.member));
      return path ? [path] : [];
    });
    if (!index.has('columns')) index.error('missing required "columns"');
    return indexName === undefined ? [] : [{ name: indexName, columns }];
  });
  const sql = reader.string('sql');
  if (type === 'original_sql' && sql !== undefined) ctx.template(sql, cube, reader, 'sql');
  return {
    name,
    cube,
    type,
    measures,
    dimensions: dims,
    segments,
    timeDimensions,
    ...(partitionGranularity !== undefined ? { partitionGranularity } : {}),
    ...(refreshKey ? { refreshKey } : {}),
    ...(buildRangeStart ? { buildRangeStart } : {}),
    ...(buildRangeEnd ? { buildRangeEnd } : {}),
    indexes,
    scheduledRefresh: reader.boolean('scheduled_refresh') ?? true,
    allowNonStrictDateRangeMatch: reader.boolean('allow_non_strict_date_range_match') ?? false,
    rollups,
    ...(unionWithSourceData !== undefined ? { unionWithSourceData } : {}),
    location: reader.location,
  };
}

function readTimeDimensions(
  reader: NodeReader,
  cube: string,
  ctx: CompileContext,
  dimensions: Readonly<Record<string, Dimension>>,
): PreAggregationTimeDimension[] | 'drop' {
  const pairs: { dimension: string; granularity: string | undefined; at: NodeReader; key: string }[] = [];
  const single = reader.string('time_dimension');
  if (single !== undefined) pairs.push({ dimension: single, granularity: reader.string('granularity'), at: reader, key: 'time_dimension' });
  else if (reader.has('granularity')) reader.error('"granularity" needs "time_dimension"', 'granularity');
  for (const item of reader.mapItems('time_dimensions', 'pre_aggregation_time_dimension', () => reader.member)) {
    const dimension = item.string('dimension', true);
    if (dimension !== undefined) pairs.push({ dimension, granularity: item.string('granularity'), at: item, key: 'dimension' });
  }
  const out: PreAggregationTimeDimension[] = [];
  let drop = false;
  for (const { dimension, granularity, at, key } of pairs) {
    const path = ctx.memberPath(dimension, cube, (m) => at.error(`time dimension: ${m}`, key), ['dimensions']);
    if (!path) continue;
    const [targetCube, member] = path.split('.') as [string, string];
    const target = targetCube === cube ? dimensions[member] : undefined;
    if (target && target.type !== 'time') at.error(`time dimension "${dimension}" is of type ${target.type}, expected time`, key);
    if (granularity === undefined) {
      at.error(`time dimension "${dimension}" needs a "granularity"`, key);
      continue;
    }
    const known = (GRANULARITIES as readonly string[]).includes(granularity) || (target?.granularities.some((g) => g.name === granularity) ?? targetCube !== cube);
    if (!known) {
      at.warn(`pre-aggregation dropped: granularity "${granularity}" is neither standard nor declared on ${path}`, 'granularity');
      drop = true;
    }
    out.push({ dimension: path, granularity });
  }
  return drop ? 'drop' : out;
}

/** `rollups: [CUBE.a, Other.b]` → full pre-aggregation names `Cube.a`, checked to exist. */
function readRollups(reader: NodeReader, cube: string, ctx: CompileContext): string[] {
  return (reader.stringList('rollups') ?? []).flatMap(({ value, location }) => {
    const parts = value.split('.');
    const [owner, name] = parts.length === 1 ? [cube, parts[0]!] : [parts[0] === 'CUBE' ? cube : parts[0]!, parts[1]!];
    const target = ctx.definitions.cubes.get(owner);
    if (parts.length > 2 || !target || !target.preAggregations.has(name)) {
      ctx.sink.error(`rollups: unknown pre-aggregation "${value}"`, location, reader.member);
      return [];
    }
    return [`${owner}.${name}`];
  });
}

/** `refresh_key: { every, sql, incremental, update_window, timezone }`. */
export function readRefreshKey(reader: NodeReader, cube: string, ctx: CompileContext): RefreshKey | undefined {
  const node = reader.child('refresh_key', 'refresh_key');
  if (!node) return undefined;
  const every = node.string('every');
  if (every !== undefined && !isInterval(every) && every.trim().split(/\s+/).length < 5) {
    node.error(`invalid every "${every}": expected an interval such as "1 hour" or a cron string`, 'every');
  }
  const sql = node.string('sql');
  const incremental = node.boolean('incremental');
  const updateWindow = node.string('update_window');
  if (updateWindow !== undefined && !isInterval(updateWindow)) node.error(`invalid update_window "${updateWindow}"`, 'update_window');
  const timezone = node.string('timezone');
  if (every === undefined && sql === undefined) node.error('refresh_key needs "every" or "sql"');
  return {
    ...(every !== undefined ? { every } : {}),
    ...(sql !== undefined ? { sql: ctx.template(sql, cube, node, 'sql') } : {}),
    ...(incremental !== undefined ? { incremental } : {}),
    ...(updateWindow !== undefined ? { updateWindow } : {}),
    ...(timezone !== undefined ? { timezone } : {}),
  };
}

function buildRange(reader: NodeReader, key: string, cube: string, ctx: CompileContext): SqlTemplate | undefined {
  const node = reader.child(key, 'build_range');
  if (!node) return undefined;
  const sql = node.string('sql', true);
  return sql === undefined ? undefined : ctx.template(sql, cube, node, 'sql');
}
