/**
 * Structural check of Cube's query JSON at the API boundary (types of fields, allowed keys,
 * operators, limit within CUBEJS_DB_QUERY_LIMIT), so malformed input gets a 400 naming the exact
 * path before the engine resolves members. Mirrors the checks of Cube's query schema:
 * https://cube.dev/docs/product/apis-integrations/rest-api/query-format
 */
import type { CubeQuery, FilterOperator } from '../../query/query-types.ts';
import { UserError } from '../../errors/user-error.ts';

const QUERY_KEYS = new Set([
  'measures', 'dimensions', 'segments', 'timeDimensions', 'filters', 'order', 'limit', 'offset', 'total',
  'ungrouped', 'timezone', 'renewQuery', 'responseFormat', 'joinHints', 'subqueryJoins', 'rowLimit',
]);
const TIME_DIMENSION_KEYS = new Set(['dimension', 'granularity', 'dateRange', 'compareDateRange']);
const MEMBER_FILTER_KEYS = new Set(['member', 'dimension', 'operator', 'values']);
export const FILTER_OPERATORS: readonly FilterOperator[] = [
  'equals', 'notEquals', 'contains', 'notContains', 'startsWith', 'notStartsWith', 'endsWith', 'notEndsWith',
  'gt', 'gte', 'lt', 'lte', 'set', 'notSet', 'inDateRange', 'notInDateRange', 'beforeDate', 'beforeOrOnDate',
  'afterDate', 'afterOrOnDate', 'measureFilter',
];
const OPERATOR_SET = new Set<string>(FILTER_OPERATORS);
const MAX_FILTER_DEPTH = 32;
const MAX_LIST = 10_000;

/** Limits the shape check enforces. */
export interface ShapeLimits {
  readonly queryLimit: number;
}

/** Returns the query typed as `CubeQuery`, or throws a `UserError` naming the first bad path. */
export function validateQueryShape(value: unknown, limits: ShapeLimits, where = 'query'): CubeQuery {
  const query = expectObject(value, where);
  for (const key of Object.keys(query)) {
    if (!QUERY_KEYS.has(key)) invalid(`"${key}" is not allowed`, `${where}.${key}`);
  }
  for (const key of ['measures', 'dimensions', 'segments'] as const) {
    if (query[key] !== undefined) expectStringList(query[key], `${where}.${key}`);
  }
  if (query.timeDimensions !== undefined) {
    expectList(query.timeDimensions, `${where}.timeDimensions`).forEach((td, i) => checkTimeDimension(td, `${where}.timeDimensions[${i}]`));
  }
  if (query.filters !== undefined) {
    expectList(query.filters, `${where}.filters`).forEach((f, i) => checkFilter(f, `${where}.filters[${i}]`, 0));
  }
  if (query.order !== undefined) checkOrder(query.order, `${where}.order`);
  if (query.limit !== undefined && query.limit !== null) {
    const limit = expectInteger(query.limit, `${where}.limit`);
    if (limit > limits.queryLimit) {
      throw new UserError('LIMIT_EXCEEDED', `The query limit has been exceeded: limit ${limit} is over the maximum of ${limits.queryLimit}`, {
        hint: 'lower the limit, or raise CUBEJS_DB_QUERY_LIMIT on the server',
      });
    }
  }
  if (query.offset !== undefined && query.offset !== null) expectInteger(query.offset, `${where}.offset`);
  for (const key of ['total', 'ungrouped', 'renewQuery'] as const) {
    if (query[key] !== undefined && typeof query[key] !== 'boolean') invalid('must be a boolean', `${where}.${key}`);
  }
  if (query.timezone !== undefined && typeof query.timezone !== 'string') invalid('must be a string', `${where}.timezone`);
  if (query.responseFormat !== undefined && !['default', 'compact'].includes(query.responseFormat as string)) {
    invalid('must be one of default, compact', `${where}.responseFormat`);
  }
  requireSomethingToSelect(query);
  return query as CubeQuery;
}

/** Cube's gateway rule: a query selects at least one member, or it has nothing to return. */
function requireSomethingToSelect(query: Record<string, unknown>): void {
  const nonEmpty = (v: unknown) => Array.isArray(v) && v.length > 0;
  const hasGranularity = Array.isArray(query.timeDimensions)
    && (query.timeDimensions as Record<string, unknown>[]).some((td) => typeof td.granularity === 'string');
  if (nonEmpty(query.measures) || nonEmpty(query.dimensions) || hasGranularity) return;
  throw new UserError('QUERY_INVALID', 'Query should contain either measures, dimensions or timeDimensions with granularities in order to be valid');
}

