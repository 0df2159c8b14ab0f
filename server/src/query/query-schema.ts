/**
 * Cube's query JSON, defined once. The zod schemas below are at the same time the runtime check
 * (`parse-cube-query.ts` runs them for REST, GraphQL, the SQL API and the rollup builds, since all
 * of them reach `normalizeQuery`), the TypeScript types (inferred here, never written by hand) and
 * the OpenAPI document's query schemas (`queryJsonSchemas()`; `npm run openapi:write` puts them
 * into `api/rest/openapi.yaml`, and a test fails when the committed file is stale).
 *
 * Facts from Cube's query format (https://cube.dev/docs/product/apis-integrations/rest-api/query-format):
 * members are `cube.member` strings; filters are member filters or `and`/`or` groups (an empty group
 * filters nothing); `dateRange` is a string (relative or one date) or a [from, to] pair;
 * `compareDateRange` lists ranges; `order` is an object (its key order is the sort order) or
 * [member, direction] pairs; `limit` and `offset` are non-negative integers; `joinHints` lists
 * join paths as arrays of cube names. Rules the JSON Schema cannot say (a query selects
 * something, time zones are IANA names, `limit` and `rowLimit` agree) are zod refinements, so
 * the runtime check is at least as strict as the published document.
 */
import { z } from 'zod';
import { isValidTimeZone } from '../time/local-time.ts';

/** Filter operators this server implements (Cube's, without its `in`/`notIn`/`onTheDate` aliases). */
export const FILTER_OPERATORS = [
  'equals', 'notEquals', 'contains', 'notContains', 'startsWith', 'notStartsWith', 'endsWith', 'notEndsWith',
  'gt', 'gte', 'lt', 'lte', 'set', 'notSet', 'inDateRange', 'notInDateRange', 'beforeDate', 'beforeOrOnDate',
  'afterDate', 'afterOrOnDate', 'measureFilter',
] as const;

/** Most items any list of a query may hold: bounds the work one request can ask for. */
export const MAX_LIST_ITEMS = 10_000;

/** Cube's gateway rule and message: a query returns at least one member column. */
export const SELECT_SOMETHING =
  'Query should contain either measures, dimensions or timeDimensions with granularities in order to be valid';

/** Params of a zod refinement that `parse-cube-query.ts` turns into the UserError's code and hint. */
export interface RuleParams {
  readonly code?: 'QUERY_INVALID' | 'UNSUPPORTED';
  readonly hint?: string;
}

/** Ids of the schemas published as OpenAPI components, in the document's order. */
export const QUERY_SCHEMA_IDS = ['Query', 'TimeDimension', 'DateRange', 'Filter'] as const;
const registry = z.registry<{ id: (typeof QUERY_SCHEMA_IDS)[number]; description?: string }>();

const memberName = z.string().min(1);
/**
 * A list, capped at MAX_LIST_ITEMS by a refinement rather than `.max()`: the cap stays out of the
 * published schema, whose `maxItems` would make schema-driven clients and fuzzers send
 * 10,000-item lists in GET URLs far past any server's request-line limit.
 */
const list = <T extends z.ZodType>(item: T) =>
  z.array(item).refine((items) => items.length <= MAX_LIST_ITEMS, { error: `must have at most ${MAX_LIST_ITEMS} items` });
/** `null` is accepted where Cube accepts it and reads as absent, so the output type has no null. */
const orAbsent = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? undefined).optional();
/** A row count; GET clients send `"10"`, so a string of digits counts too. */
const rowCount = (description: string) =>
  orAbsent(z.union([z.int().min(0), z.string().regex(/^\d{1,15}$/, { error: 'must be a non-negative integer' })]).transform(Number)).meta({
    description,
  });

const orderDirection = z.enum(['asc', 'desc']);

const dateRangeSchema = z
  .union([z.string(), z.array(z.string()).min(1, { error: 'needs one date or a [from, to] pair' }).max(2, { error: 'needs one date or a [from, to] pair' })])
  .register(registry, {
    id: 'DateRange',
    description: "A relative range ('last 7 days', 'this month', 'from 3 months ago to now'), one date, a [date] of one date, or a [from, to] pair of dates (local times, or instants with Z or an offset, read in the query's time zone).",
  });

const timeDimensionSchema = z
  .strictObject({
    dimension: memberName,
    granularity: orAbsent(z.string().min(1)).meta({ description: 'A standard granularity (day, month…) or one declared on the dimension.' }),
    dateRange: orAbsent(dateRangeSchema),
    compareDateRange: list(dateRangeSchema).min(1, { error: 'needs at least one date range' }).optional(),
  })
  .register(registry, { id: 'TimeDimension', description: 'A time dimension, with an optional granularity and date range.' });

const filterValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const memberFilterSchema = z
  .strictObject({
    member: memberName.optional(),
    dimension: memberName.optional().meta({ deprecated: true, description: 'Former name of `member`.' }),
    operator: z.enum(FILTER_OPERATORS).meta({
      description: "`measureFilter` (what drill-down queries add) keeps the rows the named measure's own `filters` keep, as a row condition; it takes no values and does nothing on a measure without filters.",
    }),
    values: orAbsent(list(filterValue)),
  })
  .refine((f) => f.member !== undefined || f.dimension !== undefined, { error: 'needs "member" (or "and"/"or")' });

type MemberFilterShape = z.output<typeof memberFilterSchema>;
type FilterShape = MemberFilterShape | { and: FilterShape[] } | { or: FilterShape[] };

