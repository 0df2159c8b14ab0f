/**
 * One Cube filter → a `NormalizedFilter`: member resolved, operator checked against the member's
 * type, values typed (numbers for number members, booleans for boolean ones, local timestamps for
 * date operators).
 */
import type { Dimension, Measure, SemanticModel } from '../model/model-types.ts';
import type { FilterOperator, NormalizedFilter, ResolvedMember } from './query-types.ts';
import { UserError } from '../errors/user-error.ts';
import { resolveAnyMember } from './resolve-member.ts';
import { parseDateRange } from './parse-date-range.ts';
import { formatLocal, parseWallClock } from '../time/local-time.ts';

type Operator = Exclude<FilterOperator, 'measureFilter'>;

const TEXT_OPS: readonly Operator[] = ['contains', 'notContains', 'startsWith', 'notStartsWith', 'endsWith', 'notEndsWith'];
const COMPARE_OPS: readonly Operator[] = ['gt', 'gte', 'lt', 'lte'];
const DATE_OPS: readonly Operator[] = ['inDateRange', 'notInDateRange', 'beforeDate', 'beforeOrOnDate', 'afterDate', 'afterOrOnDate'];
const BASE_OPS: readonly Operator[] = ['equals', 'notEquals', 'set', 'notSet'];

/** Operators valid for each member type (a measure's result type counts as `number` unless declared otherwise). */
const OPERATORS_BY_TYPE: Readonly<Record<string, readonly Operator[]>> = {
  string: [...BASE_OPS, ...TEXT_OPS, ...COMPARE_OPS],
  number: [...BASE_OPS, ...COMPARE_OPS],
  boolean: BASE_OPS,
  time: [...BASE_OPS, ...COMPARE_OPS, ...DATE_OPS],
  geo: BASE_OPS,
};

/** Context the normalizer passes down: model, query time zone, the injectable clock. */
export interface FilterContext {
  readonly model: SemanticModel;
  readonly timezone: string;
  readonly now: Date;
}

/**
 * A list of filters, each normalized, with logical groups that end up empty (`{ and: [] }`,
 * `{ or: [{ and: [] }] }`, a no-op `measureFilter`) dropped: Cube ignores them, and they have no SQL form.
 */
export function normalizeFilters(filters: readonly unknown[], ctx: FilterContext, where: string): NormalizedFilter[] {
  const out: NormalizedFilter[] = [];
  filters.forEach((f, i) => {
    const normalized = normalizeFilter(f as Record<string, unknown>, ctx, `${where}[${i}]`);
    if (normalized.kind === 'member' || normalized.kind === 'measureFilter' || normalized.filters.length > 0) out.push(normalized);
  });
  return out;
}

export function normalizeFilter(filter: Record<string, unknown>, ctx: FilterContext, where: string): NormalizedFilter {
  if (Array.isArray(filter.and)) return { kind: 'and', filters: normalizeFilters(filter.and, ctx, `${where}.and`) };
  if (Array.isArray(filter.or)) return { kind: 'or', filters: normalizeFilters(filter.or, ctx, `${where}.or`) };
  const target = resolveAnyMember(ctx.model, filter.member ?? filter.dimension, where);
  if (target.member.kind === 'segment') throw new UserError('QUERY_INVALID', `${where}: ${target.alias} is a segment; put it in "segments"`);
  const member = target as ResolvedMember<Measure | Dimension>;
  if (filter.operator === 'measureFilter') return measureFilter(member, where);
  const operator = filter.operator as Operator;
  const type = memberType(member.member);
  const allowed = OPERATORS_BY_TYPE[type] ?? BASE_OPS;
  if (!allowed.includes(operator)) {
    throw new UserError('INVALID_OPERATOR', `${where}: operator "${String(filter.operator)}" is not valid for ${member.alias} (type ${type}); use one of ${allowed.join(', ')}`);
  }
  const raw = (filter.values as unknown[] | undefined) ?? [];
  if ((operator === 'equals' || operator === 'notEquals') && raw.includes(null)) return withNull(member, operator, raw, type, ctx, where);
  return { kind: 'member', target: member, operator, values: typeValues(raw, operator, type, member.alias, ctx, where) };
}

/** Stands for a filter that keeps every row: an empty group, which `normalizeFilters` drops. */
const NO_CONDITION: NormalizedFilter = Object.freeze({ kind: 'and', filters: [] });

/**
 * Cube's `measureFilter` (sent by `ResultSet.drillDown`): the measure's own `filters:` as a row
 * condition. Cube's schema compiler (BaseFilter.measureFilterToWhere) renders nothing for a
 * measure without filters, so that is a no-op here too; on a dimension it has no meaning.
 * Values, which the client never sends, are ignored as Cube ignores them.
 */
