/**
 * Compiles the measures, dimensions and segments of one cube from their YAML declarations.
 * Titles follow Cube: `title` is "<cube title> <member title>", `shortTitle` the member title.
 * Primary keys are hidden unless marked `public`/`shown` (Cube's default).
 */
import type { CompileContext } from './compile-context.ts';
import type { MemberSource } from './collect-definitions.ts';
import { lowerCase } from './lower-case.ts';
import { readGranularities, readRollingWindow, readTimeShifts } from './member-options.ts';
import type { Dimension, Measure, Segment, SqlTemplate } from './model-types.ts';
import { NodeReader } from './node-reader.ts';
import { DIMENSION_TYPES, MEASURE_TYPES } from './schema-keys.ts';
import { titleize } from './titleize.ts';
import type { CubeInfo } from './cube-info.ts';

const BARE_COLUMN = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

/**
 * Cube prefixes a member whose whole SQL is one identifier (`sql: status`) with its cube's alias
 * (BaseQuery.autoPrefixWithCubeName), so it stays unambiguous once other cubes are joined.
 */
function prefixColumn(template: SqlTemplate, cube: string): SqlTemplate {
  const only = template.length === 1 ? template[0] : undefined;
  if (only?.kind !== 'text' || !BARE_COLUMN.test(only.text.trim())) return template;
  return [{ kind: 'cube', cube }, { kind: 'text', text: `.${only.text.trim()}` }];
}

function base(reader: NodeReader, source: MemberSource, cube: CubeInfo, defaultPublic: boolean) {
  const own = reader.string('title');
  const shortTitle = own ?? titleize(source.name);
  const description = reader.string('description');
  const format = readFormat(reader);
  const meta = reader.plainObject('meta');
  const visible = reader.boolean('public') ?? reader.boolean('shown') ?? reader.boolean('visible');
  return {
    name: source.name,
    path: `${cube.name}.${source.name}`,
    cube: cube.name,
    title: `${cube.title} ${shortTitle}`,
    shortTitle,
    ...(description !== undefined ? { description } : {}),
    ...(format !== undefined ? { format } : {}),
    ...(meta !== undefined ? { meta } : {}),
    public: visible ?? defaultPublic,
    location: source.node.location,
  };
}

/** `format: currency` or Cube's object form `format: { type: link, label }` (we keep the type). */
function readFormat(reader: NodeReader): string | undefined {
  const node = reader.raw('format');
  if (node?.kind === 'map') {
    const typeEntry = node.entries.get('type')?.value;
    if (typeEntry?.kind === 'scalar' && typeof typeEntry.value === 'string') return typeEntry.value;
    reader.error('"format" object needs a "type"', 'format');
    return undefined;
  }
  return reader.string('format');
}

/** Compiles one measure; undefined when it is too broken to keep (problems already reported). */
export function compileMeasure(source: MemberSource, cube: CubeInfo, ctx: CompileContext): Measure | undefined {
  const reader = new NodeReader(source.node, 'measure', `${cube.name}.${source.name}`, ctx.sink);
  const type = reader.oneOf('type', MEASURE_TYPES, true);
  const sqlText = reader.string('sql');
  let sql: SqlTemplate | undefined = sqlText === undefined ? undefined : prefixColumn(ctx.template(sqlText, cube.name, reader, 'sql'), cube.name);
  if (reader.has('case')) sql = lowerCase(reader, cube.name, ctx);
  if (sql === undefined && !reader.has('case') && type !== undefined && type !== 'count') {
    reader.error(`missing required "sql" (measures of type ${type} need it; only count may omit it)`);
  }
  const filters = reader.mapItems('filters', 'measure_filter', () => reader.member).flatMap((filter) => {
    const text = filter.string('sql', true);
    return text === undefined ? [] : [ctx.template(text, cube.name, filter, 'sql')];
  });
  const rollingWindow = readRollingWindow(reader);
  const drillMembers = (reader.stringList('drill_members') ?? []).flatMap(({ value, location }) => {
    const path = ctx.memberPath(value, cube.name, (m) => ctx.sink.error(`drill_members: ${m}`, location, reader.member), ['dimensions', 'measures']);
    return path ? [path] : [];
  });
  const multiStage = reader.boolean('multi_stage');
  const timeShift = readTimeShifts(reader, cube.name, ctx);
  const lists = readMemberLists(reader, cube.name, ctx, ['group_by', 'reduce_by', 'add_group_by']);
  if (type === undefined) return undefined;
  const cumulative = type === 'running_total' || rollingWindow !== undefined || reader.boolean('cumulative') === true;
  return {
    kind: 'measure',
    ...base(reader, source, cube, true),
    type,
    ...(sql !== undefined ? { sql } : {}),
    filters,
    ...(rollingWindow ? { rollingWindow } : {}),
    drillMembers,
    ...(multiStage !== undefined ? { multiStage } : {}),
    ...(timeShift ? { timeShift } : {}),
    ...(lists.group_by ? { groupBy: lists.group_by } : {}),
    ...(lists.reduce_by ? { reduceBy: lists.reduce_by } : {}),
    ...(lists.add_group_by ? { addGroupBy: lists.add_group_by } : {}),
    ...(cumulative ? { cumulative } : {}),
  };
}

