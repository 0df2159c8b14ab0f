/**
 * fast-check arbitraries of GraphQL request bodies for the no-5xx fuzz suite: documents built from
 * Cube's GraphQL grammar over the served cubes (aliases, where filters with nasty values, orderBy,
 * limits, time dimensions with granularities, cubeCompare, fragments, variables), mixed with
 * introspection, deep nesting, many aliases, mutations and plain garbage.
 */
import fc from 'fast-check';
import { nastyString, relativeRange, dateText, sometimes } from './fuzz-rest-arbitraries.ts';

/** One cube field of the GraphQL schema with its members (from /v1/meta). */
export interface FuzzGraphqlCube {
  readonly field: string;
  readonly measures: readonly string[];
  readonly dimensions: readonly string[];
  readonly timeDimensions: readonly string[];
}

/** The GraphQL view of /v1/meta: field = cube name with a lower-case first letter, members by short name. */
export function fuzzGraphqlCubes(meta: { cubes: { name: string; measures: { name: string }[]; dimensions: { name: string; type: string }[] }[] }): FuzzGraphqlCube[] {
  const short = (name: string) => name.slice(name.indexOf('.') + 1);
  const isName = (name: string) => /^[_A-Za-z][_0-9A-Za-z]*$/.test(name);
  return meta.cubes.map((c) => ({
    field: c.name.charAt(0).toLowerCase() + c.name.slice(1),
    measures: c.measures.map((m) => short(m.name)).filter(isName),
    dimensions: c.dimensions.filter((d) => d.type !== 'time').map((d) => short(d.name)).filter(isName),
    timeDimensions: c.dimensions.filter((d) => d.type === 'time').map((d) => short(d.name)).filter(isName),
  }));
}

/** A GraphQL string literal (JSON's escaping is valid GraphQL string escaping). */
const literal = (value: string) => JSON.stringify(value);
const GRANULARITY_FIELDS = ['value', 'second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year', 'nope'];
const STRING_OPS = ['equals', 'notEquals', 'in', 'notIn', 'contains', 'notContains', 'startsWith', 'notStartsWith', 'endsWith', 'notEndsWith', 'set', 'gt'];
const DATE_OPS = ['inDateRange', 'notInDateRange', 'beforeDate', 'afterDate', 'beforeOrOnDate', 'afterOrOnDate', 'equals', 'set'];

function pick(list: readonly string[], fallback: string): fc.Arbitrary<string> {
  return list.length > 0 ? fc.oneof({ weight: 40, arbitrary: fc.constantFrom(...list) }, { weight: 1, arbitrary: fc.constantFrom(fallback, '__typename', 'nope') }) : fc.constant(fallback);
}

const graphqlValue: fc.Arbitrary<string> = fc.oneof(
  nastyString.map(literal),
  fc.array(nastyString, { maxLength: 3 }).map((vs) => `[${vs.map(literal).join(', ')}]`),
  fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })).map(String),
  fc.constantFrom('true', 'false', 'null', '$v', '[]', '{}', '1e999', '-0'),
);

function whereArg(cube: FuzzGraphqlCube): fc.Arbitrary<string> {
  const stringFilter = fc.tuple(pick(cube.dimensions, 'x'), fc.constantFrom(...STRING_OPS), graphqlValue).map(([m, op, v]) => `${m}: { ${op}: ${v} }`);
  const dateValue = fc.oneof(relativeRange.map(literal), fc.tuple(dateText, dateText).map(([a, b]) => `[${literal(a)}, ${literal(b)}]`), dateText.map(literal), graphqlValue);
  const dateFilter = fc.tuple(pick(cube.timeDimensions, 'x'), fc.constantFrom(...DATE_OPS), dateValue).map(([m, op, v]) => `${m}: { ${op}: ${v} }`);
  const numberFilter = fc.tuple(pick(cube.measures, 'x'), fc.constantFrom('equals', 'gt', 'lte', 'in', 'set'), graphqlValue).map(([m, op, v]) => `${m}: { ${op}: ${v} }`);
  const leaf = fc.oneof(stringFilter, dateFilter, numberFilter);
  return fc.oneof(
    fc.array(leaf, { minLength: 1, maxLength: 2 }).map((items) => `{ ${items.join(', ')} }`),
    fc.tuple(fc.constantFrom('AND', 'OR'), fc.array(leaf, { maxLength: 3 })).map(([op, items]) => `{ ${op}: [${items.map((i) => `{ ${i} }`).join(', ')}] }`),
  );
}

function cubeSelection(cube: FuzzGraphqlCube): fc.Arbitrary<string> {
  const member = fc.oneof(
    pick(cube.measures, 'count'),
    pick(cube.dimensions, 'id'),
    fc.tuple(pick(cube.timeDimensions, 'createdAt'), fc.subarray(GRANULARITY_FIELDS, { minLength: 1, maxLength: 3 })).map(([m, gs]) => `${m} { ${gs.join(' ')} }`),
  );
  const aliased = fc.tuple(sometimes(fc.constantFrom('a', 'b', 'x1'), 4), member).map(([alias, m]) => (alias ? `${alias}: ${m}` : m));
  const args = fc.option(whereArg(cube).map((w) => `(where: ${w})`), { freq: 2 });
  return fc.tuple(args, fc.array(aliased, { minLength: 1, maxLength: 4 })).map(([a, members]) => `${cube.field}${a ?? ''} { ${members.join(' ')} }`);
}

