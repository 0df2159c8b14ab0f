/**
 * Translates a GraphQL `cube(...) { <cube> { <member> … } }` selection into Cube's query JSON,
 * following Cube's own GraphQL gateway: `in`/`notIn` become equals/notEquals, `set: false`
 * becomes notSet, an `inDateRange` on a time dimension that is selected with a granularity
 * becomes that time dimension's dateRange (so rollups match), order keys are `cube.member`.
 * https://cube.dev/docs/product/apis-integrations/graphql-api/reference
 */
import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import type { CubeQuery, Filter, MemberFilter, OrderDirection, TimeDimensionRequest, DateRange } from '../../query/query-types.ts';
import type { GraphqlCube } from './graphql-members.ts';
import { cubeFieldName } from './graphql-names.ts';
import { UserError } from '../../errors/user-error.ts';

/** Arguments of the root `cube` field (and of `cubeCompare`). */
export interface CubeRootArgs {
  readonly where?: Record<string, unknown>;
  readonly orderBy?: Record<string, Record<string, OrderDirection>>;
  readonly limit?: number;
  readonly offset?: number;
  readonly timezone?: string;
  readonly renewQuery?: boolean;
  readonly ungrouped?: boolean;
}

export interface CompareArgs {
  readonly dimension: string; // "cube.member"
  readonly dateRanges: readonly (readonly string[])[];
}

const GRANULARITY_FIELDS = new Set(['second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year']);

/** Children fields of a selection, fragments expanded, `__typename` and skipped fields left out. */
export function selectedFields(selectionSet: SelectionSetNode | undefined, info: GraphQLResolveInfo): FieldNode[] {
  const out: FieldNode[] = [];
  for (const selection of selectionSet?.selections ?? []) {
    if (!isIncluded(selection.directives ?? [], info.variableValues)) continue;
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value !== '__typename') out.push(selection);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      out.push(...selectedFields(selection.selectionSet, info));
    } else {
      out.push(...selectedFields(info.fragments[selection.name.value]?.selectionSet, info));
    }
  }
  return out;
}

function isIncluded(directives: readonly { name: { value: string }; arguments?: readonly { name: { value: string }; value: unknown }[] }[], variables: Record<string, unknown>): boolean {
  for (const directive of directives) {
    const arg = directive.arguments?.find((a) => a.name.value === 'if');
    if (!arg) continue;
    const node = arg.value as { kind: string; value?: boolean; name?: { value: string } };
    const value = node.kind === Kind.VARIABLE ? Boolean(variables[node.name!.value]) : Boolean(node.value);
    if (directive.name.value === 'include' && !value) return false;
    if (directive.name.value === 'skip' && value) return false;
  }
  return true;
}

/**
 * Builds the Cube query for the cube fields selected under `resultSelection`.
 * `cubeArgs(field)` returns the coerced arguments of a cube field (where/orderBy/segments).
 */
