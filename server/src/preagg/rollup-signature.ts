/**
 * A rollup's identity in the store: `cube.rollup@<digest of its definition>`. Editing the
 * rollup, its cube's table or the SQL of a member it stores gives a new key, so a hot-reloaded
 * model never reads a table built from the old definition; the new key is simply "not built yet".
 */
import type { Cube, PreAggregation } from '../model/model-types.ts';
import { stableHash } from '../util/stable-hash.ts';

const keys = new WeakMap<PreAggregation, string>();

export function rollupStoreKey(cube: Cube, rollup: PreAggregation): string {
  let key = keys.get(rollup);
  if (!key) {
    const members = [...rollup.measures, ...rollup.dimensions, ...rollup.segments, ...rollup.timeDimensions.map((td) => td.dimension)];
    const definitions = members.map((path) => {
      const name = path.slice(path.indexOf('.') + 1);
      const own = path.startsWith(`${cube.name}.`);
      const member = own ? (cube.measures[name] ?? cube.dimensions[name] ?? cube.segments[name]) : undefined;
      return member ? { ...member, location: undefined, title: undefined, description: undefined, meta: undefined } : path;
    });
    const digest = stableHash({ rollup: { ...rollup, location: undefined }, table: cube.sqlTable ?? cube.sql, definitions }).slice(0, 10);
    key = `${cube.name}.${rollup.name}@${digest}`;
    keys.set(rollup, key);
  }
  return key;
}
