/**
 * fast-check arbitraries of Cube REST queries for the no-5xx fuzz suite: mostly real member names
 * (from /meta) so queries reach the planner and the database, mixed with prototype names, garbage,
 * LIKE wildcards, NUL characters, dates at and past the calendar's edges, huge relative ranges,
 * deep filter trees, wrong types in every field, and blending arrays.
 */
import fc from 'fast-check';

/** The public members of one cube or view, qualified (`cube.member`). */
export interface FuzzCube {
  readonly name: string;
  readonly measures: readonly string[];
  readonly dimensions: readonly string[];
  readonly timeDimensions: readonly string[];
  readonly segments: readonly string[];
}

/** Member names of the served model, read from /v1/meta: per cube, and all together. */
export interface FuzzModel extends Omit<FuzzCube, 'name'> {
  readonly cubes: readonly string[];
  readonly perCube: readonly FuzzCube[];
}

interface MetaMember {
  readonly name: string;
  readonly type?: string;
  readonly isVisible?: boolean;
}

/** Reads the visible members out of a /v1/meta answer (hidden ones are listed with isVisible: false). */
export function fuzzModelFromMeta(meta: { cubes: { name: string; measures: MetaMember[]; dimensions: MetaMember[]; segments: MetaMember[] }[] }): FuzzModel {
  const visible = (members: readonly MetaMember[]) => members.filter((m) => m.isVisible !== false);
  const perCube: FuzzCube[] = meta.cubes.map((c) => ({
    name: c.name,
    measures: visible(c.measures).map((m) => m.name),
    dimensions: visible(c.dimensions).map((d) => d.name),
    timeDimensions: visible(c.dimensions).filter((d) => d.type === 'time').map((d) => d.name),
    segments: visible(c.segments).map((s) => s.name),
  }));
  return {
    cubes: perCube.map((c) => c.name),
    perCube,
    measures: perCube.flatMap((c) => c.measures),
    dimensions: perCube.flatMap((c) => c.dimensions),
    timeDimensions: perCube.flatMap((c) => c.timeDimensions),
    segments: perCube.flatMap((c) => c.segments),
  };
}

const PROTOTYPE_NAMES = ['__proto__.x', 'constructor.name', 'toString.valueOf', '__proto__', 'constructor', 'hasOwnProperty.call', '__proto__.__proto__'];
const ODD_NAMES = ['', '.', '..', 'a.b.c', 'a.b.c.d', ' ', 'x.', '.x', 'Ünïcødé.名前', 'a\u0000.b'];
export const OPERATORS = [
  'equals', 'notEquals', 'contains', 'notContains', 'startsWith', 'notStartsWith', 'endsWith', 'notEndsWith', 'gt', 'gte', 'lt', 'lte',
  'set', 'notSet', 'inDateRange', 'notInDateRange', 'beforeDate', 'beforeOrOnDate', 'afterDate', 'afterOrOnDate', 'measureFilter',
];
const GRANULARITIES = ['second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'];
const TIME_ZONES = ['UTC', 'America/Sao_Paulo', 'Asia/Kathmandu', 'Pacific/Kiritimati', 'Etc/GMT+12', 'America/St_Johns', 'Europe/Lisbon'];

/** Strings that have broken SQL APIs before: wildcards, quotes, NUL, non-ASCII, long ones. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: fc.constantFrom('%', '_', '!', '\\', "'", '"', 'a', 'ã', '\u0000', ' ', '\n'), maxLength: 8 }),
  fc.constantFrom('%', '_', '!', "'; DROP TABLE x; --", 'Não identificado', 'Caneca 100% algodão', 'Mochila_Urbana', 'a\u0000', '\u0000', '\ud800', '😀'),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.nat({ max: 3000 }).map((n) => 'x'.repeat(n)),
);

/** `arbitrary` once in `oneIn` draws, null otherwise (fc.option's `freq` is the odds of null). */
export function sometimes<T>(arbitrary: fc.Arbitrary<T>, oneIn: number): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary });
}

/** `clean` alone for well-formed queries; mostly `clean`, sometimes `garbage`, for hostile ones. */
function mix<T>(hostile: boolean, clean: fc.Arbitrary<T>, garbage: fc.Arbitrary<T>, cleanWeight = 5): fc.Arbitrary<T> {
  return hostile ? fc.oneof({ weight: cleanWeight, arbitrary: clean }, { weight: 1, arbitrary: garbage }) : clean;
}