function measureFilter(member: ResolvedMember<Measure | Dimension>, where: string): NormalizedFilter {
  if (member.member.kind !== 'measure') {
    throw new UserError('INVALID_OPERATOR', `${where}: operator "measureFilter" is not valid for ${member.alias} (a ${member.member.type} dimension): it applies a measure's own filters`, {
      hint: 'name a measure, or filter on the dimension with another operator',
    });
  }
  if (member.member.filters.length === 0) return NO_CONDITION;
  return { kind: 'measureFilter', target: member as ResolvedMember<Measure> };
}

/**
 * `null` among the values of equals / notEquals, as Cube allows it: equals [null] is "not set"
 * (IS NULL), notEquals [null] is "set"; beside other values it joins them (equals ['a', null]:
 * 'a' or unset; notEquals ['a', null]: neither 'a' nor unset).
 */
function withNull(member: ResolvedMember<Measure | Dimension>, operator: 'equals' | 'notEquals', raw: readonly unknown[], type: string, ctx: FilterContext, where: string): NormalizedFilter {
  const nullTest: NormalizedFilter = { kind: 'member', target: member, operator: operator === 'equals' ? 'notSet' : 'set', values: [] };
  const others = raw.filter((v) => v !== null);
  if (others.length === 0) return nullTest;
  const valueTest: NormalizedFilter = { kind: 'member', target: member, operator, values: typeValues(others, operator, type, member.alias, ctx, where) };
  return { kind: operator === 'equals' ? 'or' : 'and', filters: [valueTest, nullTest] };
}

function memberType(member: Measure | Dimension): string {
  if (member.kind === 'dimension') return member.type;
  if (member.type === 'string' || member.type === 'time' || member.type === 'boolean') return member.type;
  return 'number';
}

function typeValues(raw: readonly unknown[], op: Operator, type: string, alias: string, ctx: FilterContext, where: string): (string | number | boolean)[] {
  if (op === 'set' || op === 'notSet') return [];
  if (op === 'inDateRange' || op === 'notInDateRange') {
    const range = raw.length === 1 ? raw[0] : raw;
    return [...parseDateRange(range, ctx.timezone, ctx.now, alias)];
  }
  if (raw.length === 0) throw new UserError('INVALID_VALUE', `${where}: operator ${op} on ${alias} needs at least one value`);
  if (DATE_OPS.includes(op)) {
    if (raw.length !== 1) throw new UserError('INVALID_VALUE', `${where}: ${op} on ${alias} takes exactly one date`);
    return [typeTime(raw[0], alias, where, op === 'beforeOrOnDate' || op === 'afterDate', ctx.timezone)];
  }
  return raw.map((v) => typeValue(v, type, alias, where, ctx.timezone));
}

function typeValue(v: unknown, type: string, alias: string, where: string, timeZone: string): string | number | boolean {
  const bad = (): never => {
    throw new UserError('INVALID_VALUE', `${where}: value ${JSON.stringify(v)} is not a valid ${type} for ${alias}`);
  };
  if (v === null || v === undefined || typeof v === 'object') return bad();
  if (type === 'number') {
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    return Number.isFinite(n) ? n : bad();
  }
  if (type === 'boolean') {
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === '1' || v === 1) return true;
    if (v === 'false' || v === '0' || v === 0) return false;
    return bad();
  }
  if (type === 'time') return typeTime(v, alias, where, false, timeZone);
  const text = String(v);
  // Postgres text cannot hold U+0000 and DuckDB's ILIKE fails on it ("pattern must not end with escape character").
  if (text.includes('\u0000')) throw new UserError('INVALID_VALUE', `${where}: value ${JSON.stringify(v)} for ${alias} contains a NUL character (U+0000), which text values cannot hold`);
  return text;
}

/**
 * A date value as a local timestamp of the query's time zone (an instant with a zone designator is
 * converted to it); a date-only value used as an upper bound covers the whole day.
 */
function typeTime(v: unknown, alias: string, where: string, endOfDay: boolean, timeZone: string): string {
  const parsed = typeof v === 'string' ? parseWallClock(v, timeZone) : undefined;
  if (!parsed) throw new UserError('INVALID_VALUE', `${where}: ${JSON.stringify(v)} is not a date for ${alias}`);
  if (parsed.dateOnly && endOfDay) return formatLocal(new Date(parsed.date.getTime() + 86400000 - 1));
  return formatLocal(parsed.date);
}
