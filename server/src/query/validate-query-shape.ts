/**
 * Checks the JSON shape of a Cube query before any member is resolved: unknown keys and wrong
 * types are rejected with the key named, so clients see exactly what to fix.
 */
import { UserError } from '../errors/user-error.ts';

const TOP_LEVEL: Readonly<Record<string, (v: unknown) => boolean>> = {
  measures: isStringArray,
  dimensions: isStringArray,
  segments: isStringArray,
  timeDimensions: Array.isArray,
  filters: Array.isArray,
  order: (v) => Array.isArray(v) || isPlainObject(v),
  limit: (v) => v === null || (typeof v === 'number' && Number.isInteger(v) && v >= 0) || isIntegerString(v),
  offset: (v) => v === null || (typeof v === 'number' && Number.isInteger(v) && v >= 0) || isIntegerString(v),
  total: (v) => typeof v === 'boolean',
  ungrouped: (v) => typeof v === 'boolean',
  timezone: (v) => typeof v === 'string',
  renewQuery: (v) => typeof v === 'boolean',
  responseFormat: (v) => v === 'default' || v === 'compact',
  rowLimit: (v) => typeof v === 'number',
};

const TIME_DIMENSION_KEYS = new Set(['dimension', 'granularity', 'dateRange', 'compareDateRange']);
const FILTER_KEYS = new Set(['member', 'dimension', 'operator', 'values', 'and', 'or']);

/** Throws QUERY_INVALID naming the first offending key. */
export function validateQueryShape(query: unknown): asserts query is Record<string, unknown> {
  if (!isPlainObject(query)) throw invalid('query', 'must be a JSON object');
  for (const [key, value] of Object.entries(query)) {
    // Own keys only: a key such as "constructor" or "__proto__" must not find Object.prototype's.
    const check = Object.hasOwn(TOP_LEVEL, key) ? TOP_LEVEL[key] : undefined;
    if (!check) throw invalid(key, `is not a query property (allowed: ${Object.keys(TOP_LEVEL).join(', ')})`);
    if (value !== undefined && !check(value)) throw invalid(key, `has the wrong type: ${JSON.stringify(value)}`);
  }
  (query.timeDimensions as unknown[] | undefined)?.forEach((td, i) => {
    const where = `timeDimensions[${i}]`;
    if (!isPlainObject(td)) throw invalid(where, 'must be an object');
    for (const key of Object.keys(td)) if (!TIME_DIMENSION_KEYS.has(key)) throw invalid(`${where}.${key}`, 'is not a time dimension property');
    if (typeof td.dimension !== 'string') throw invalid(`${where}.dimension`, 'must be a member name');
    if (td.granularity !== undefined && td.granularity !== null && typeof td.granularity !== 'string') throw invalid(`${where}.granularity`, 'must be a string');
    if (td.compareDateRange !== undefined && !Array.isArray(td.compareDateRange)) throw invalid(`${where}.compareDateRange`, 'must be an array');
  });
  (query.filters as unknown[] | undefined)?.forEach((f, i) => validateFilter(f, `filters[${i}]`));
}

function validateFilter(filter: unknown, where: string): void {
  if (!isPlainObject(filter)) throw invalid(where, 'must be an object');
  for (const key of Object.keys(filter)) if (!FILTER_KEYS.has(key)) throw invalid(`${where}.${key}`, 'is not a filter property');
  for (const logical of ['and', 'or'] as const) {
    if (filter[logical] === undefined) continue;
    if (!Array.isArray(filter[logical])) throw invalid(`${where}.${logical}`, 'must be an array of filters');
    (filter[logical] as unknown[]).forEach((f, i) => validateFilter(f, `${where}.${logical}[${i}]`));
    return;
  }
  if (typeof filter.operator !== 'string') throw invalid(`${where}.operator`, 'is required and must be a string');
  if (typeof (filter.member ?? filter.dimension) !== 'string') throw invalid(`${where}.member`, 'is required and must be a member name');
  if (filter.values !== undefined && !Array.isArray(filter.values)) throw invalid(`${where}.values`, 'must be an array');
}

function invalid(key: string, message: string): UserError {
  return new UserError('QUERY_INVALID', `Invalid query: ${key} ${message}`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringArray(v: unknown): boolean {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

function isIntegerString(v: unknown): boolean {
  return typeof v === 'string' && /^\d+$/.test(v);
}
