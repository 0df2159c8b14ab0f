/**
 * The same query written for the three APIs, for "copy as…": REST JSON (the query itself), a
 * GraphQL query in Cube's GraphQL shape (one field per cube under `cube`, `where` per member,
 * time dimensions as `{ month }` subfields), and a SQL API statement (`MEASURE()` over the cube
 * or view, grouped by the dimensions). Only what each API can express is written; a
 * boolean filter group is left out of GraphQL with a comment saying so.
 */
import { isMemberFilter, orderPairs, tidyQuery, type CubeQuery, type Filter, type MemberFilter } from './query-types.ts';

export function toRestJson(query: CubeQuery): string {
  return JSON.stringify(tidyQuery(query), null, 2);
}

const split = (member: string): [string, string] => {
  const dot = member.indexOf('.');
  return [member.slice(0, dot), member.slice(dot + 1)];
};
const gqlField = (cube: string): string => cube.charAt(0).toLowerCase() + cube.slice(1);
const gqlString = (value: string): string => JSON.stringify(value);

/** One member filter as a GraphQL operator entry (`in` for several values, `set: false` for notSet); numbers unquoted for a number member. */
function gqlOperator(filter: MemberFilter, numeric: boolean): string {
  const values = filter.values ?? [];
  const value = (v: string): string => (numeric && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(v) ? v : gqlString(v));
  const list = `[${values.map(value).join(', ')}]`;
  switch (filter.operator) {
    case 'set':
      return 'set: true';
    case 'notSet':
      return 'set: false';
    case 'equals':
      return values.length === 1 ? `equals: ${value(values[0]!)}` : `in: ${list}`;
    case 'notEquals':
      return values.length === 1 ? `notEquals: ${value(values[0]!)}` : `notIn: ${list}`;
    case 'inDateRange':
    case 'notInDateRange':
      return `${filter.operator}: ${list}`;
    default:
      return `${filter.operator}: ${values.length === 1 ? value(values[0]!) : list}`;
  }
}

/** `memberType` (from /meta) tells number members apart: GraphQL's FloatFilter takes numbers, not strings. */
export function toGraphql(query: CubeQuery, memberType: (member: string) => string | undefined = () => undefined): string {
  const cubes = new Map<string, { fields: string[]; where: string[]; orderBy: string[]; segments: string[] }>();
  const cubeOf = (member: string) => {
    const [cube] = split(member);
    let entry = cubes.get(cube);
    if (!entry) cubes.set(cube, (entry = { fields: [], where: [], orderBy: [], segments: [] }));
    return entry;
  };
  for (const m of query.measures ?? []) cubeOf(m).fields.push(split(m)[1]);
  for (const d of query.dimensions ?? []) cubeOf(d).fields.push(split(d)[1]);
  for (const td of query.timeDimensions ?? []) {
    const [, name] = split(td.dimension);
    const entry = cubeOf(td.dimension);
    if (td.granularity) entry.fields.push(`${name} { ${td.granularity} }`);
    if (td.dateRange) {
      const range = typeof td.dateRange === 'string' ? [td.dateRange] : td.dateRange;
      entry.where.push(`${name}: { inDateRange: [${range.map(gqlString).join(', ')}] }`);
    }
  }
  for (const s of query.segments ?? []) cubeOf(s).segments.push(split(s)[1]);
  const skipped: Filter[] = [];
  for (const f of query.filters ?? []) {
    if (!isMemberFilter(f)) {
      skipped.push(f);
      continue;
    }
    const [, name] = split(f.member);
    cubeOf(f.member).where.push(`${name}: { ${gqlOperator(f, memberType(f.member) === 'number')} }`);
  }
  for (const [member, direction] of orderPairs(query)) cubeOf(member).orderBy.push(`${split(member)[1]}: ${direction}`);

  const rootArgs = [
    query.limit !== undefined ? `limit: ${query.limit}` : '',
    query.offset ? `offset: ${query.offset}` : '',
    query.timezone ? `timezone: ${gqlString(query.timezone)}` : '',
  ].filter(Boolean);
  const lines = skipped.length ? [`# ${skipped.length} and/or filter group(s) are not written here: use the GraphQL AND/OR inputs`] : [];
  lines.push('query {', `  cube${rootArgs.length ? `(${rootArgs.join(', ')})` : ''} {`);
  for (const [cube, entry] of cubes) {
    const args = [
      entry.where.length ? `where: { ${entry.where.join(', ')} }` : '',
      entry.orderBy.length ? `orderBy: { ${entry.orderBy.join(', ')} }` : '',
      entry.segments.length ? `segments: [${entry.segments.map(gqlString).join(', ')}]` : '',
    ].filter(Boolean);
    lines.push(`    ${gqlField(cube)}${args.length ? `(${args.join(', ')})` : ''} {`);
    for (const field of entry.fields) lines.push(`      ${field}`);
    lines.push('    }');
  }
  lines.push('  }', '}');
  return lines.join('\n');
}

const ident = (name: string): string => (/^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`);
const literal = (value: string): string => `'${value.replace(/'/g, "''")}'`;
/** A number as written, anything else (a date) as a string literal. */
const scalar = (value: string | undefined): string => (value !== undefined && /^-?\d+(\.\d+)?$/.test(value) ? value : literal(value ?? ''));