function checkTimeDimension(value: unknown, where: string): void {
  const td = expectObject(value, where);
  for (const key of Object.keys(td)) if (!TIME_DIMENSION_KEYS.has(key)) invalid(`"${key}" is not allowed`, `${where}.${key}`);
  expectString(td.dimension, `${where}.dimension`);
  if (td.granularity !== undefined && td.granularity !== null) expectString(td.granularity, `${where}.granularity`);
  if (td.dateRange !== undefined && td.dateRange !== null) checkDateRange(td.dateRange, `${where}.dateRange`);
  if (td.compareDateRange !== undefined) {
    expectList(td.compareDateRange, `${where}.compareDateRange`).forEach((r, i) => checkDateRange(r, `${where}.compareDateRange[${i}]`));
  }
}

function checkDateRange(value: unknown, where: string): void {
  if (typeof value === 'string') return;
  const list = expectList(value, where);
  if (list.length !== 2 || list.some((v) => typeof v !== 'string')) invalid('must be a string or an array of two date strings', where);
}

function checkFilter(value: unknown, where: string, depth: number): void {
  if (depth > MAX_FILTER_DEPTH) invalid(`nests deeper than ${MAX_FILTER_DEPTH} levels`, where);
  const filter = expectObject(value, where);
  for (const logical of ['and', 'or'] as const) {
    if (filter[logical] !== undefined) {
      if (Object.keys(filter).length !== 1) invalid(`"${logical}" must be the only key of a logical filter`, where);
      const members = expectList(filter[logical], `${where}.${logical}`);
      // An empty group filters nothing and has no SQL form; say so instead of guessing TRUE or FALSE.
      if (members.length === 0) invalid('must contain at least one filter', `${where}.${logical}`);
      members.forEach((f, i) => checkFilter(f, `${where}.${logical}[${i}]`, depth + 1));
      return;
    }
  }
  for (const key of Object.keys(filter)) if (!MEMBER_FILTER_KEYS.has(key)) invalid(`"${key}" is not allowed`, `${where}.${key}`);
  if (filter.member === undefined && filter.dimension === undefined) invalid('needs "member" (or "and"/"or")', where);
  if (filter.member !== undefined) expectString(filter.member, `${where}.member`);
  if (filter.dimension !== undefined) expectString(filter.dimension, `${where}.dimension`);
  if (typeof filter.operator !== 'string' || !OPERATOR_SET.has(filter.operator)) {
    throw new UserError('INVALID_OPERATOR', `Invalid query format: "${where}.operator" ${JSON.stringify(filter.operator) ?? 'undefined'} is not a filter operator`, {
      hint: `use one of: ${FILTER_OPERATORS.join(', ')}`,
    });
  }
  if (filter.values !== undefined && filter.values !== null) {
    expectList(filter.values, `${where}.values`).forEach((v, i) => {
      if (v !== null && !['string', 'number', 'boolean'].includes(typeof v)) invalid('must be a string, number, boolean or null', `${where}.values[${i}]`);
      if (typeof v === 'number' && !Number.isFinite(v)) invalid('must be a finite number', `${where}.values[${i}]`);
    });
  }
}

function checkOrder(value: unknown, where: string): void {
  if (Array.isArray(value)) {
    expectList(value, where).forEach((pair, i) => {
      const p = expectList(pair, `${where}[${i}]`);
      if (p.length !== 2) invalid('must be a [member, "asc" | "desc"] pair', `${where}[${i}]`);
      expectString(p[0], `${where}[${i}][0]`);
      checkDirection(p[1], `${where}[${i}][1]`);
    });
    return;
  }
  const order = expectObject(value, where);
  for (const [member, direction] of Object.entries(order)) checkDirection(direction, `${where}.${member}`);
}

function checkDirection(value: unknown, where: string): void {
  if (value !== 'asc' && value !== 'desc') invalid('must be "asc" or "desc"', where);
}

function expectObject(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid('must be an object', where);
  return value as Record<string, unknown>;
}

function expectList(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) invalid('must be an array', where);
  const list = value as unknown[];
  if (list.length > MAX_LIST) invalid(`must have at most ${MAX_LIST} items`, where);
  return list;
}

function expectStringList(value: unknown, where: string): void {
  expectList(value, where).forEach((v, i) => expectString(v, `${where}[${i}]`));
}

function expectString(value: unknown, where: string): void {
  if (typeof value !== 'string' || value.length === 0) invalid('must be a non-empty string', where);
}

/** GET clients sometimes send numbers as strings ("10"); the engine accepts those too. */
function expectInteger(value: unknown, where: string): number {
  const n = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) invalid('must be a non-negative integer', where);
  return n as number;
}

function invalid(problem: string, where: string): never {
  throw new UserError('QUERY_INVALID', `Invalid query format: "${where}" ${problem}`);
}
