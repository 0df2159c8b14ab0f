/**
 * Reading the GraphQL document the way the query translation needs it: which fields are selected
 * (fragments expanded, `@include`/`@skip` applied) and argument objects in the order the client
 * wrote them — graphql-js coerces input objects into schema field order, but `orderBy` keys are
 * a sort order, so their written order matters.
 */
import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode, type ValueNode } from 'graphql';

export const GRANULARITY_FIELDS: readonly string[] = ['second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'];

/** A member field selected inside a cube field, with the sub-fields of a time dimension. */
export interface SelectedMember {
  readonly name: string;
  /** `value` and granularity names selected under a time dimension; empty for other members. */
  readonly subfields: readonly string[];
}

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

/** Member fields under a cube field. */
export function selectedMembers(cubeField: FieldNode, info: GraphQLResolveInfo): SelectedMember[] {
  return selectedFields(cubeField.selectionSet, info).map((field) => ({
    name: field.name.value,
    subfields: selectedFields(field.selectionSet, info).map((sub) => sub.name.value),
  }));
}

/** An argument of a field as written (object keys in written order; variables as sent). */
export function writtenArgument(field: FieldNode, name: string, rawVariables: Readonly<Record<string, unknown>>): unknown {
  const argument = field.arguments?.find((a) => a.name.value === name);
  return argument ? writtenValue(argument.value, rawVariables) : undefined;
}

function writtenValue(node: ValueNode, rawVariables: Readonly<Record<string, unknown>>): unknown {
  switch (node.kind) {
    case Kind.VARIABLE:
      return rawVariables[node.name.value];
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, writtenValue(f.value, rawVariables)]));
    case Kind.LIST:
      return node.values.map((v) => writtenValue(v, rawVariables));
    case Kind.NULL:
      return null;
    default:
      return node.value;
  }
}

type Directive = { readonly name: { readonly value: string }; readonly arguments?: readonly { readonly name: { readonly value: string }; readonly value: ValueNode }[] };

function isIncluded(directives: readonly Directive[], variables: Readonly<Record<string, unknown>>): boolean {
  for (const directive of directives) {
    const arg = directive.arguments?.find((a) => a.name.value === 'if');
    if (!arg) continue;
    const value = arg.value.kind === Kind.VARIABLE ? Boolean(variables[arg.value.name.value]) : arg.value.kind === Kind.BOOLEAN && arg.value.value;
    if (directive.name.value === 'include' && !value) return false;
    if (directive.name.value === 'skip' && value) return false;
  }
  return true;
}
