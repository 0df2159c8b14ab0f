/**
 * Compiles one cube (after `extends` was applied by collect-definitions): table or SQL source,
 * members, joins, pre-aggregations and access policies. Cube-level properties a child does not set
 * are inherited from the cube it extends.
 */
import { compileAccessPolicies } from './compile-access-policy.ts';
import type { CompileContext } from './compile-context.ts';
import type { CubeInfo } from './cube-info.ts';
import { compileDimension, compileMeasure, compileSegment } from './compile-members.ts';
import { compilePreAggregations, readRefreshKey } from './compile-pre-aggregations.ts';
import type { CubeDefinition } from './collect-definitions.ts';
import { compileFolders } from './compile-folders.ts';
import type { Cube, Dimension, Join, Measure, Segment } from './model-types.ts';
import { NodeReader } from './node-reader.ts';
import { RELATIONSHIPS } from './schema-keys.ts';
import { titleize } from './titleize.ts';

/** Compiles `definition`; broken members are left out (their problems are already reported). */
export function compileCube(definition: CubeDefinition, ctx: CompileContext): Cube {
  const { name, reader } = definition;
  // Inherited cube-level property: the nearest cube of the extends chain that sets it.
  const from = (key: string): NodeReader => definition.chain.find((r) => r.has(key)) ?? reader;
  const title = from('title').string('title') ?? titleize(name);
  const calendar = from('calendar').boolean('calendar') ?? false;
  const info: CubeInfo = { name, title, calendar };

  const tableReader = definition.chain.find((r) => r.has('sql_table') || r.has('sql'));
  const sqlTable = tableReader?.string('sql_table');
  const sql = tableReader?.string('sql');
  if (!tableReader) reader.error(`cube ${name} needs "sql_table" or "sql"`);
  if (sqlTable !== undefined && sql !== undefined) tableReader!.error('a cube takes "sql_table" or "sql", not both', 'sql');

  const measures: Record<string, Measure> = {};
  for (const source of definition.members.measures.values()) {
    const measure = compileMeasure(source, info, ctx);
    if (measure) measures[source.name] = measure;
  }
  const dimensions: Record<string, Dimension> = {};
  for (const source of definition.members.dimensions.values()) {
    const dimension = compileDimension(source, info, ctx);
    if (dimension) dimensions[source.name] = dimension;
  }
  const segments: Record<string, Segment> = {};
  for (const source of definition.members.segments.values()) {
    const segment = compileSegment(source, info, ctx);
    if (segment) segments[source.name] = segment;
  }

  const description = from('description').string('description');
  const meta = from('meta').plainObject('meta');
  const sqlAlias = from('sql_alias').string('sql_alias');
  const dataSource = from('data_source').string('data_source') ?? 'default';
  const visible = from('public').boolean('public') ?? from('shown').boolean('shown') ?? true;
  const folders = compileFolders(reader, name, (member) => ctx.memberKind(name, member) !== undefined);
  const refreshKey = readRefreshKey(from('refresh_key'), name, ctx);
  return {
    name,
    title,
    ...(description !== undefined ? { description } : {}),
    ...(meta !== undefined ? { meta } : {}),
    public: visible,
    ...(sqlAlias !== undefined ? { sqlAlias } : {}),
    ...(sqlTable !== undefined ? { sqlTable: ctx.template(sqlTable, name, tableReader!, 'sql_table') } : {}),
    ...(sql !== undefined && sqlTable === undefined ? { sql: ctx.template(sql, name, tableReader!, 'sql') } : {}),
    dataSource,
    measures,
    dimensions,
    segments,
    joins: compileJoins(definition, ctx),
    preAggregations: compilePreAggregations(definition, ctx, dimensions),
    accessPolicies: compileAccessPolicies(from('access_policy'), name, ctx),
    location: reader.location,
    ...(refreshKey ? { refreshKey } : {}),
    ...(calendar ? { calendar } : {}),
    ...(definition.extends !== undefined ? { extends: definition.extends } : {}),
    ...(folders ? { folders } : {}),
  };
}

function compileJoins(definition: CubeDefinition, ctx: CompileContext): Join[] {
  const joins: Join[] = [];
  for (const [target, node] of definition.joins) {
    const join = new NodeReader(node, 'join', `${definition.name} → ${target}`, ctx.sink);
    const relationshipName = join.oneOf('relationship', Object.keys(RELATIONSHIPS), true);
    const sqlText = join.string('sql', true);
    if (!ctx.definitions.cubes.has(target)) {
      join.error(`dangling join: cube "${target}" does not exist`, 'name');
      continue;
    }
    if (target === definition.name) join.error('a cube cannot join itself', 'name');
    if (relationshipName === undefined || sqlText === undefined) continue;
    joins.push({
      name: target,
      relationship: RELATIONSHIPS[relationshipName]!,
      sql: ctx.template(sqlText, definition.name, join, 'sql'),
      location: node.location,
    });
  }
  return joins;
}
