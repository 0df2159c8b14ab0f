/**
 * Builds Cube's GraphQL schema from the model: root `cube(where, orderBy, limit, offset,
 * timezone, renewQuery, ungrouped)` returning `[Result!]!`, one field per cube and view with its
 * measures and dimensions, `TimeDimension` objects (`value` + one field per granularity), typed
 * filter inputs with AND/OR. Beyond Cube: a `segments` argument on each cube field and a root
 * `cubeCompare` field for `compareDateRange` (one result set per range).
 */
import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLFloat,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLSchema,
  GraphQLString,
  getArgumentValues,
  type FieldNode,
  type GraphQLFieldConfigMap,
  type GraphQLInputFieldConfigMap,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
} from 'graphql';
import type { CubeQuery, OrderDirection } from '../../query/query-types.ts';
import type { LoadResponse } from '../../engine/engine-types.ts';
import type { GraphqlCube, GraphqlMember } from './graphql-members.ts';
import { cubeFieldName, cubeTypeName, isGraphqlName } from './graphql-names.ts';
import { buildCubeQuery, selectedFields, withCompareDateRange, type CompareArgs, type CubeRootArgs } from './graphql-query.ts';
import { toGraphqlRows } from './graphql-results.ts';

/** Per-request context handed to `graphql()`: runs a Cube query with the caller's security context. */
export interface GraphqlContext {
  readonly runQuery: (query: CubeQuery) => Promise<LoadResponse>;
}

const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  description: 'An ISO-8601 instant, e.g. 2024-05-13T00:00:00.000Z',
  serialize: (value) => value,
  parseValue: (value) => value,
});

const stringList = new GraphQLList(GraphQLString);
const floatList = new GraphQLList(GraphQLFloat);

const FloatFilter = new GraphQLInputObjectType({
  name: 'FloatFilter',
  fields: { equals: { type: GraphQLFloat }, notEquals: { type: GraphQLFloat }, in: { type: floatList }, notIn: { type: floatList }, set: { type: GraphQLBoolean }, gt: { type: GraphQLFloat }, lt: { type: GraphQLFloat }, gte: { type: GraphQLFloat }, lte: { type: GraphQLFloat } },
});

const StringFilter = new GraphQLInputObjectType({
  name: 'StringFilter',
  fields: Object.fromEntries([
    ['equals', { type: GraphQLString }],
    ['notEquals', { type: GraphQLString }],
    ...['in', 'notIn', 'contains', 'notContains', 'startsWith', 'notStartsWith', 'endsWith', 'notEndsWith'].map((op) => [op, { type: stringList }]),
    ['set', { type: GraphQLBoolean }],
  ]),
});

const BooleanFilter = new GraphQLInputObjectType({
  name: 'BooleanFilter',
  fields: { equals: { type: GraphQLBoolean }, notEquals: { type: GraphQLBoolean }, set: { type: GraphQLBoolean } },
});

const DateTimeFilter = new GraphQLInputObjectType({
  name: 'DateTimeFilter',
  fields: Object.fromEntries([
    ...['equals', 'notEquals', 'in', 'notIn', 'inDateRange', 'notInDateRange'].map((op) => [op, { type: stringList }]),
    ...['beforeDate', 'beforeOrOnDate', 'afterDate', 'afterOrOnDate'].map((op) => [op, { type: GraphQLString }]),
    ['set', { type: GraphQLBoolean }],
  ]),
});

const OrderBy = new GraphQLEnumType({ name: 'OrderBy', values: { asc: { value: 'asc' }, desc: { value: 'desc' } } });

const TimeDimension = new GraphQLObjectType({
  name: 'TimeDimension',
  fields: Object.fromEntries(['value', 'second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'].map((g) => [g, { type: DateTime }])),
});

function outputType(member: GraphqlMember): GraphQLOutputType {
  if (member.type === 'time') return TimeDimension;
  if (member.type === 'string') return GraphQLString;
  if (member.type === 'boolean') return GraphQLBoolean;
  return GraphQLFloat;
}

function filterType(member: GraphqlMember): GraphQLInputType {
  if (member.type === 'time') return DateTimeFilter;
  if (member.type === 'string') return StringFilter;
  if (member.type === 'boolean') return BooleanFilter;
  return FloatFilter;
}

/** Output values: Cube's drivers return numbers as strings; GraphQL Float wants numbers. */
function resolveMember(member: GraphqlMember) {
  return (source: Record<string, unknown>) => {
    const value = source[member.name];
    if (value === null || value === undefined) return null;
    if (member.type === 'boolean') return value === true || value === 'true' || value === 1;
    return value;
  };
}

interface CubeTypes {
  readonly cube: GraphqlCube;
  readonly members: GraphQLObjectType;
  readonly where: GraphQLInputObjectType;
  readonly orderBy: GraphQLInputObjectType;
  readonly segments?: GraphQLEnumType;
}

