/**
 * GraphQL `where` inputs → Cube filters, with the operator mapping of Cube's GraphQL gateway:
 * `in`/`notIn` become equals/notEquals, `set: true|false` becomes set/notSet, values become
 * strings. https://cube.dev/docs/product/apis-integrations/graphql-api/reference
 *
 * Boolean logic follows GraphQL's usual reading of such inputs, which is stricter than Cube's
 * gateway (it flattens every item of an `OR` list): keys of one object are AND-ed, the items of
 * `AND` are AND-ed, and each item of `OR` is one alternative, so `OR: [{ a, b }, { c }]` means
 * `(a AND b) OR c`.
 */
import type { Filter, MemberFilter } from '../../query/query-types.ts';
import type { GraphqlCube } from './graphql-members.ts';

type WhereInput = Readonly<Record<string, unknown>>;

/** Root `where` (keys are cube fields or AND/OR) → filters AND-ed together. */
export function rootWhereToFilters(where: WhereInput, cubesByField: ReadonlyMap<string, GraphqlCube>): Filter[] {
  return toFilters(where, (key, value) => {
    const cube = cubesByField.get(key);
    return cube ? cubeWhereToFilters(value as WhereInput, cube) : [];
  });
}

/** A cube's `where` (keys are its members or AND/OR) → filters AND-ed together. */
export function cubeWhereToFilters(where: WhereInput, cube: GraphqlCube): Filter[] {
  return toFilters(where, (member, operators) =>
    Object.entries(operators as WhereInput)
      .filter(([, operand]) => operand !== null && operand !== undefined)
      .map(([operator, operand]) => memberFilter(`${cube.name}.${member}`, operator, operand)),
  );
}

function toFilters(where: WhereInput, leaf: (key: string, value: unknown) => Filter[]): Filter[] {
  const filters: Filter[] = [];
  for (const [key, value] of Object.entries(where)) {
    if (value === null || value === undefined) continue;
    if (key === 'AND' || key === 'OR') {
      const items = (value as WhereInput[]).map((item) => toFilters(item, leaf)).filter((group) => group.length > 0);
      if (items.length === 0) continue;
      if (key === 'AND') filters.push({ and: items.flat() });
      else filters.push({ or: items.map((group) => (group.length === 1 ? group[0]! : { and: group })) });
    } else {
      filters.push(...leaf(key, value));
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