function readMemberLists(reader: NodeReader, cube: string, ctx: CompileContext, keys: readonly string[]): Record<string, string[] | undefined> {
  const out: Record<string, string[] | undefined> = {};
  for (const key of keys) {
    const list = reader.stringList(key);
    if (!list) continue;
    out[key] = list.flatMap(({ value, location }) => {
      const path = ctx.memberPath(value, cube, (m) => ctx.sink.error(`${key}: ${m}`, location, reader.member), ['dimensions'], true);
      return path ? [path] : [];
    });
  }
  return out;
}

/** Compiles one dimension (lowering `case` and geo coordinates to SQL). */
export function compileDimension(source: MemberSource, cube: CubeInfo, ctx: CompileContext): Dimension | undefined {
  const reader = new NodeReader(source.node, 'dimension', `${cube.name}.${source.name}`, ctx.sink);
  const type = reader.oneOf('type', DIMENSION_TYPES, true);
  const primaryKey = reader.boolean('primary_key') ?? false;
  const subQuery = reader.boolean('sub_query');
  const propagate = reader.boolean('propagate_filters_to_sub_query');
  if (primaryKey && subQuery) reader.error('a sub_query dimension cannot be a primary key', 'primary_key');
  let sql: SqlTemplate | undefined;
  if (reader.has('case')) sql = lowerCase(reader, cube.name, ctx);
  else if (type === 'geo') sql = readGeo(reader, cube.name, ctx);
  else {
    const text = reader.string('sql');
    if (text === undefined) reader.error('missing required "sql" (every dimension needs "sql" or "case")');
    else sql = prefixColumn(ctx.template(text, cube.name, reader, 'sql'), cube.name);
  }
  const granularities = readGranularities(reader, cube, ctx, type);
  const timeShift = readTimeShifts(reader, cube.name, ctx);
  const multiStage = reader.boolean('multi_stage');
  const suggestFilterValues = reader.boolean('suggest_filter_values');
  if (type === undefined || sql === undefined) return undefined;
  return {
    kind: 'dimension',
    ...base(reader, source, cube, !primaryKey),
    type,
    sql,
    primaryKey,
    ...(subQuery !== undefined ? { subQuery } : {}),
    ...(propagate !== undefined ? { propagateFiltersToSubQuery: propagate } : {}),
    granularities,
    ...(timeShift ? { timeShift } : {}),
    ...(multiStage !== undefined ? { multiStage } : {}),
    ...(suggestFilterValues !== undefined ? { suggestFilterValues } : {}),
  };
}

/** Cube's geo dimensions: `latitude: { sql }` and `longitude: { sql }`, served as "lat,lng". */
function readGeo(reader: NodeReader, cube: string, ctx: CompileContext): SqlTemplate | undefined {
  const lat = reader.child('latitude', 'geo_coordinate');
  const lng = reader.child('longitude', 'geo_coordinate');
  if (!lat || !lng) {
    reader.error('geo dimensions need "latitude: { sql }" and "longitude: { sql }"');
    return undefined;
  }
  const latSql = lat.string('sql', true);
  const lngSql = lng.string('sql', true);
  if (latSql === undefined || lngSql === undefined) return undefined;
  return [
    { kind: 'text', text: 'CAST(' },
    ...ctx.template(latSql, cube, lat, 'sql'),
    { kind: 'text', text: " AS VARCHAR) || ',' || CAST(" },
    ...ctx.template(lngSql, cube, lng, 'sql'),
    { kind: 'text', text: ' AS VARCHAR)' },
  ];
}

/** Compiles one segment (a named WHERE condition). */
export function compileSegment(source: MemberSource, cube: CubeInfo, ctx: CompileContext): Segment | undefined {
  const reader = new NodeReader(source.node, 'segment', `${cube.name}.${source.name}`, ctx.sink);
  const text = reader.string('sql', true);
  if (text === undefined) return undefined;
  const sql = prefixColumn(ctx.template(text, cube.name, reader, 'sql'), cube.name);
  const { format: _format, ...rest } = base(reader, source, cube, true);
  return { kind: 'segment', ...rest, sql };
}
