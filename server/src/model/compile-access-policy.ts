/**
 * Cube's `access_policy` on cubes and views:
 *   - role | group | groups, conditions: [{ if: "{ securityContext.x }" }],
 *     member_level: { includes: '*' | [names], excludes: [names] },
 *     row_level: { filters: [{ member, operator, values } | { or|and: [...] }], allow_all }
 * Member names are resolved to full paths (`Cube.member`); filter values stay as written (they
 * may reference `{ securityContext.x }`, which the security layer binds at query time).
 * Reference: https://cube.dev/docs/reference/data-model/data-access-policies
 */
import type { CompileContext } from './compile-context.ts';
import type { AccessPolicy } from './model-types.ts';
import type { NodeReader } from './node-reader.ts';
import { toPlain, type YNode } from './yaml-tree.ts';

/** `hasMember(name)` tells whether a short member name exists in the cube or view. */
export function compileAccessPolicies(
  reader: NodeReader,
  owner: string,
  ctx: CompileContext,
  hasMember: (name: string) => boolean = (name) => ctx.memberKind(owner, name) !== undefined,
): AccessPolicy[] {
  return reader.mapItems('access_policy', 'access_policy', () => `${owner} access_policy`).map((policy) => {
    const role = policy.string('role');
    const groups = policy.has('groups') ? (policy.stringList('groups') ?? []).map((g) => g.value).join(',') : undefined;
    const group = policy.string('group') ?? groups;
    const conditions = policy.mapItems('conditions', 'condition', () => policy.member).flatMap((condition) => {
      const text = condition.string('if', true);
      return text === undefined ? [] : [{ if: ctx.template(text, owner, condition, 'if') }];
    });
    const memberLevel = readMemberLevel(policy, owner, hasMember);
    const rowLevel = readRowLevel(policy, owner, hasMember);
    return {
      ...(role !== undefined ? { role } : {}),
      ...(group !== undefined ? { group } : {}),
      ...(memberLevel ? { memberLevel } : {}),
      ...(rowLevel ? { rowLevel } : {}),
      ...(conditions.length > 0 ? { conditions } : {}),
    };
  });
}

function memberName(name: string, owner: string, hasMember: (name: string) => boolean): string | undefined {
  const short = name.startsWith(`${owner}.`) ? name.slice(owner.length + 1) : name.startsWith('CUBE.') ? name.slice(5) : name;
  return hasMember(short) ? `${owner}.${short}` : undefined;
}

function readMemberLevel(policy: NodeReader, owner: string, hasMember: (name: string) => boolean): AccessPolicy['memberLevel'] {
  const node = policy.child('member_level', 'member_level');
  if (!node) return undefined;
  const names = (key: string): string[] =>
    (node.stringList(key) ?? []).flatMap(({ value, location }) => {
      const path = memberName(value, owner, hasMember);
      if (!path) node.sink.error(`member_level ${key}: unknown member "${value}" of ${owner}`, location, policy.member);
      return path ? [path] : [];
    });
  const includesNode = node.raw('includes');
  const includes = includesNode === undefined || (includesNode.kind === 'scalar' && includesNode.value === '*') ? '*' : names('includes');
  return { includes, excludes: names('excludes') };
}

function readRowLevel(policy: NodeReader, owner: string, hasMember: (name: string) => boolean): AccessPolicy['rowLevel'] {
  const node = policy.child('row_level', 'row_level');
  if (!node) return undefined;
  const allowAll = node.boolean('allow_all');
  const filters = (node.seq('filters')?.items ?? []).map((item) => resolveFilter(item, owner, hasMember, node));
  return { ...(allowAll !== undefined ? { allowAll } : {}), filters };
}

function resolveFilter(item: YNode, owner: string, hasMember: (name: string) => boolean, node: NodeReader): unknown {
  const plain = toPlain(item) as Record<string, unknown>;
  if (item.kind !== 'map') {
    node.sink.error('row_level filters must be mappings', item.location, node.member);
    return plain;
  }
  for (const logical of ['and', 'or'] as const) {
    const inner = item.entries.get(logical)?.value;
    if (inner?.kind === 'seq') return { [logical]: inner.items.map((i) => resolveFilter(i, owner, hasMember, node)) };
  }
  const member = plain.member;
  if (typeof member !== 'string') {
    node.sink.error('row_level filter needs "member"', item.location, node.member);
    return plain;
  }
  const path = memberName(member, owner, hasMember);
  if (!path) node.sink.error(`row_level filter: unknown member "${member}" of ${owner}`, item.location, node.member);
  if (typeof plain.operator !== 'string') node.sink.error('row_level filter needs "operator"', item.location, node.member);
  return { ...plain, member: path ?? member };
}
