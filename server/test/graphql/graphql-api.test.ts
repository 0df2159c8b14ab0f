/**
 * The GraphQL endpoint as clients meet it: introspection (what GraphiQL and Apollo load) checked
 * against REST `/meta`, GraphiQL only in dev mode, and bad requests answered with 400/403 and a
 * message naming the problem — never a 500.
 */
import { SignJWT } from 'jose';
import { buildClientSchema, getIntrospectionQuery, parse, validate, type GraphQLObjectType, type GraphQLInputObjectType, type GraphQLEnumType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GOLD_EXTRA_FILES, startStack, type Stack } from '../support/stack.ts';
import { postGraphql } from '../support/api-requests.ts';

interface MetaCube {
  name: string;
  type: 'cube' | 'view';
  measures: { name: string; type: string; isVisible?: boolean }[];
  dimensions: { name: string; type: string; isVisible?: boolean }[];
  segments: { name: string; isVisible?: boolean }[];
}

const SECRET = 'graphql-test-secret-0123456789abcdef';
let dev: Stack;
let prod: Stack;
let meta: MetaCube[];

beforeAll(async () => {
  dev = await startStack({ data: 'gold', model: { files: GOLD_EXTRA_FILES }, serve: { http: true } });
  prod = await startStack({ data: 'gold', model: { files: GOLD_EXTRA_FILES }, security: { secret: SECRET }, serve: { http: true } });
  // Dev-mode /meta also lists hidden members (isVisible: false); Cube's GraphQL schema leaves them out.
  const visible = <T extends { isVisible?: boolean }>(members: T[]) => members.filter((m) => m.isVisible !== false);
  meta = ((await (await fetch(`${dev.url}/cubejs-api/v1/meta`)).json()) as { cubes: MetaCube[] }).cubes.map((c) => ({
    ...c,
    measures: visible(c.measures),
    dimensions: visible(c.dimensions),
    segments: visible(c.segments),
  }));
});
afterAll(async () => {
  await dev?.close();
  await prod?.close();
});

const short = (name: string) => name.slice(name.indexOf('.') + 1);
/** Cube's GraphQL type names: PascalCase of the cube name. */
const typeName = (cube: string) => cube.split('_').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');
/** Cube's GraphQL output type per /meta type. */
const outputTypeOf = (kind: 'measure' | 'dimension', type: string) =>
  type === 'time' ? (kind === 'dimension' ? 'TimeDimension' : 'DateTime') : type === 'number' ? 'Float' : 'String';
const filterTypeOf = (type: string) => (type === 'time' ? 'DateTimeFilter' : type === 'number' ? 'FloatFilter' : 'StringFilter');