function buildCubeTypes(cube: GraphqlCube): CubeTypes {
  const prefix = cubeTypeName(cube.name);
  const members = [...cube.measures, ...cube.dimensions].filter((m) => isGraphqlName(m.name));
  const where: GraphQLInputObjectType = new GraphQLInputObjectType({
    name: `${prefix}WhereInput`,
    fields: (): GraphQLInputFieldConfigMap => ({
      AND: { type: new GraphQLList(new GraphQLNonNull(where)) },
      OR: { type: new GraphQLList(new GraphQLNonNull(where)) },
      ...Object.fromEntries(members.map((m) => [m.name, { type: filterType(m) }])),
    }),
  });
  const segmentNames = cube.segments.filter((s) => isGraphqlName(s.name));
  return {
    cube,
    members: new GraphQLObjectType({
      name: `${prefix}Members`,
      description: cube.description,
      fields: Object.fromEntries(members.map((m) => [m.name, { type: outputType(m), description: m.description, resolve: resolveMember(m) }])),
    }),
    where,
    orderBy: new GraphQLInputObjectType({
      name: `${prefix}OrderByInput`,
      fields: Object.fromEntries(members.map((m) => [m.name, { type: OrderBy }])),
    }),
    segments: segmentNames.length
      ? new GraphQLEnumType({ name: `${prefix}Segment`, values: Object.fromEntries(segmentNames.map((s) => [s.name, { value: s.name, description: s.description }])) })
      : undefined,
  };
}

export function buildGraphqlSchema(cubes: readonly GraphqlCube[]): GraphQLSchema {
  const typed = cubes.filter((c) => isGraphqlName(cubeFieldName(c.name))).map(buildCubeTypes);
  const byField = new Map(typed.map((t) => [cubeFieldName(t.cube.name), t.cube]));
  const byName = new Map(typed.map((t) => [t.cube.name, t.cube]));
  const typesByField = new Map(typed.map((t) => [cubeFieldName(t.cube.name), t]));

  const RootWhereInput: GraphQLInputObjectType = new GraphQLInputObjectType({
    name: 'RootWhereInput',
    fields: (): GraphQLInputFieldConfigMap => ({
      AND: { type: new GraphQLList(new GraphQLNonNull(RootWhereInput)) },
      OR: { type: new GraphQLList(new GraphQLNonNull(RootWhereInput)) },
      ...Object.fromEntries(typed.map((t) => [cubeFieldName(t.cube.name), { type: t.where }])),
    }),
  });
  const RootOrderByInput = new GraphQLInputObjectType({
    name: 'RootOrderByInput',
    fields: Object.fromEntries(typed.map((t) => [cubeFieldName(t.cube.name), { type: t.orderBy }])),
  });
  const Result = new GraphQLObjectType({
    name: 'Result',
    fields: Object.fromEntries(
      typed.map((t) => [
        cubeFieldName(t.cube.name),
        {
          type: new GraphQLNonNull(t.members),
          description: t.cube.description,
          args: { where: { type: t.where }, orderBy: { type: t.orderBy }, ...(t.segments ? { segments: { type: new GraphQLList(new GraphQLNonNull(t.segments)) } } : {}) },
        },
      ]),
    ),
  });
  const CompareDateRangeResult = new GraphQLObjectType({
    name: 'CompareDateRangeResult',
    fields: { dateRange: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(GraphQLString))) }, data: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(Result))) } },
  });

  const rootArgs = {
    where: { type: RootWhereInput },
    orderBy: { type: RootOrderByInput },
    limit: { type: GraphQLInt },
    offset: { type: GraphQLInt },
    timezone: { type: GraphQLString },
    renewQuery: { type: GraphQLBoolean },
    ungrouped: { type: GraphQLBoolean },
  };

  function queryFor(args: CubeRootArgs, resultFields: readonly FieldNode[], info: GraphQLResolveInfo): CubeQuery {
    return buildCubeQuery(args, resultFields, byField, (field) => cubeFieldArgs(field, typesByField, info), info);
  }

  const fields: GraphQLFieldConfigMap<unknown, GraphqlContext> = {
    cube: {
      type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(Result))),
      args: rootArgs,
      resolve: async (_source, args: CubeRootArgs, context, info) => {
        const query = queryFor(args, selectedFields(info.fieldNodes[0]!.selectionSet, info), info);
        const response = await context.runQuery(query);
        return toGraphqlRows(response.results[0]!, byName, args.timezone ?? 'UTC');
      },
    },
    cubeCompare: {
      description: 'compareDateRange: the same query once per date range (an extension to Cube’s GraphQL API).',
      type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(CompareDateRangeResult))),
      args: {
        ...rootArgs,
        dimension: { type: new GraphQLNonNull(GraphQLString), description: 'Time dimension as cube.member' },
        dateRanges: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(GraphQLString))))) },
      },
      resolve: async (_source, args: CubeRootArgs & CompareArgs, context, info) => {
        const dataField = selectedFields(info.fieldNodes[0]!.selectionSet, info).find((f) => f.name.value === 'data');
        const query = withCompareDateRange(queryFor(args, selectedFields(dataField?.selectionSet, info), info), args);
        const response = await context.runQuery(query);
        return response.results.map((result, i) => ({
          dateRange: args.dateRanges[i] ?? [],
          data: toGraphqlRows(result, byName, args.timezone ?? 'UTC'),
        }));
      },
    },
  };

  return new GraphQLSchema({ query: new GraphQLObjectType({ name: 'Query', fields }) });
}

function cubeFieldArgs(field: FieldNode, typesByField: ReadonlyMap<string, CubeTypes>, info: GraphQLResolveInfo): { where?: Record<string, unknown>; orderBy?: Record<string, OrderDirection>; segments?: readonly string[] } {
  const resultType = info.schema.getType('Result') as GraphQLObjectType;
  const definition = resultType.getFields()[field.name.value];
  if (!definition || !typesByField.has(field.name.value)) return {};
  return getArgumentValues(definition, field, info.variableValues) as { where?: Record<string, unknown>; orderBy?: Record<string, OrderDirection>; segments?: readonly string[] };
}