const filterSchema: z.ZodType<FilterShape> = z
  .union([
    memberFilterSchema,
    z.strictObject({ get and() { return list(filterSchema); } }),
    z.strictObject({ get or() { return list(filterSchema); } }),
  ])
  .register(registry, { id: 'Filter', description: 'A member filter, or an `and`/`or` group of filters (an empty group filters nothing).' });

const querySchema = z
  .strictObject({
    measures: list(memberName).optional(),
    dimensions: list(memberName).optional(),
    segments: list(memberName).optional(),
    timeDimensions: list(timeDimensionSchema).optional(),
    filters: list(filterSchema).optional(),
    order: z
      .union([z.record(z.string(), orderDirection), list(z.tuple([memberName, orderDirection]))])
      .optional()
      .meta({ description: 'An object (key order is the sort order) or [member, "asc" | "desc"] pairs. Absent or empty: the first time dimension with a granularity ascending, else the first measure descending, else the first dimension ascending.' }),
    limit: rowCount('At most CUBEJS_DB_QUERY_LIMIT (50 000); CUBEJS_DB_QUERY_DEFAULT_LIMIT (10 000) when absent.'),
    rowLimit: rowCount('The same as `limit` (the name Cube gives it inside its query planner); give one of the two.'),
    offset: rowCount('Rows to skip.'),
    total: z.boolean().optional(),
    ungrouped: z.boolean().optional(),
    renewQuery: z.boolean().optional(),
    timezone: z
      .string()
      .refine(isValidTimeZone, { error: (issue) => `${JSON.stringify(issue.input)} is not an IANA time zone` })
      .optional()
      .meta({ description: 'An IANA time zone (TZ database name); UTC when absent.' }),
    responseFormat: z.enum(['default', 'compact']).optional(),
    joinHints: list(list(z.string()))
      .refine((hints) => hints.length === 0, {
        error: 'join hints are not supported: joins follow the shortest path of the model\'s join graph',
        params: { code: 'UNSUPPORTED', hint: 'query a view that declares the join path you want' } satisfies RuleParams,
      })
      .optional()
      .meta({ description: "Cube's join hints; this server joins along the model's join graph and accepts only an empty list.", maxItems: 0 }),
  })
  .refine((q) => q.limit === undefined || q.rowLimit === undefined || q.limit === q.rowLimit, {
    error: 'differs from limit; give one of the two',
    path: ['rowLimit'],
  })
  .refine(selectsSomething, {
    error: SELECT_SOMETHING,
    params: { hint: 'add a measure or a dimension; filters, segments and date ranges only narrow the rows' } satisfies RuleParams,
  })
  .transform(({ rowLimit, ...query }) => (rowLimit === undefined || query.limit !== undefined ? query : { ...query, limit: rowLimit }))
  .register(registry, { id: 'Query', description: "A Cube query (Cube's REST query format)." });

function selectsSomething(q: { measures?: readonly string[]; dimensions?: readonly string[]; timeDimensions?: readonly { granularity?: string }[] }): boolean {
  return (q.measures?.length ?? 0) > 0 || (q.dimensions?.length ?? 0) > 0 || (q.timeDimensions ?? []).some((td) => td.granularity !== undefined);
}

/** The schema `parse-cube-query.ts` runs; its output is a `CubeQuery`. */
export const cubeQuerySchema = querySchema;

type DeepReadonly<T> = T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/** A checked Cube query: what `parseCubeQuery` returns and what every API hands the engine. */
export type CubeQuery = DeepReadonly<z.output<typeof querySchema>>;
/** A query as clients may send it (`"10"` as a limit, `null` for absent, `rowLimit`). */
export type CubeQueryJson = z.input<typeof querySchema>;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];
export type OrderDirection = z.output<typeof orderDirection>;
export type DateRange = DeepReadonly<z.output<typeof dateRangeSchema>>;
export type TimeDimensionRequest = DeepReadonly<z.output<typeof timeDimensionSchema>>;
export type MemberFilter = DeepReadonly<MemberFilterShape>;
export type Filter = DeepReadonly<FilterShape>;
export type LogicalAnd = Extract<Filter, { readonly and: unknown }>;
export type LogicalOr = Extract<Filter, { readonly or: unknown }>;

/**
 * The query schemas as JSON Schema 2020-12 (what OpenAPI 3.1 uses), keyed by component name, with
 * references between them as `#/components/schemas/<id>`. The input side: what a client may send.
 */
export function queryJsonSchemas(): Record<(typeof QUERY_SCHEMA_IDS)[number], Record<string, unknown>> {
  const { schemas } = z.toJSONSchema(registry, { io: 'input', uri: (id) => `#/components/schemas/${id}`, unrepresentable: 'throw' });
  const out = {} as Record<(typeof QUERY_SCHEMA_IDS)[number], Record<string, unknown>>;
  for (const id of QUERY_SCHEMA_IDS) {
    const { $schema: _schema, $id: _id, ...schema } = schemas[id] as Record<string, unknown>;
    out[id] = flattenAnyOf(schema) as Record<string, unknown>;
  }
  return out;
}

/** `anyOf: [{ anyOf: [a, b] }, c]` → `anyOf: [a, b, c]` (zod nests them for `.nullish()` of a union). */
function flattenAnyOf(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(flattenAnyOf);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = flattenAnyOf(value);
  if (Array.isArray(out.anyOf)) {
    out.anyOf = out.anyOf.flatMap((item: Record<string, unknown>) => (Object.keys(item).length === 1 && Array.isArray(item.anyOf) ? item.anyOf : [item]));
  }
  return out;
}