/** A date range as Cube reads it: a date-only end includes that whole day. */
function inRange(column: string, from: string, to: string): string {
  const end = /^\d{4}-\d{2}-\d{2}$/.test(to) ? `${to}T23:59:59.999` : to;
  return `(${column} >= ${literal(from)} AND ${column} <= ${literal(end)})`;
}

const orNull = (column: string, predicate: string): string => `(${predicate} OR ${column} IS NULL)`;

/** A member filter as a SQL predicate over the cube's columns (time values compared as timestamps). */
function sqlPredicate(filter: Filter): string {
  if (!isMemberFilter(filter)) {
    const [op, items] = 'and' in filter ? ['AND', filter.and] : ['OR', filter.or];
    return `(${items.map(sqlPredicate).join(` ${op} `)})`;
  }
  const column = ident(split(filter.member)[1]);
  const values = filter.values ?? [];
  const any = (template: (v: string) => string, joiner: string): string => `(${values.map(template).join(joiner)})`;
  switch (filter.operator) {
    case 'equals':
      return values.length === 1 ? `${column} = ${literal(values[0]!)}` : `${column} IN (${values.map(literal).join(', ')})`;
    // Cube's negative operators keep rows where the member is NULL.
    case 'notEquals':
      return orNull(column, values.length === 1 ? `${column} <> ${literal(values[0]!)}` : `${column} NOT IN (${values.map(literal).join(', ')})`);
    case 'contains':
      return any((v) => `${column} ILIKE ${literal(`%${v}%`)}`, ' OR ');
    case 'notContains':
      return orNull(column, any((v) => `${column} NOT ILIKE ${literal(`%${v}%`)}`, ' AND '));
    case 'startsWith':
      return any((v) => `${column} ILIKE ${literal(`${v}%`)}`, ' OR ');
    case 'endsWith':
      return any((v) => `${column} ILIKE ${literal(`%${v}`)}`, ' OR ');
    case 'gt':
      return `${column} > ${scalar(values[0])}`;
    case 'gte':
      return `${column} >= ${scalar(values[0])}`;
    case 'lt':
      return `${column} < ${scalar(values[0])}`;
    case 'lte':
      return `${column} <= ${scalar(values[0])}`;
    case 'set':
      return `${column} IS NOT NULL`;
    case 'notSet':
      return `${column} IS NULL`;
    case 'inDateRange':
      return inRange(column, values[0] ?? '', values[1] ?? '');
    case 'notInDateRange':
      return orNull(column, `NOT ${inRange(column, values[0] ?? '', values[1] ?? '')}`);
    case 'beforeDate':
      return `${column} < ${literal(values[0] ?? '')}`;
    case 'afterDate':
      return `${column} > ${literal(values[0] ?? '')}`;
    default:
      return `/* ${filter.operator} */ TRUE`;
  }
}

/**
 * A SQL API statement. It assumes every member comes from one cube or view (the SQL API's
 * FROM); members of other cubes are written qualified, as a reminder that a view is needed.
 */
export function toSqlApi(query: CubeQuery): string {
  const members = [...(query.measures ?? []), ...(query.dimensions ?? []), ...(query.timeDimensions ?? []).map((t) => t.dimension)];
  const from = members.length ? split(members[0]!)[0] : 'cube';
  const column = (member: string): string => {
    const [cube, name] = split(member);
    return cube === from ? ident(name) : `${ident(cube)}.${ident(name)}`;
  };
  const groups: string[] = [];
  for (const td of query.timeDimensions ?? []) if (td.granularity) groups.push(`DATE_TRUNC('${td.granularity}', ${column(td.dimension)})`);
  for (const d of query.dimensions ?? []) groups.push(column(d));
  const select = [...groups, ...(query.measures ?? []).map((m) => `MEASURE(${column(m)})`)];
  const where: string[] = [];
  for (const td of query.timeDimensions ?? []) {
    if (Array.isArray(td.dateRange)) where.push(inRange(column(td.dimension), td.dateRange[0]!, td.dateRange[1]!));
  }
  for (const f of query.filters ?? []) where.push(sqlPredicate(f));
  for (const s of query.segments ?? []) where.push(`${column(s)} IS TRUE`);
  const order = orderPairs(query).map(([member, direction]) => {
    const td = query.timeDimensions?.find((t) => t.dimension === member && t.granularity);
    const isMeasure = query.measures?.includes(member);
    const expr = td ? `DATE_TRUNC('${td.granularity}', ${column(member)})` : isMeasure ? `MEASURE(${column(member)})` : column(member);
    return `${expr} ${direction.toUpperCase()}`;
  });
  const lines = [`SELECT ${select.join(',\n       ') || '*'}`, `FROM ${ident(from)}`];
  if (where.length) lines.push(`WHERE ${where.join('\n  AND ')}`);
  if (groups.length) lines.push(`GROUP BY ${groups.map((_, i) => i + 1).join(', ')}`);
  if (order.length) lines.push(`ORDER BY ${order.join(', ')}`);
  if (query.limit !== undefined) lines.push(`LIMIT ${query.limit}`);
  return `${lines.join('\n')};`;
}
