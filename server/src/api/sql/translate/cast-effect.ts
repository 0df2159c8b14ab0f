/**
 * What a cast does to a dimension's values, so a WHERE or GROUP BY over `dim::type` is translated
 * only when the meaning is kept: a cast that changes no value (`text_dim::text`,
 * `time_dim::timestamp`) may be read as the dimension itself; `time_dim::date` is the day of the
 * value (granularity day); any other cast (`::int` rounds, `::text` compares as text, a length or
 * precision truncates) changes values or their order, so it is never dropped — the caller leaves
 * it to the outer evaluation over the dimension's own values, or refuses.
 */
import { names, type AstNode } from './walk-ast.ts';

/** Types a cast to which keeps every value (and order) of a dimension of the given Cube type. */
const SAME: Readonly<Record<string, readonly string[]>> = {
  string: ['text', 'varchar'],
  number: ['numeric', 'float8'],
  time: ['timestamp'],
  boolean: ['bool'],
};

/**
 * `'same'` when the cast keeps the dimension's values, `'day'` for a time dimension cast to date,
 * undefined when the cast may change values (or is not a plain cast: arrays, type modifiers).
 */
export function castEffect(typeCast: AstNode, dimensionType: string): 'same' | 'day' | undefined {
  const typeName = typeCast.typeName;
  if (!typeName || typeName.typmods?.length || typeName.arrayBounds?.length) return undefined;
  const type = names(typeName.names).at(-1)?.toLowerCase() ?? '';
  if (dimensionType === 'time' && type === 'date') return 'day';
  return SAME[dimensionType]?.includes(type) ? 'same' : undefined;
}

/** Whether a TypeCast node casts to `date` (no modifiers): the day of a time dimension. */
export function isDateCast(typeCast: AstNode): boolean {
  return castEffect(typeCast, 'time') === 'day';
}