describe('introspection', () => {
  it('returns a schema buildClientSchema accepts, with one Result field per cube and view of /meta', async () => {
    const res = await postGraphql(dev.url, { query: getIntrospectionQuery() });
    expect(res.status).toBe(200);
    const schema = buildClientSchema(res.body.data as never);
    const result = schema.getType('Result') as GraphQLObjectType;
    expect(Object.keys(result.getFields()).sort()).toEqual(meta.map((c) => c.name.charAt(0).toLowerCase() + c.name.slice(1)).sort());
    expect(meta.some((c) => c.type === 'view')).toBe(true);
  });

  it('types every member as /meta does: measures and dimensions as fields, filters by type, OrderBy enums', async () => {
    const schema = buildClientSchema((await postGraphql(dev.url, { query: getIntrospectionQuery() })).body.data as never);
    for (const cube of meta) {
      const members = schema.getType(`${typeName(cube.name)}Members`) as GraphQLObjectType;
      const where = schema.getType(`${typeName(cube.name)}WhereInput`) as GraphQLInputObjectType;
      const orderBy = schema.getType(`${typeName(cube.name)}OrderByInput`) as GraphQLInputObjectType;
      const expected = [
        ...cube.measures.map((m) => [short(m.name), outputTypeOf('measure', m.type), filterTypeOf(m.type)]),
        ...cube.dimensions.map((d) => [short(d.name), outputTypeOf('dimension', d.type), filterTypeOf(d.type)]),
      ];
      expect(Object.entries(members.getFields()).map(([name, f]) => [name, String(f.type)]).sort(), cube.name).toEqual(expected.map(([n, o]) => [n, o]).sort());
      expect(Object.entries(where.getFields()).map(([name, f]) => [name, String(f.type)]).sort()).toEqual(
        [...expected.map(([n, , w]) => [n, w]), ['AND', `[${typeName(cube.name)}WhereInput!]`], ['OR', `[${typeName(cube.name)}WhereInput!]`]].sort(),
      );
      expect(Object.values(orderBy.getFields()).every((f) => String(f.type) === 'OrderBy')).toBe(true);
      const segmentArg = (schema.getType('Result') as GraphQLObjectType).getFields()[cube.name.charAt(0).toLowerCase() + cube.name.slice(1)]!.args.find((a) => a.name === 'segments');
      if (cube.segments.length === 0) expect(segmentArg).toBeUndefined();
      else expect((schema.getType(`${typeName(cube.name)}Segment`) as GraphQLEnumType).getValues().map((v) => v.name).sort()).toEqual(cube.segments.map((s) => short(s.name)).sort());
    }
    expect((schema.getType('OrderBy') as GraphQLEnumType).getValues().map((v) => v.name)).toEqual(['asc', 'desc']);
    expect(Object.keys((schema.getType('TimeDimension') as GraphQLObjectType).getFields())).toEqual(['value', 'second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year']);
    const dateFilter = Object.keys((schema.getType('DateTimeFilter') as GraphQLInputObjectType).getFields());
    for (const op of ['inDateRange', 'notInDateRange', 'beforeDate', 'afterDate', 'set']) expect(dateFilter).toContain(op);
    const rootArgs = schema.getQueryType()!.getFields().cube!.args.map((a) => a.name);
    for (const arg of ['where', 'orderBy', 'limit', 'offset', 'timezone', 'renewQuery', 'ungrouped']) expect(rootArgs).toContain(arg);
  });

  it('lets a client validate queries offline against the introspected schema', async () => {
    const schema = buildClientSchema((await postGraphql(dev.url, { query: getIntrospectionQuery() })).body.data as never);
    expect(validate(schema, parse('{ cube(limit: 2) { fato_vendas(where: { origem: { equals: "pos" } }) { count data_venda { month } } } }'))).toEqual([]);
    expect(validate(schema, parse('{ cube { fato_vendas { nope } } }'))).toHaveLength(1);
  });
});

describe('GraphiQL', () => {
  it('is served to browsers in dev mode', async () => {
    const res = await fetch(`${dev.url}/cubejs-api/graphql`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toMatch(/GraphiQL/);
  });

  it('is not served in production mode', async () => {
    const res = await fetch(`${prod.url}/cubejs-api/graphql`, { headers: { accept: 'text/html' } });
    expect([400, 403]).toContain(res.status);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.text()).not.toMatch(/GraphiQL/);
  });

  it('still answers GET requests with a query parameter', async () => {
    const query = encodeURIComponent('{ cube { fato_vendas { count } } }');
    const res = await fetch(`${dev.url}/cubejs-api/graphql?query=${query}`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { cube: { fato_vendas: { count: number } }[] } };
    const rest = (await (await fetch(`${dev.url}/cubejs-api/v1/load?query=${encodeURIComponent(JSON.stringify({ measures: ['fato_vendas.count'] }))}`)).json()) as { data: Record<string, string>[] };
    expect(body.data.cube[0]!.fato_vendas.count).toBe(Number(rest.data[0]!['fato_vendas.count']));
  });
});