function memberName(names: readonly string[], model: FuzzModel, hostile: boolean): fc.Arbitrary<string> {
  const real = names.length > 0 ? fc.constantFrom(...names) : fc.constant('none.none');
  return mix(
    hostile,
    real,
    fc.oneof(
      fc.constantFrom(...PROTOTYPE_NAMES, ...ODD_NAMES),
      fc.tuple(fc.constantFrom(...model.cubes), fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', 'constructor'))).map(([c, m]) => `${c}.${m}`),
      fc.string({ maxLength: 10 }),
    ),
    3,
  );
}

const bigCount = fc.oneof(fc.nat({ max: 40 }), fc.constantFrom(100, 2000, 10000, 99999, 10 ** 9, 10 ** 15, 10 ** 21));
const unit = fc.constantFrom(...GRANULARITIES);
const unitWord = fc.tuple(unit, fc.boolean()).map(([u, plural]) => (plural ? `${u}s` : u));

/** Cube's relative date ranges, with amounts from 0 to past any calendar. */
export const relativeRange: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('today', 'yesterday', 'tomorrow', 'Today', ' last week ', 'this quarter', 'next year'),
  fc.tuple(fc.constantFrom('last', 'next'), bigCount, unitWord).map(([w, n, u]) => `${w} ${n} ${u}`),
  fc.tuple(fc.constantFrom('this', 'last', 'next'), unit).map(([w, u]) => `${w} ${u}`),
  fc.tuple(bigCount, unitWord, bigCount, unitWord, fc.constantFrom('ago', 'from now')).map(([a, ua, b, ub, dir]) => `from ${a} ${ua} ago to ${b} ${ub} ${dir}`),
  fc.tuple(bigCount, unitWord).map(([n, u]) => `from ${n} ${u} ago to now`),
  fc.tuple(fc.constantFrom('now', 'today', 'yesterday', '2024-01-01', '0001-01-01', '9999-12-31'), fc.constantFrom('now', 'tomorrow', '2024-12-31 10:00', '9999-12-31')).map(([a, b]) => `from ${a} to ${b}`),
);