function rootArgs(cubes: readonly FuzzGraphqlCube[]): fc.Arbitrary<string> {
  const arg = fc.oneof(
    fc.oneof(fc.integer({ min: -5, max: 60_000 }), fc.constantFrom(2 ** 31, -(2 ** 31), 10 ** 12)).map((n) => `limit: ${n}`),
    fc.integer({ min: -5, max: 100 }).map((n) => `offset: ${n}`),
    fc.oneof(fc.constantFrom('UTC', 'America/Sao_Paulo', 'Etc/GMT+12'), nastyString).map((tz) => `timezone: ${literal(tz)}`),
    fc.boolean().map((b) => `renewQuery: ${b}`),
    fc.boolean().map((b) => `ungrouped: ${b}`),
    fc.constantFrom('stale-if-slow', 'no-cache', 'must-revalidate', 'bogus').map((c) => `cache: ${literal(c)}`),
    fc.tuple(fc.constantFrom(...cubes), fc.constantFrom('asc', 'desc', 'sideways')).chain(([c, dir]) => pick([...c.dimensions, ...c.measures], 'x').map((m) => `orderBy: { ${c.field}: { ${m}: ${dir} } }`)),
  );
  return fc.option(fc.array(arg, { minLength: 1, maxLength: 3 }).map((as) => `(${as.join(', ')})`), { freq: 2 }).map((a) => a ?? '');
}

/** A `cube { … }` or `cubeCompare { … }` root field, sometimes aliased. */
function rootField(cubes: readonly FuzzGraphqlCube[]): fc.Arbitrary<string> {
  const selection = fc.uniqueArray(fc.constantFrom(...cubes), { minLength: 1, maxLength: 2, selector: (c) => c.field }).chain((cs) => fc.tuple(...cs.map(cubeSelection)));
  const compare = fc.tuple(fc.constantFrom(...cubes), fc.array(fc.tuple(dateText, dateText), { maxLength: 3 })).chain(([c, ranges]) =>
    pick(c.timeDimensions, 'x').map((td) => `cubeCompare(dimension: ${literal(`${c.field}.${td}`)}, dateRanges: [${ranges.map(([a, b]) => `[${literal(a)}, ${literal(b)}]`).join(', ')}])`),
  );
  // cubeCompare answers one { dateRange data { … } } per range.
  const head = fc.oneof({ weight: 4, arbitrary: rootArgs(cubes).map((a) => ({ field: `cube${a}`, compare: false })) }, { weight: 1, arbitrary: compare.map((field) => ({ field, compare: true })) });
  return fc.tuple(sometimes(fc.constantFrom('q1', 'q2', 'q3'), 3), head, selection).map(([alias, { field, compare: isCompare }, fields]) => {
    const body = isCompare ? `dateRange data { ${fields.join(' ')} }` : fields.join(' ');
    return `${alias ? `${alias}: ` : ''}${field} { ${body} }`;
  });
}

/** One to `max` root fields; with several, most get distinct aliases (unaliased ones with different arguments conflict). */
function rootFields(cubes: readonly FuzzGraphqlCube[], max: number): fc.Arbitrary<string[]> {
  return fc.tuple(fc.array(rootField(cubes), { minLength: 1, maxLength: max }), fc.nat({ max: 9 })).map(([fields, dice]) =>
    fields.length === 1 || dice === 0 ? fields : fields.map((f, i) => (/^q\d: /.test(f) ? f.replace(/^q\d: /, `r${i}: `) : `r${i}: ${f}`)),
  );
}

/** GraphQL documents: the grammar above, plus the odd ones a server meets. */
export function graphqlDocument(cubes: readonly FuzzGraphqlCube[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: rootFields(cubes, 3).map((fields) => `{ ${fields.join(' ')} }`) },
    { weight: 1, arbitrary: rootFields(cubes, 2).map((fields) => `query Q { ...F } fragment F on Query { ${fields.join(' ')} }`) },
    { weight: 1, arbitrary: fc.constantFrom('{ __schema { types { name fields { name } } } }', '{ __typename }', 'mutation { x }', 'subscription { cube { x } }', '{ cube }', '{', '', 'query A { __typename } query A { __typename }', '{ ...F } fragment F on Query { ...F }') },
    { weight: 1, arbitrary: fc.nat({ max: 40 }).map((n) => `{ __schema { types { ${'ofType { '.repeat(n)}name${' }'.repeat(n)} } } }`) },
    { weight: 1, arbitrary: fc.nat({ max: 300 }).map((n) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ')} }`) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  );
}

/** A GraphQL POST body: `{query, variables, operationName}` with wrong types and garbage mixed in. */
export function graphqlBody(cubes: readonly FuzzGraphqlCube[]): fc.Arbitrary<unknown> {
  const variables = fc.oneof(
    { weight: 8, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.dictionary(fc.constantFrom('v', 'x', '__proto__'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 }) },
    { weight: 1, arbitrary: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.string({ maxLength: 10 })) },
  );
  const operationName = fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('Q', 'A', 'nope') }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) });
  return fc.oneof(
    { weight: 8, arbitrary: fc.record({ query: graphqlDocument(cubes), variables, operationName }, { requiredKeys: ['query'] }) },
    { weight: 1, arbitrary: fc.array(fc.record({ query: graphqlDocument(cubes) }), { maxLength: 2 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  );
}