export function buildCubeQuery(
  rootArgs: CubeRootArgs,
  resultFields: readonly FieldNode[],
  cubesByField: ReadonlyMap<string, GraphqlCube>,
  cubeArgs: (field: FieldNode, cube: GraphqlCube) => { where?: Record<string, unknown>; orderBy?: Record<string, OrderDirection>; segments?: readonly string[] },
  info: GraphQLResolveInfo,
): CubeQuery {
  const measures: string[] = [];
  const dimensions: string[] = [];
  const segments: string[] = [];
  const timeDimensions: TimeDimensionRequest[] = [];
  const order: [string, OrderDirection][] = [];
  let filters: Filter[] = rootArgs.where ? whereToFilters(rootArgs.where, undefined, cubesByField) : [];

  for (const [field, members] of Object.entries(rootArgs.orderBy ?? {})) {
    const cube = cubesByField.get(field);
    for (const [member, direction] of Object.entries(members ?? {})) order.push([`${cube?.name ?? field}.${member}`, direction]);
  }

  for (const cubeField of resultFields) {
    const cube = cubesByField.get(cubeField.name.value);
    if (!cube) continue; // graphql validation already rejects unknown fields
    const args = cubeArgs(cubeField, cube);
    for (const [member, direction] of Object.entries(args.orderBy ?? {})) order.push([`${cube.name}.${member}`, direction]);
    if (args.where) filters = [...whereToFilters(args.where, cube, cubesByField), ...filters];
    for (const segment of args.segments ?? []) segments.push(`${cube.name}.${segment}`);

    const dateRanges = new Map<string, DateRange>();
    filters = filters.filter((f) => {
      if ('operator' in f && f.operator === 'inDateRange' && f.member && !dateRanges.has(f.member)) {
        dateRanges.set(f.member, toDateRange(f.values ?? []));
        return false;
      }
      return true;
    });

    for (const memberField of selectedFields(cubeField.selectionSet, info)) {
      const name = memberField.name.value;
      const path = `${cube.name}.${name}`;
      if (cube.measures.some((m) => m.name === name)) {
        measures.push(path);
        continue;
      }
      const granularities = selectedFields(memberField.selectionSet, info).map((f) => f.name.value);
      if (granularities.length === 0) {
        dimensions.push(path);
        continue;
      }
      for (const granularity of granularities) {
        if (granularity === 'value') dimensions.push(path);
        else if (GRANULARITY_FIELDS.has(granularity)) {
          const dateRange = dateRanges.get(path);
          timeDimensions.push({ dimension: path, granularity, ...(dateRange ? { dateRange } : {}) });
        }
      }
    }
    if (dateRanges.size > 0 && timeDimensions.length === 0) {
      for (const [dimension, dateRange] of dateRanges) timeDimensions.push({ dimension, dateRange });
    }
  }

  return {
    ...(measures.length ? { measures } : {}),
    ...(dimensions.length ? { dimensions } : {}),
    ...(segments.length ? { segments } : {}),
    ...(timeDimensions.length ? { timeDimensions } : {}),
    ...(filters.length ? { filters } : {}),
    ...(order.length ? { order } : {}),
    ...(rootArgs.limit !== undefined && rootArgs.limit !== null ? { limit: rootArgs.limit } : {}),
    ...(rootArgs.offset ? { offset: rootArgs.offset } : {}),
    ...(rootArgs.timezone ? { timezone: rootArgs.timezone } : {}),
    ...(rootArgs.ungrouped ? { ungrouped: true } : {}),
    ...(rootArgs.renewQuery ? { renewQuery: true } : {}),
  };
}

/** Applies `compareDateRange` to the time dimension it names (adding it when not selected). */
export function withCompareDateRange(query: CubeQuery, compare: CompareArgs): CubeQuery {
  const ranges = compare.dateRanges.map(toDateRange);
  const existing = query.timeDimensions ?? [];
  const hit = existing.find((td) => td.dimension === compare.dimension);
  const timeDimensions = hit
    ? existing.map((td) => (td === hit ? { dimension: td.dimension, granularity: td.granularity, compareDateRange: ranges } : td))
    : [...existing, { dimension: compare.dimension, compareDateRange: ranges }];
  return { ...query, timeDimensions };
}

function toDateRange(values: readonly unknown[]): DateRange {
  const strings = values.map(String);
  if (strings.length === 1) return strings[0]!;
  if (strings.length === 2) return [strings[0]!, strings[1]!];
  throw new UserError('INVALID_DATE_RANGE', `A date range takes one relative range or two dates, got ${strings.length} values`);
}

/**
 * `where` → Cube filters. At the root, keys are cube fields (or AND/OR); inside a cube, keys are
 * members (or AND/OR) whose values are `{ operator: value }` objects.
 */
function whereToFilters(where: Record<string, unknown>, cube: GraphqlCube | undefined, cubesByField: ReadonlyMap<string, GraphqlCube>): Filter[] {
  const filters: Filter[] = [];
  for (const [key, value] of Object.entries(where)) {
    if (value === null || value === undefined) continue;
    if (key === 'AND' || key === 'OR') {
      const nested = (value as Record<string, unknown>[]).flatMap((item) => whereToFilters(item, cube, cubesByField));
      filters.push(key === 'AND' ? { and: nested } : { or: nested });
    } else if (!cube) {
      const target = cubesByField.get(key);
      if (target) filters.push(...whereToFilters(value as Record<string, unknown>, target, cubesByField));
    } else {
      for (const [operator, operand] of Object.entries(value as Record<string, unknown>)) {
        if (operand === null || operand === undefined) continue;
        filters.push(memberFilter(`${cube.name}.${key}`, operator, operand));
      }
    }
  }
  return filters;
}

function memberFilter(member: string, operator: string, operand: unknown): MemberFilter {
  if (operator === 'set') return { member, operator: operand === true ? 'set' : 'notSet' };
  const mapped = operator === 'in' ? 'equals' : operator === 'notIn' ? 'notEquals' : operator;
  const values = (Array.isArray(operand) ? operand : [operand]).map((v) => String(v));
  return { member, operator: mapped as MemberFilter['operator'], values };
}

export { cubeFieldName };
