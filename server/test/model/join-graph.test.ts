import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors/user-error.ts';
import { connectedComponents, findJoinTree } from '../../src/model/join-graph.ts';
import { compileYaml } from './model-test-helpers.ts';

/** Builds a model from `name: [target:relationship, ...]` adjacency (every cube gets a primary key and a count). */
function graphModel(spec: Record<string, string[]>) {
  const cubes = Object.entries(spec).map(([name, joins]) => {
    const joinYaml = joins.map((j) => {
      const [target, relationship] = j.split(':');
      return `      - { name: ${target}, relationship: ${relationship}, sql: "{CUBE}.${target}_id = {${target}}.id" }`;
    });
    return `  - name: ${name}
    sql_table: ${name}
${joinYaml.length ? `    joins:\n${joinYaml.join('\n')}\n` : ''}    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
    measures:
      - { name: count, type: count }`;
  });
  return compileYaml(`cubes:\n${cubes.join('\n')}\n`);
}

const edges = (tree: ReturnType<typeof findJoinTree>) => tree.joins.map((j) => `${j.from}->${j.to}`);

describe('findJoinTree', () => {
  const star = graphModel({ orders: ['users:many_to_one', 'products:many_to_one'], users: [], products: [] });

  it('roots a star at the fact because joins are walked in their declared direction', () => {
    const tree = findJoinTree(star, ['users', 'orders', 'products']);
    expect(tree.root).toBe('orders');
    expect(edges(tree)).toEqual(['orders->users', 'orders->products']);
  });

  it('does not multiply the fact when joining many-to-one dimensions, but marks the dimensions', () => {
    const tree = findJoinTree(star, ['orders', 'users']);
    expect(tree.multipliedCubes.has('orders')).toBe(false);
    expect(tree.multipliedCubes.has('users')).toBe(true);
  });

  it('returns a single cube without joins', () => {
    const tree = findJoinTree(star, ['users']);
    expect(tree).toMatchObject({ root: 'users', joins: [] });
    expect(tree.multipliedCubes.size).toBe(0);
  });

  it('takes the shortest path', () => {
    const model = graphModel({ a: ['b:many_to_one', 'd:many_to_one'], b: ['c:many_to_one'], c: ['d:many_to_one'], d: [] });
    expect(edges(findJoinTree(model, ['a', 'd']))).toEqual(['a->d']);
    expect(edges(findJoinTree(model, ['a', 'c']))).toEqual(['a->b', 'b->c']);
  });

  it('marks the one side of a one_to_many join as multiplied', () => {
    const model = graphModel({ customers: ['orders:one_to_many'], orders: [] });
    const tree = findJoinTree(model, ['customers', 'orders']);
    expect(tree.root).toBe('customers');
    expect([...tree.multipliedCubes]).toEqual(['customers']);
  });

  it('propagates multiplication through the tree (fan-out further along the path)', () => {
    const model = graphModel({ orders: ['users:many_to_one'], users: ['addresses:one_to_many'], addresses: [] });
    const tree = findJoinTree(model, ['orders', 'addresses']);
    expect(edges(tree)).toEqual(['orders->users', 'users->addresses']);
    // Cube's rule is conservative: addresses reaches users, which orders multiplies, so it is marked too.
    expect([...tree.multipliedCubes].sort()).toEqual(['addresses', 'orders', 'users']);
  });

  it('never multiplies through one_to_one joins', () => {
    const model = graphModel({ users: ['profiles:one_to_one'], profiles: [] });
    expect(findJoinTree(model, ['users', 'profiles']).multipliedCubes.size).toBe(0);
  });

  it('honours a root hint and join-path hints', () => {
    const model = graphModel({ a: ['b:many_to_one', 'c:many_to_one'], b: ['c:many_to_one'], c: [] });
    expect(edges(findJoinTree(model, ['c'], 'a'))).toEqual(['a->c']);
    expect(edges(findJoinTree(model, [['a', 'b', 'c']]))).toEqual(['a->b', 'b->c']);
  });

  it('throws a UserError naming the cubes when no root reaches them all', () => {
    const model = graphModel({ orders: ['users:many_to_one'], returns: ['users:many_to_one'], users: [] });
    expect(() => findJoinTree(model, ['orders', 'returns'])).toThrow(UserError);
    expect(() => findJoinTree(model, ['orders', 'returns'])).toThrow("Can't find join path to join 'orders', 'returns'");
    expect(() => findJoinTree(model, ['nope'])).toThrow("Cube 'nope' not found");
  });

  it('returns the same frozen tree for the same request', () => {
    const a = findJoinTree(star, ['orders', 'users']);
    expect(findJoinTree(star, ['orders', 'users'])).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });
});

describe('connectedComponents', () => {
  it('numbers cubes linked by joins like Cube does', () => {
    const model = graphModel({ orders: ['users:many_to_one'], users: [], events: ['sessions:many_to_one'], sessions: [], lonely: [] });
    const components = connectedComponents(model);
    expect(components.orders).toBe(components.users);
    expect(components.events).toBe(components.sessions);
    expect(components.orders).not.toBe(components.events);
    expect(components.lonely).toBeUndefined();
  });
});
