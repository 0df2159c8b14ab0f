/**
 * Cube's filter operators, with how many values each takes and which member types they apply
 * to, so the filter editor offers the right inputs (Cube's REST query format reference).
 */
export interface OperatorInfo {
  readonly name: string;
  readonly label: string;
  /** `none`: no values; `one`: exactly one; `two`: a date range; `many`: one or more. */
  readonly values: 'none' | 'one' | 'two' | 'many';
  readonly types: readonly ('string' | 'number' | 'time' | 'boolean' | 'any')[];
}

export const OPERATORS: readonly OperatorInfo[] = [
  { name: 'equals', label: 'equals', values: 'many', types: ['any'] },
  { name: 'notEquals', label: 'not equals', values: 'many', types: ['any'] },
  { name: 'contains', label: 'contains', values: 'many', types: ['string'] },
  { name: 'notContains', label: 'not contains', values: 'many', types: ['string'] },
  { name: 'startsWith', label: 'starts with', values: 'many', types: ['string'] },
  { name: 'endsWith', label: 'ends with', values: 'many', types: ['string'] },
  { name: 'gt', label: '>', values: 'one', types: ['number', 'time'] },
  { name: 'gte', label: '>=', values: 'one', types: ['number', 'time'] },
  { name: 'lt', label: '<', values: 'one', types: ['number', 'time'] },
  { name: 'lte', label: '<=', values: 'one', types: ['number', 'time'] },
  { name: 'set', label: 'is set', values: 'none', types: ['any'] },
  { name: 'notSet', label: 'is not set', values: 'none', types: ['any'] },
  { name: 'inDateRange', label: 'in date range', values: 'two', types: ['time'] },
  { name: 'notInDateRange', label: 'not in date range', values: 'two', types: ['time'] },
  { name: 'beforeDate', label: 'before date', values: 'one', types: ['time'] },
  { name: 'afterDate', label: 'after date', values: 'one', types: ['time'] },
];

/** The operators offered for a member of type `type` (all of them for unknown types). */
export function operatorsFor(type: string | undefined): readonly OperatorInfo[] {
  if (!type) return OPERATORS;
  return OPERATORS.filter((op) => op.types.includes('any') || op.types.includes(type as never));
}

export function operatorInfo(name: string): OperatorInfo | undefined {
  return OPERATORS.find((op) => op.name === name);
}
