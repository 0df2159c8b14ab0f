/**
 * Constant values of the parse tree (literals, casts of literals, bound parameters).
 */
import type { ParamValue } from '../wire/decode-param.ts';
import { names, type AstNode } from './walk-ast.ts';

/** Sentinel for "not a constant". */
export const NOT_CONSTANT = Symbol('not constant');

/** The value of a constant expression, or NOT_CONSTANT. */
export function literalValue(node: AstNode | undefined, params: readonly ParamValue[]): ParamValue | typeof NOT_CONSTANT {
  if (!node) return NOT_CONSTANT;
  if (node.A_Const) {
    const c = node.A_Const;
    if (c.isnull) return null;
    if (c.ival) return Number(c.ival.ival ?? 0);
    if ('ival' in c) return 0;
    if (c.fval) return Number(c.fval.fval);
    if (c.sval) return String(c.sval.sval ?? '');
    if (c.boolval) return Boolean(c.boolval.boolval);
    if ('boolval' in c) return false;
    return NOT_CONSTANT;
  }
  if (node.ParamRef) {
    const v = params[(node.ParamRef.number ?? 1) - 1];
    return v === undefined ? NOT_CONSTANT : v;
  }
  if (node.FuncCall) return constantTimestamp(node.FuncCall, params);
  if (node.TypeCast) {
    const inner = literalValue(node.TypeCast.arg, params);
    if (inner === NOT_CONSTANT || inner === null) return inner;
    const type = names(node.TypeCast.typeName?.names).at(-1)?.toLowerCase() ?? '';
    if (/^(int|float|numeric|decimal)/.test(type)) return Number(inner);
    return inner;
  }
  return NOT_CONSTANT;
}

/** A literal date/time as Cube's local ISO form ('2020-01-01T00:00:00.000'), or undefined. */
export function toIsoTimestamp(value: ParamValue): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(?:Z|[+-]00(?::?00)?)?$/.exec(value.trim());
  if (!m) return undefined;
  const frac = (m[5] ?? '').padEnd(3, '0').slice(0, 3);
  return `${m[1]}T${m[2] ?? '00'}:${m[3] ?? '00'}:${m[4] ?? '00'}.${frac}`;
}

/** Adds milliseconds to a local ISO timestamp (computed in UTC, no zone involved). */
export function shiftIso(iso: string, ms: number): string {
  return new Date(Date.parse(`${iso}Z`) + ms).toISOString().slice(0, 23);
}

/** End of the period of granularity `g` starting at `iso` (inclusive, last millisecond). */
export function periodEnd(iso: string, g: string): string | undefined {
  const d = new Date(`${iso}Z`);
  const next = new Date(d);
  switch (g) {
    case 'second':
      next.setUTCSeconds(d.getUTCSeconds() + 1);
      break;
    case 'minute':
      next.setUTCMinutes(d.getUTCMinutes() + 1);
      break;
    case 'hour':
      next.setUTCHours(d.getUTCHours() + 1);
      break;
    case 'day':
      next.setUTCDate(d.getUTCDate() + 1);
      break;
    case 'week':
      next.setUTCDate(d.getUTCDate() + 7);
      break;
    case 'month':
      next.setUTCMonth(d.getUTCMonth() + 1);
      break;
    case 'quarter':
      next.setUTCMonth(d.getUTCMonth() + 3);
      break;
    case 'year':
      next.setUTCFullYear(d.getUTCFullYear() + 1);
      break;
    default:
      return undefined;
  }
  return new Date(next.getTime() - 1).toISOString().slice(0, 23);
}

/** Whether a local ISO timestamp is the first instant of a period of granularity `g`. */
export function isPeriodStart(iso: string, g: string): boolean {
  const d = new Date(`${iso}Z`);
  const time = d.getUTCHours() * 3_600_000 + d.getUTCMinutes() * 60_000 + d.getUTCSeconds() * 1000 + d.getUTCMilliseconds();
  switch (g) {
    case 'second':
      return d.getUTCMilliseconds() === 0;
    case 'minute':
      return time % 60_000 === 0;
    case 'hour':
      return time % 3_600_000 === 0;
    case 'day':
      return time === 0;
    case 'week':
      return time === 0 && d.getUTCDay() === 1;
    case 'month':
      return time === 0 && d.getUTCDate() === 1;
    case 'quarter':
      return time === 0 && d.getUTCDate() === 1 && d.getUTCMonth() % 3 === 0;
    case 'year':
      return time === 0 && d.getUTCDate() === 1 && d.getUTCMonth() === 0;
    default:
      return false;
  }
}

/**
 * `to_timestamp(text, format)` / `to_date(text, format)` over constants (Superset writes its time
 * range so): the local ISO timestamp, so the filter is pushed down like a timestamp literal.
 * Supports Postgres's common template patterns; anything else is not a constant here.
 */
function constantTimestamp(call: AstNode, params: readonly ParamValue[]): ParamValue | typeof NOT_CONSTANT {
  const fn = names(call.funcname).at(-1)?.toLowerCase();
  if ((fn !== 'to_timestamp' && fn !== 'to_date') || call.args?.length !== 2) return NOT_CONSTANT;
  const text = literalValue(call.args[0], params);
  const format = literalValue(call.args[1], params);
  if (typeof text !== 'string' || typeof format !== 'string') return NOT_CONSTANT;
  const parts = parseWithTemplate(text, format);
  if (!parts) return NOT_CONSTANT;
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const time = fn === 'to_date' ? '00:00:00.000' : `${pad(parts.hour)}:${pad(parts.minute)}:${pad(parts.second)}.${pad(parts.millisecond, 3)}`;
  return `${pad(parts.year, 4)}-${pad(parts.month)}-${pad(parts.day)}T${time}`;
}

const TEMPLATE_FIELDS: readonly [string, keyof TimeParts, number][] = [
  ['YYYY', 'year', 4],
  ['HH24', 'hour', 2],
  ['MM', 'month', 2],
  ['DD', 'day', 2],
  ['MI', 'minute', 2],
  ['SS', 'second', 2],
  ['MS', 'millisecond', 3],
  ['US', 'microsecond', 6],
];

interface TimeParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  microsecond: number;
}

function parseWithTemplate(text: string, format: string): TimeParts | undefined {
  const parts: TimeParts = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0, microsecond: 0 };
  let t = 0;
  for (let f = 0; f < format.length; ) {
    const field = TEMPLATE_FIELDS.find(([pattern]) => format.startsWith(pattern, f));
    if (field) {
      const [pattern, key, width] = field;
      const digits = /^\d+/.exec(text.slice(t, t + width))?.[0];
      if (!digits) return undefined;
      parts[key] = Number(digits);
      t += digits.length;
      f += pattern.length;
      continue;
    }
    if (/[A-Za-z]/.test(format[f]!) || text[t] !== format[f]) return undefined;
    t++;
    f++;
  }
  if (t !== text.length || parts.month < 1 || parts.month > 12 || parts.day < 1 || parts.day > 31) return undefined;
  if (parts.microsecond) parts.millisecond = Math.floor(parts.microsecond / 1000);
  return parts;
}
