/**
 * A zod issue of the query schema → the `UserError` a client reads: the path of the offending
 * value in the query (`filters[2].values[0]`, `order["a.b"]`) followed by what is wrong with it
 * (`expected string, received number`). `describeQueryIssue` is the house style of the messages,
 * passed to zod as the parse's error map; messages the schema itself sets win over it.
 */
import type { z } from 'zod';
import { UserError } from '../errors/user-error.ts';
import { FILTER_OPERATORS, type RuleParams } from './query-schema.ts';

type Issue = z.core.$ZodIssue;

const TYPE_NAMES: Readonly<Record<string, string>> = { int: 'integer', record: 'object', tuple: 'array' };

/** zod's error map for the query schema: one short clause per issue, without the path. */
export function describeQueryIssue(issue: z.core.$ZodRawIssue): string | undefined {
  const absent = issue.input === undefined;
  switch (issue.code) {
    case 'invalid_type':
      return absent ? 'is required' : `expected ${typeName(issue.expected)}, received ${kindOf(issue.input)}`;
    case 'invalid_value':
      return absent ? 'is required' : `expected ${oneOf(issue.values.map((v) => JSON.stringify(v)))}, received ${JSON.stringify(issue.input)}`;
    case 'unrecognized_keys':
      return `${issue.keys.map((k) => JSON.stringify(k)).join(', ')} ${issue.keys.length > 1 ? 'are' : 'is'} not allowed`;
    case 'too_small':
      if (issue.origin === 'string') return 'must not be empty';
      return issue.origin === 'array' ? `must have at least ${issue.minimum} ${Number(issue.minimum) === 1 ? 'item' : 'items'}` : `must be at least ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'array' ? `must have at most ${issue.maximum} items` : `must be at most ${issue.maximum}`;
    default:
      return undefined;
  }
}

/**
 * The error for the first issue of a failed parse. `prefix` names the query in a request that
 * holds several (`query[1]` of a blending query). Codes: INVALID_OPERATOR for an unknown filter
 * operator, the code a refinement names in its params, QUERY_INVALID otherwise.
 */
export function queryIssueError(issue: Issue, prefix = ''): UserError {
  const { leaf, path } = pickLeaf(issue, issue.path);
  const where = formatPath(prefix, path);
  if (leaf.code === 'custom') {
    const params = (leaf.params ?? {}) as RuleParams;
    const message = where === '' ? leaf.message : `Invalid query format: ${where}: ${leaf.message}`;
    return new UserError(params.code ?? 'QUERY_INVALID', message, { hint: params.hint });
  }
  if (leaf.code === 'invalid_value' && path.at(-1) === 'operator' && leaf.input !== undefined) {
    return new UserError('INVALID_OPERATOR', `Invalid query format: ${where}: ${JSON.stringify(leaf.input)} is not a filter operator`, {
      hint: `use one of: ${FILTER_OPERATORS.join(', ')}`,
    });
  }
  return new UserError('QUERY_INVALID', where === '' ? `Invalid query format: ${leaf.message}` : `Invalid query format: ${where}: ${leaf.message}`);
}

/**
 * Follows union failures down to the one issue worth reporting. Of a union's branches, those
 * whose type did not even match (`invalid_type` at the union itself) are skipped; of the rest, the
 * one with the fewest issues, then the deepest first issue, wins: `{"and": [{…bad…}]}` reports the
 * bad filter inside the group, not that a member filter has no `and` key. When no branch matches
 * the type, the message lists the types the branches take.
 */
function pickLeaf(issue: Issue, path: readonly PropertyKey[]): { leaf: Issue; path: readonly PropertyKey[] } {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return { leaf: issue, path };
  const branches = issue.errors.filter((errors) => errors.length > 0);
  const matching = branches.filter((errors) => !errors.every((e) => e.code === 'invalid_type' && e.path.length === 0));
  if (matching.length === 0) {
    const expected = branches.flatMap((errors) => (errors[0]?.code === 'invalid_type' ? [typeName(errors[0].expected)] : []));
    const message = `expected ${oneOf([...new Set(expected)])}, received ${kindOf(issue.input)}`;
    return { leaf: { ...issue, code: 'invalid_type', expected: 'union', message } as Issue, path };
  }
  const best = matching.reduce((a, b) => (rank(b) < rank(a) ? b : a));
  const first = best[0]!;
  return pickLeaf(first, [...path, ...first.path]);
}

/** Lower is better: fewer issues first, then a deeper first issue. */
function rank(errors: readonly Issue[]): number {
  return errors.length * 1000 - (errors[0]?.path.length ?? 0);
}

/** `filters[2].values[0]`; keys that are not plain words are quoted: `order["a.b"]`. */
export function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(String(key))) out += out === '' ? String(key) : `.${String(key)}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

function typeName(expected: string): string {
  return TYPE_NAMES[expected] ?? expected;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value;
}

function oneOf(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? 'nothing') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}
