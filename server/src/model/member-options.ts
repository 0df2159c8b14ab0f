/**
 * Readers for the structured options of members: custom granularities, rolling windows and time
 * shifts. Interval strings follow Cube's syntax ("1 month", "3 month 3 days 3 hours", "-1 day").
 * Reference: https://cube.dev/docs/reference/data-model/dimensions#granularities
 */
import type { CompileContext } from './compile-context.ts';
import type { CubeInfo } from './cube-info.ts';
import { GRANULARITIES, type CustomGranularity, type Granularity, type RollingWindow, type TimeShift } from './model-types.ts';
import type { NodeReader } from './node-reader.ts';
import { IDENTIFIER, ROLLING_WINDOW_TYPES } from './schema-keys.ts';
import { titleize } from './titleize.ts';
import { isInterval } from '../time/interval.ts';


function interval(reader: NodeReader, key: string, allowUnbounded = false): string | undefined {
  const value = reader.string(key);
  if (value === undefined) return undefined;
  if (allowUnbounded && value === 'unbounded') return value;
  if (!isInterval(value)) {
    reader.error(`invalid ${key} "${value}": expected an interval such as "1 month" or "3 days"${allowUnbounded ? ' or "unbounded"' : ''}`, key);
    return undefined;
  }
  return value;
}

function granularityName(reader: NodeReader, key: string): Granularity | undefined {
  return reader.oneOf(key, GRANULARITIES);
}

/** `rolling_window: { trailing, leading, offset, type, granularity }`. */
export function readRollingWindow(reader: NodeReader): RollingWindow | undefined {
  const node = reader.child('rolling_window', 'rolling_window');
  if (!node) return undefined;
  const trailing = interval(node, 'trailing', true);
  const leading = interval(node, 'leading', true);
  const offset = node.oneOf('offset', ['start', 'end'] as const);
  const type = node.oneOf('type', ROLLING_WINDOW_TYPES);
  const granularity = granularityName(node, 'granularity');
  if (type === 'to_date' && granularity === undefined) node.error('rolling_window of type to_date needs "granularity"', 'type');
  return {
    ...(trailing !== undefined ? { trailing } : {}),
    ...(leading !== undefined ? { leading } : {}),
    ...(offset !== undefined ? { offset } : {}),
    ...(type !== undefined ? { type } : {}),
    ...(granularity !== undefined ? { granularity } : {}),
  };
}

/** `time_shift: [{ interval, type, time_dimension, name, sql }]` (multi-stage measures, calendar dimensions). */
export function readTimeShifts(reader: NodeReader, cube: string, ctx: CompileContext): TimeShift[] | undefined {
  if (!reader.has('time_shift')) return undefined;
  return reader.mapItems('time_shift', 'time_shift', () => reader.member).map((shift) => {
    const value = interval(shift, 'interval');
    const type = shift.oneOf('type', ['prior', 'next'] as const);
    const name = shift.string('name');
    const sqlText = shift.string('sql');
    const dimensionRef = shift.string('time_dimension');
    const timeDimension = dimensionRef === undefined
      ? undefined
      : ctx.memberPath(dimensionRef, cube, (m) => shift.error(`time_dimension: ${m}`, 'time_dimension'), ['dimensions']);
    return {
      ...(value !== undefined ? { interval: value } : {}),
      ...(type !== undefined ? { type } : {}),
      ...(timeDimension !== undefined ? { timeDimension } : {}),
      ...(name !== undefined ? { name } : {}),
      ...(sqlText !== undefined ? { sql: ctx.template(sqlText, cube, shift, 'sql') } : {}),
    };
  });
}

/** Custom granularities of a time dimension; `sql` granularities are Cube's calendar-cube form. */
export function readGranularities(reader: NodeReader, cube: CubeInfo, ctx: CompileContext, type: string | undefined): CustomGranularity[] {
  if (!reader.has('granularities')) return [];
  if (type !== undefined && type !== 'time') reader.error('"granularities" are allowed only on time dimensions', 'granularities');
  const seen = new Set<string>();
  const out: CustomGranularity[] = [];
  for (const g of reader.mapItems('granularities', 'granularity', () => reader.member)) {
    const name = g.string('name', true);
    if (name === undefined) continue;
    if (!IDENTIFIER.test(name)) g.error(`invalid granularity name "${name}"`, 'name');
    if (seen.has(name)) g.error(`duplicate granularity "${name}"`, 'name');
    seen.add(name);
    const value = interval(g, 'interval');
    const offset = interval(g, 'offset');
    const origin = g.string('origin');
    if (origin !== undefined && Number.isNaN(Date.parse(origin.replace(' ', 'T')))) g.error(`invalid origin "${origin}": expected a date or timestamp`, 'origin');
    if (origin !== undefined && offset !== undefined) g.error('a granularity takes "origin" or "offset", not both', 'offset');
    const sqlText = g.string('sql');
    if (value === undefined && sqlText === undefined && !g.has('interval')) g.error(`granularity "${name}" needs "interval" (or "sql" in a calendar cube)`);
    if (sqlText !== undefined && !cube.calendar) g.warn(`granularity "${name}" uses "sql", which Cube supports only in cubes with calendar: true`, 'sql');
    const title = g.string('title') ?? titleize(name);
    out.push({
      name,
      ...(value !== undefined ? { interval: value } : {}),
      ...(origin !== undefined ? { origin } : {}),
      ...(offset !== undefined ? { offset } : {}),
      ...(sqlText !== undefined ? { sql: ctx.template(sqlText, cube.name, g, 'sql') } : {}),
      title,
    });
  }
  return out;
}