describe('bad requests get a 4xx with a clear message, never a 500', () => {
  const cases: [string, { query: string; variables?: Record<string, unknown>; operationName?: string }, number, RegExp][] = [
    ['an unknown member field', { query: '{ cube { fato_vendas { nope } } }' }, 400, /Cannot query field "nope" on type "FatoVendasMembers"/],
    ['an unknown cube field', { query: '{ cube { no_cube { count } } }' }, 400, /Cannot query field "no_cube" on type "Result"/],
    ['a string for a number filter', { query: '{ cube { fato_vendas(where: { preco_unitario: { equals: "abc" } }) { count } } }' }, 400, /Float/],
    ['an operator the member type does not have', { query: '{ cube { fato_vendas(where: { origem: { gt: 1 } }) { count } } }' }, 400, /"gt".*StringFilter|StringFilter.*"gt"/],
    ['an unknown segment', { query: '{ cube { fato_vendas(segments: [nope]) { count } } }' }, 400, /nope/],
    ['a syntax error', { query: '{ cube { fato_vendas { count }' }, 400, /Syntax Error/],
    ['an empty query', { query: '' }, 400, /"query" string/],
    ['a variable of the wrong type', { query: 'query Q($n: Int) { cube(limit: $n) { fato_vendas { count } } }', variables: { n: 'ten' } }, 400, /\$n.*Int|Int.*ten/],
    ['an unknown operation name', { query: 'query A { cube { fato_vendas { count } } }', operationName: 'B' }, 400, /Unknown operation named "B"/],
    ['a date range with three dates', { query: '{ cube { fato_vendas(where: { data_venda: { inDateRange: ["2024-01-01", "2024-01-02", "2024-01-03"] } }) { count } } }' }, 400, /fato_vendas\.data_venda.*3 values/],
    ['a date that is not a date', { query: '{ cube { fato_vendas(where: { data_venda: { beforeDate: "yesterday-ish" } }) { count } } }' }, 400, /yesterday-ish/],
    ['an unknown timezone', { query: '{ cube(timezone: "Mars/Olympus") { fato_vendas { count } } }' }, 400, /Mars\/Olympus/],
    ['a limit above the maximum', { query: '{ cube(limit: 5000000) { fato_vendas { count origem } } }' }, 400, /limit/i],
    ['no members selected', { query: '{ cube { fato_vendas { __typename } } }' }, 400, /./],
  ];

  it.each(cases)('%s', async (_name, request, status, message) => {
    const res = await postGraphql(dev.url, request);
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body.errors?.map((e) => e.message).join(' | ')).toMatch(message);
    expect(res.body.errors?.every((e) => e.extensions?.code !== 'INTERNAL')).toBe(true);
  });

  it('answers a body that is not JSON with 400 naming JSON', async () => {
    const res = await fetch(`${dev.url}/cubejs-api/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": "{ cube' });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/JSON/);
  });

  it('answers variables that are not JSON with 400', async () => {
    const res = await fetch(`${dev.url}/cubejs-api/graphql?query=${encodeURIComponent('{ cube { fato_vendas { count } } }')}&variables=%7Bnope`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { message: string }[] }).errors[0]!.message).toMatch(/"variables" is not valid JSON/);
  });

  it('reads limit: 0 as no limit given, as Cube does (the default limit applies)', async () => {
    const unlimited = await postGraphql(dev.url, { query: '{ cube { dim_canal { nome } } }' });
    const zero = await postGraphql(dev.url, { query: '{ cube(limit: 0) { dim_canal { nome } } }' });
    expect(zero.status).toBe(200);
    expect((unlimited.body.data as { cube: unknown[] }).cube.length).toBeGreaterThan(0);
    expect(zero.body.data).toEqual(unlimited.body.data);
  });

  it("checks a document again for each caller's schema: one valid for the internal team is refused for a store manager", async () => {
    // dim_cliente.email is hidden from gerente_loja (model/cubes/dim_cliente.yml, LGPD).
    const query = '{ cube(limit: 3) { dim_cliente { email } } }';
    const sign = (claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(SECRET));
    const internal = await sign({ groups: ['internal'] });
    const manager = await sign({ groups: ['gerente_loja'], lojas: ['L001'] });
    for (let round = 0; round < 2; round++) {
      const seen = await postGraphql(prod.url, { query }, { authorization: `Bearer ${internal}` });
      expect(seen.status).toBe(200);
      expect((seen.body.data as { cube: unknown[] }).cube).toHaveLength(3);
      const refused = await postGraphql(prod.url, { query }, { authorization: `Bearer ${manager}` });
      expect(refused.status).toBe(400);
      expect(refused.body.errors?.[0]?.message).toMatch(/email/);
    }
  });

  it('in production, answers a missing, a malformed and a wrongly signed token with 403, and a good one with data', async () => {
    const query = '{ cube { fato_vendas { count } } }';
    const missing = await postGraphql(prod.url, { query });
    expect(missing.status).toBe(403);
    const malformed = await postGraphql(prod.url, { query }, { authorization: 'not-a-jwt' });
    expect(malformed.status).toBe(403);
    const wrongKey = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('another-secret-0123456789abcdefgh'));
    const wrong = await postGraphql(prod.url, { query }, { authorization: wrongKey });
    expect(wrong.status).toBe(403);
    for (const r of [missing, malformed, wrong]) expect(r.body.errors?.[0]?.message).toBeTruthy();
    const good = await new SignJWT({ groups: ['internal'] }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(SECRET));
    const ok = await postGraphql(prod.url, { query }, { authorization: `Bearer ${good}` });
    expect(ok.status).toBe(200);
    expect((ok.body.data as { cube: unknown[] }).cube).toHaveLength(1);
  });
});
