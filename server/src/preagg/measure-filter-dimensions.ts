/**
 * When a rollup can apply a `measureFilter` (Cube's drill-down operator: the measure's own
 * `filters:` as a row condition) exactly. A rollup keeps stored dimensions, not rows, so it can
 * only when every filter of the measure is a condition over dimensions it stores: member
 * references (`{status}`, `{CUBE.status}`) around text holding nothing but literals, operators
 * and a few keywords. Anything else — a raw column (`{CUBE}.status`, a bare name), a function, the
 * security context, FILTER_PARAMS — needs the source rows, and the source then answers.
 */
import type { Cube, Measure, SqlTemplate } from '../model/model-types.ts';

/** Words a condition over stored dimensions may hold besides member references (case-insensitive). */
const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'is', 'null', 'true', 'false', 'like', 'ilike', 'between']);

/**
 * The dimensions of `cube` that the measure's filters read, when they read nothing else and the
 * measure is one of `cube`'s; undefined otherwise. Time dimensions and `sub_query` dimensions do
 * not count: a rollup stores those in another form (local time, a per-key value) than the row
 * condition reads.
 */
export function measureFilterDimensions(measure: Measure, cube: Cube): string[] | undefined {
  if (measure.cube !== cube.name) return undefined;
  const paths = new Set<string>();
  for (const template of measure.filters) {
    const read = templateDimensions(template, cube);
    if (!read) return undefined;
    read.forEach((path) => paths.add(path));
  }
  return [...paths];
}

function templateDimensions(template: SqlTemplate, cube: Cube): string[] | undefined {
  const paths: string[] = [];
  for (const part of template) {
    if (part.kind === 'text') {
      if (!isPlainCondition(part.text)) return undefined;
    } else if (part.kind === 'member') {
      const dimension = part.path.startsWith(`${cube.name}.`) ? ownDimension(cube, part.path.slice(cube.name.length + 1)) : undefined;
      if (!dimension || dimension.type === 'time' || dimension.subQuery) return undefined;
      paths.push(dimension.path);
    } else {
      return undefined;
    }
  }
  return paths;
}

function ownDimension(cube: Cube, name: string) {
  return Object.hasOwn(cube.dimensions, name) ? cube.dimensions[name] : undefined;
}

/**
 * Text between references with no name in it: string literals ('…', quotes doubled inside),
 * numbers, operators, parentheses, commas and the KEYWORDS. A double-quoted name, a backtick or
 * any other word reads something the rollup does not keep.
 */
function isPlainCondition(text: string): boolean {
  const outsideLiterals = text.replace(/'(?:[^']|'')*'/g, ' ');
  if (/['"`\\;]/.test(outsideLiterals)) return false;
  const words = outsideLiterals.match(/[A-Za-z_][A-Za-z0-9_$]*/g) ?? [];
  return words.every((word) => KEYWORDS.has(word.toLowerCase()));
}
