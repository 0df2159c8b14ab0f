/**
 * Builds Cube's GraphQL schema from the model: root `cube(where, orderBy, limit, offset,
 * timezone, renewQuery, cache, ungrouped)` returning `[Result!]!`, one field per cube and view with
 * its measures and dimensions, typed filter inputs with AND/OR, `OrderBy` enums.
 * Beyond Cube: a `segments` argument on each cube field and a root `cubeCompare` field for
 * `compareDateRange` (one result set per range).
 * https://cube.dev/docs/product/apis-integrations/graphql-api/reference
 */
import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  getArgumentValues,
  type FieldNode,
  type GraphQLFieldConfigMap,
  type GraphQLInputFieldConfigMap,
  type GraphQLResolveInfo,
} from 'graphql';
import type { CubeQuery, OrderDirection } from '../../query/query-types.ts';
import type { LoadResponse } from '../../engine/engine-types.ts';
import type { GraphqlCube, GraphqlMember } from './graphql-members.ts';
import { cubeFieldName, cubeTypeName, isGraphqlName } from './graphql-names.ts';
import { buildCubeQuery, withCompareDateRange, type CompareArgs, type CubeRootArgs, type SelectedCube } from './graphql-query.ts';
import { selectedFields, selectedMembers, writtenArgument } from './graphql-selection.ts';
import { memberFilterType, memberOutputType, OrderBy } from './graphql-shared-types.ts';
import { toGraphqlRows } from './graphql-results.ts';
import { rowLimitNote, type RowLimitNote } from './graphql-row-limits.ts';

/** Per-request context handed to `execute()`. */
export interface GraphqlContext {
  /** Runs a Cube query with the caller's security context. */
  readonly runQuery: (query: CubeQuery) => Promise<LoadResponse>;
  /** Variables as the client sent them (graphql-js re-orders coerced input objects). */
  readonly rawVariables: Readonly<Record<string, unknown>>;
  /** Collects the fields cut at the default row limit, for the response's `extensions.rowLimits`. */
  readonly rowLimits?: RowLimitNote[];
}

interface CubeTypes {
  readonly cube: GraphqlCube;
  readonly field: string;
  readonly members: GraphQLObjectType;
  readonly where: GraphQLInputObjectType;
  readonly orderBy: GraphQLInputObjectType;
  readonly segments?: GraphQLEnumType;
}

/** Output values: the engine returns numbers as strings, which GraphQL's Float serializes. */
function resolveMember(member: GraphqlMember) {
  return (source: Record<string, unknown>) => source[member.name] ?? null;
}