/** Dates as text: valid, at the calendar's edges, past them, malformed. */
export const dateText: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 10000 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 })).map(([y, m, d]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`),
  fc.constantFrom('2024-01-01', '2024-02-29', '2023-02-29', '2024-06-15T10:30:00', '2024-06-15 25:00', '2024-06-15T23:59:59.999999999', '0001-01-01', '9999-12-31', '0000-01-01', '10000-01-01', '2024-01-01Z', '2024-01-01T00:00:00+03:00'),
  fc.string({ maxLength: 12 }),
);

const dateRange: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: relativeRange },
  { weight: 3, arbitrary: fc.tuple(dateText, dateText) },
  { weight: 1, arbitrary: fc.array(dateText, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);
/** Ranges over the fixture's years (2023-2025), relative or absolute. */
const saneDateRange: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('last 12 months', 'this year', 'last year', 'from 2 years ago to now', 'today'),
  fc.tuple(fc.date({ min: new Date('2023-11-01'), max: new Date('2025-02-01'), noInvalidDate: true }), fc.nat({ max: 400 })).map(([d, days]) => [
    d.toISOString().slice(0, 10),
    new Date(d.getTime() + days * 86_400_000).toISOString().slice(0, 10),
  ]),
);

/** Filter values: strings, dates, numbers, booleans; hostile ones also objects and arrays. */
function filterValue(hostile: boolean): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: nastyString },
    { weight: 2, arbitrary: dateText },
    { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(1e308, -0, 2 ** 63)) },
    { weight: 1, arbitrary: fc.constantFrom(true, false, 'true', '1', 'NaN', 'Infinity', '1e999') },
    { weight: hostile ? 1 : 0, arbitrary: fc.oneof(fc.constant(null), fc.jsonValue({ maxDepth: 2 })) },
  );
}

/**
 * Cube queries over `model`. Hostile ones draw members from the whole model and have fields of
 * the wrong type, unknown names and dates past the calendar now and then; well-formed ones use
 * the public members of one cube or view, valid operators and ranges (their values are still
 * nasty strings), so that most reach the planner and the database.
 */
export function cubeQuery(model: FuzzModel, hostile = true): fc.Arbitrary<Record<string, unknown>> {
  if (hostile) return queryOver(model, model, true);
  return fc.constantFrom(...model.perCube.filter((c) => c.measures.length + c.dimensions.length > 0)).chain((cube) => queryOver(cube, model, false));
}

function queryOver(members: Omit<FuzzCube, 'name'>, model: FuzzModel, hostile: boolean): fc.Arbitrary<Record<string, unknown>> {
  const anyMember = memberName([...members.measures, ...members.dimensions], model, hostile);
  const timeMember = memberName(members.timeDimensions, model, hostile);
  const operator = mix(hostile, fc.constantFrom(...OPERATORS), fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('in', 'like', 'constructor', '__proto__')), 9);
  const leaf = fc.record(
    { member: fc.oneof({ weight: 3, arbitrary: anyMember }, { weight: 1, arbitrary: timeMember }), operator, values: mix(hostile, fc.array(filterValue(hostile), { maxLength: 3 }), fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<unknown[]>) },
    { requiredKeys: hostile ? ['member', 'operator'] : ['member', 'operator', 'values'] },
  );
  const { filter } = fc.letrec<{ filter: unknown }>((tie) => ({
    filter: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 5, arbitrary: leaf },
      { weight: 1, arbitrary: fc.record({ and: fc.array(tie('filter'), { minLength: hostile ? 0 : 1, maxLength: 3 }) }) },
      { weight: 1, arbitrary: fc.record({ or: fc.array(tie('filter'), { minLength: hostile ? 0 : 1, maxLength: 3 }) }) },
      { weight: hostile ? 1 : 0, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
    ),
  }));
  const timeFields = {
    dimension: timeMember,
    granularity: mix(hostile, fc.constantFrom(...GRANULARITIES), fc.oneof(fc.string({ maxLength: 6 }), fc.constant(null), fc.integer()) as fc.Arbitrary<string>),
    dateRange: hostile ? dateRange : saneDateRange,
  };
  // compareDateRange (several results) needs queryType=multi: hostile queries only.
  const timeDimension = hostile
    ? fc.record({ ...timeFields, compareDateRange: fc.array(dateRange, { maxLength: 3 }) }, { requiredKeys: ['dimension'] })
    : fc.record(timeFields, { requiredKeys: ['dimension'] });
  const direction = mix(hostile, fc.constantFrom('asc', 'desc'), fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<string>);
  const order = mix(hostile, fc.oneof(fc.array(fc.tuple(anyMember, direction), { maxLength: 3 }), fc.dictionary(anyMember, direction, { maxKeys: 3 })), fc.jsonValue({ maxDepth: 2 }) as never, 2);
  const count = mix(hostile, fc.nat({ max: 200 }), fc.oneof(fc.integer({ min: -10, max: -1 }), fc.constantFrom(50_001, 10 ** 12, 1.5, '10', '-1', 'ten', null)) as fc.Arbitrary<number>, 4);
  const list = <T>(item: fc.Arbitrary<T>) => mix(hostile, fc.array(item, { maxLength: 3 }), fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<T[]>, 8);
  const record = fc.record(
    {
      measures: list(memberName(members.measures, model, hostile)),
      dimensions: list(memberName(members.dimensions, model, hostile)),
      segments: list(memberName(members.segments, model, hostile)),
      timeDimensions: hostile || members.timeDimensions.length > 0 ? list(timeDimension) : fc.constant([]),
      filters: list(filter),
      order,
      limit: count,
      offset: count,
      total: mix(hostile, fc.boolean(), fc.jsonValue({ maxDepth: 0 }) as fc.Arbitrary<boolean>),
      ungrouped: fc.boolean(),
      timezone: mix(hostile, fc.constantFrom(...TIME_ZONES), fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('../../etc/passwd', "UTC'; --", 'GMT+99')), 4),
      renewQuery: fc.boolean(),
      responseFormat: mix(hostile, fc.constantFrom('default', 'compact'), fc.constant('csv')),
    },
    { requiredKeys: [] },
  );
  if (!hostile) return record.map((query) => withOrderable(query, members.measures));
  // Now and then a key the API does not know, prototype names included.
  return fc.tuple(record, sometimes(fc.tuple(fc.constantFrom('__proto__', 'constructor', 'prototype', 'rowLimit', 'joinHints', 'nope'), fc.jsonValue({ maxDepth: 1 })), 8)).map(
    ([query, extra]) => (extra ? { ...query, ...Object.fromEntries([extra]) } : query),
  );
}

/**
 * A sane query orders by what a query can be ordered by: its own members, or a measure (computed
 * for the order alone); a dimension it does not group by is a 400, which hostile queries still try.
 */
function withOrderable<Q extends { order?: unknown; measures?: unknown; dimensions?: unknown; timeDimensions?: unknown }>(query: Q, measures: readonly string[]): Q {
  const selected = new Set<string>(measures);
  for (const list of [query.measures, query.dimensions]) if (Array.isArray(list)) for (const m of list) selected.add(String(m));
  if (Array.isArray(query.timeDimensions)) for (const t of query.timeDimensions) selected.add(String((t as { dimension?: unknown }).dimension));
  const order = query.order;
  if (Array.isArray(order)) return { ...query, order: order.filter(([key]) => selected.has(String(key))) };
  if (order && typeof order === 'object') return { ...query, order: Object.fromEntries(Object.entries(order).filter(([key]) => selected.has(key))) };
  return query;
}

/** What a REST call carries as `query` (and `queryType`): one query, a blending array, JSON text, or garbage. */
export function restParams(model: FuzzModel): fc.Arbitrary<{ query?: unknown; queryType?: unknown }> {
  const query = fc.oneof({ weight: 3, arbitrary: cubeQuery(model, false) }, { weight: 2, arbitrary: cubeQuery(model, true) });
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ query, queryType: fc.constantFrom('multi', undefined) }) },
    { weight: 2, arbitrary: fc.record({ query: fc.array(query, { minLength: 0, maxLength: 3 }), queryType: fc.constantFrom('multi', undefined, 'regularQuery') }) },
    { weight: 1, arbitrary: query.map((q) => ({ query: JSON.stringify(q) })) },
    { weight: 1, arbitrary: fc.record({ query: fc.jsonValue({ maxDepth: 3 }), queryType: fc.jsonValue({ maxDepth: 1 }) }, { requiredKeys: [] }) },
  );
}