function buildCubeTypes(cube: GraphqlCube): CubeTypes {
  const prefix = cubeTypeName(cube.name);
  const measures = cube.measures.filter((m) => isGraphqlName(m.name));
  const dimensions = cube.dimensions.filter((d) => isGraphqlName(d.name));
  const members = [...measures, ...dimensions];
  const where: GraphQLInputObjectType = new GraphQLInputObjectType({
    name: `${prefix}WhereInput`,
    fields: (): GraphQLInputFieldConfigMap => ({
      AND: { type: new GraphQLList(new GraphQLNonNull(where)) },
      OR: { type: new GraphQLList(new GraphQLNonNull(where)) },
      ...Object.fromEntries(members.map((m) => [m.name, { type: memberFilterType(m) }])),
    }),
  });
  const segmentNames = cube.segments.filter((s) => isGraphqlName(s.name));
  const output = (m: GraphqlMember, isMeasure: boolean) => [m.name, { type: memberOutputType(m, isMeasure), description: m.description, resolve: resolveMember(m) }];
  return {
    cube,
    field: cubeFieldName(cube.name),
    members: new GraphQLObjectType({
      name: `${prefix}Members`,
      description: cube.description,
      fields: Object.fromEntries([...measures.map((m) => output(m, true)), ...dimensions.map((d) => output(d, false))]),
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
  const cubesByField = new Map(typed.map((t) => [t.field, t.cube]));
  const cubesByName = new Map(typed.map((t) => [t.cube.name, t.cube]));
  const typesByField = new Map(typed.map((t) => [t.field, t]));

  const RootWhereInput: GraphQLInputObjectType = new GraphQLInputObjectType({
    name: 'RootWhereInput',
    fields: (): GraphQLInputFieldConfigMap => ({
      AND: { type: new GraphQLList(new GraphQLNonNull(RootWhereInput)) },
      OR: { type: new GraphQLList(new GraphQLNonNull(RootWhereInput)) },
      ...Object.fromEntries(typed.map((t) => [t.field, { type: t.where }])),
    }),
  });
  const RootOrderByInput = new GraphQLInputObjectType({
    name: 'RootOrderByInput',
    fields: Object.fromEntries(typed.map((t) => [t.field, { type: t.orderBy }])),
  });
  const Result = new GraphQLObjectType({
    name: 'Result',
    fields: Object.fromEntries(
      typed.map((t) => [
        t.field,
        {
          type: new GraphQLNonNull(t.members),
          description: t.cube.description,
          args: { where: { type: t.where }, orderBy: { type: t.orderBy }, ...(t.segments ? { segments: { type: new GraphQLList(new GraphQLNonNull(t.segments)) } } : {}) },
          // A cube selected only for `__typename` has no column in the rows.
          resolve: (row: Record<string, unknown>) => row[t.field] ?? {},
        },
      ]),
    ),
  });
  const CompareDateRangeResult = new GraphQLObjectType({
    name: 'CompareDateRangeResult',
    fields: {
      dateRange: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(GraphQLString))) },
      data: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(Result))) },
    },
  });

  const rootArgs = {
    where: { type: RootWhereInput },
    orderBy: { type: RootOrderByInput },
    limit: { type: GraphQLInt },
    offset: { type: GraphQLInt },
    timezone: { type: GraphQLString },
    renewQuery: { type: GraphQLBoolean },
    cache: { type: GraphQLString, description: 'Cube cache mode; "must-revalidate" and "no-cache" refresh the data' },
    ungrouped: { type: GraphQLBoolean },
  };

  /** The cube fields selected under `resultFields`, with their coerced and written arguments. */
  function selectedCubes(resultFields: readonly FieldNode[], info: GraphQLResolveInfo, rawVariables: Readonly<Record<string, unknown>>): SelectedCube[] {
    const out: SelectedCube[] = [];
    for (const field of resultFields) {
      const types = typesByField.get(field.name.value);
      if (!types) continue; // validation already rejected unknown fields
      const definition = Result.getFields()[types.field]! as unknown as Parameters<typeof getArgumentValues>[0];
      const args = getArgumentValues(definition, field, info.variableValues) as { where?: Record<string, unknown>; segments?: string[] };
      out.push({
        cube: types.cube,
        where: args.where,
        orderBy: writtenOrder(writtenArgument(field, 'orderBy', rawVariables)),
        segments: args.segments ?? [],
        members: selectedMembers(field, info),
      });
    }
    return out;
  }

  function queryFor(args: CubeRootArgs, resultFields: readonly FieldNode[], context: GraphqlContext, info: GraphQLResolveInfo): CubeQuery {
    const rootOrder = Object.entries((writtenArgument(info.fieldNodes[0]!, 'orderBy', context.rawVariables) ?? {}) as Record<string, unknown>).flatMap(
      ([field, members]) => writtenOrder(members).map(([member, direction]) => [field, member, direction] as const),
    );
    return buildCubeQuery(args, rootOrder, selectedCubes(resultFields, info, context.rawVariables), cubesByField);
  }

  const rootSelection = (info: GraphQLResolveInfo) => info.fieldNodes.flatMap((node) => selectedFields(node.selectionSet, info));

  const fields: GraphQLFieldConfigMap<unknown, GraphqlContext> = {
    cube: {
      type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(Result))),
      args: rootArgs,
      resolve: async (_source, args: CubeRootArgs, context, info) => {
        const query = queryFor(args, rootSelection(info), context, info);
        const response = await context.runQuery(query);
        noteRowLimit(context, rowLimitNote(query, response.results[0]!, responsePath(info)));
        return toGraphqlRows(response.results[0]!, query, cubesByName);
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
        const dataFields = rootSelection(info).filter((f) => f.name.value === 'data').flatMap((f) => selectedFields(f.selectionSet, info));
        const query = withCompareDateRange(queryFor(args, dataFields, context, info), args);
        const response = await context.runQuery(query);
        response.results.forEach((result, i) => noteRowLimit(context, rowLimitNote(query, result, [...responsePath(info), i, 'data'])));
        return response.results.map((result, i) => ({
          dateRange: args.dateRanges[i] ?? [],
          data: toGraphqlRows(result, query, cubesByName),
        }));
      },
    },
  };

  return new GraphQLSchema({ query: new GraphQLObjectType({ name: 'Query', fields }) });
}

function noteRowLimit(context: GraphqlContext, note: RowLimitNote | undefined): void {
  if (note) context.rowLimits?.push(note);
}

/** The field's path in the response (its alias when it has one). */
function responsePath(info: GraphQLResolveInfo): (string | number)[] {
  const path: (string | number)[] = [];
  for (let p: GraphQLResolveInfo['path'] | undefined = info.path; p; p = p.prev) path.unshift(p.key);
  return path;
}

/** `{ member: direction }` as written → ordered pairs (nulls dropped). */
function writtenOrder(value: unknown): [string, OrderDirection][] {
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>)
    .filter(([, direction]) => direction === 'asc' || direction === 'desc')
    .map(([member, direction]) => [member, direction as OrderDirection]);
}
