/**
 * GraphQL (`/cubejs-api/graphql`) under the shipped access policies, over real HTTP in production
 * mode: the store manager's rows equal hand-written SQL for their store only; introspection leaves
 * out the members the caller may not use, and asking for them anyway fails; hostile strings in
 * arguments are values or validation errors; bad tokens are 403; no gold table changes.
 */
import { buildClientSchema, getIntrospectionQuery, type GraphQLObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTEXTS, goldDatabaseFile, goldRowCounts, queryGold, rowSet, sign, SECRET } from './support/security-fixture.ts';
import { startStack, type Stack } from '../support/stack.ts';

let stack: Stack;
let gold: string;
let countsBefore: Record<string, number>;

beforeAll(async () => {
  gold = await goldDatabaseFile();
  countsBefore = await goldRowCounts(gold);
  stack = await startStack({ data: { duckdbPath: gold }, security: { secret: SECRET }, serve: { http: true } });
});
afterAll(async () => stack?.close());

interface GraphqlAnswer {
  status: number;
  body: { data?: { cube?: Record<string, Record<string, unknown>>[] } | null; errors?: { message: string; extensions?: { code?: string } }[] };
}

async function graphql(query: string, authorization?: string): Promise<GraphqlAnswer> {
  const res = await fetch(`${stack.url}/cubejs-api/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ query }),
  });
  return { status: res.status, body: (await res.json()) as GraphqlAnswer['body'] };
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

describe('store manager through GraphQL', () => {
  it("returns only their store's rows, equal to hand-written SQL", async () => {
    const res = await graphql('{ cube { fato_vendas { count vendas_brutas } dim_loja { loja_id } dim_canal { nome } } }', await sign(CONTEXTS.managerL002));
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    const got = res.body.data!.cube!.map((r) => [r.dim_loja!.loja_id, r.dim_canal!.nome, num(r.fato_vendas!.count), num(r.fato_vendas!.vendas_brutas)]);
    const expected = await queryGold(gold, `SELECT l.loja_id, c.nome, count(*) AS n,
        sum(CASE WHEN NOT coalesce(f.is_cancelado, false) AND coalesce(f.status_pedido, '') <> 'test' THEN f.valor_bruto END) AS b
      FROM gold.fato_vendas f JOIN gold.dim_loja l ON l.loja_sk = f.loja_sk JOIN gold.dim_canal c ON c.canal_sk = f.canal_sk
      WHERE l.loja_id = 'L002' GROUP BY 1, 2`);
    expect(expected.length).toBeGreaterThan(0);
    expect(rowSet(got)).toEqual(rowSet(expected.map((r) => [r.loja_id, r.nome, Number(r.n), num(r.b)])));
  });

  it('cannot widen its rows with where/OR on the store, nor through the view', async () => {
    const where = '{ OR: [{ dim_loja: { loja_id: { equals: "ONLINE" } } }, { dim_loja: { loja_id: { set: true } } }] }';
    const res = await graphql(`{ cube(where: ${where}) { fato_vendas { count } dim_loja { loja_id } } }`, await sign(CONTEXTS.managerL002));
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.cube!.map((r) => r.dim_loja!.loja_id)).toEqual(['L002']);
    const view = await graphql('{ cube { vendas { count loja_loja_id } } }', await sign(CONTEXTS.managerL002));
    expect(view.body.data!.cube!.map((r) => r.vendas!.loja_loja_id)).toEqual(['L002']);
  });

  it('introspection leaves out denied members and cubes; asking for them is an error', async () => {
    const token = await sign(CONTEXTS.managerL002);
    const schema = buildClientSchema((await graphql(getIntrospectionQuery(), token)).body.data as never);
    const fieldsOf = (type: string) => Object.keys((schema.getType(type) as GraphQLObjectType | undefined)?.getFields() ?? {});
    expect(fieldsOf('DimClienteMembers')).not.toContain('email');
    expect(fieldsOf('DimClienteMembers')).not.toContain('nome');
    expect(fieldsOf('DimClienteMembers')).toContain('segmento');
    expect(fieldsOf('VendasMembers')).not.toContain('cliente_nome');
    expect(fieldsOf('Result')).not.toContain('eventos');
    expect(fieldsOf('Result')).toContain('fato_vendas');
    const internal = buildClientSchema((await graphql(getIntrospectionQuery(), await sign(CONTEXTS.internal))).body.data as never);
    expect(Object.keys((internal.getType('DimClienteMembers') as GraphQLObjectType).getFields())).toContain('email');
    for (const query of ['{ cube { dim_cliente { email } } }', '{ cube { eventos { eventos } } }', '{ cube(where: { dim_cliente: { nome: { equals: "Ana" } } }) { fato_vendas { count } } }']) {
      const denied = await graphql(query, token);
      expect(denied.status, query).toBe(400);
      expect(denied.body.errors?.[0]?.message, query).toMatch(/email|eventos|nome|dim_cliente/);
    }
  });

  it('the marketing analyst gets campaign data but not customer names', async () => {
    const token = await sign(CONTEXTS.marketing);
    const ok = await graphql('{ cube { vendas { vendas_liquidas campanha_nome } } }', token);
    expect(ok.status).toBe(200);
    expect(ok.body.data!.cube!.length).toBeGreaterThan(1);
    const denied = await graphql('{ cube { vendas { count cliente_nome } } }', token);
    expect(denied.status).toBe(400);
  });
});

describe('tokens and hostile input through GraphQL', () => {
  it('rejects missing, wrongly signed, expired and not-yet-valid tokens with 403', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: [string | undefined, RegExp][] = [
      [undefined, /Authorization header/],
      [await sign(CONTEXTS.internal, undefined, 'another-secret-another-secret-0000'), /signature/],
      [await sign(CONTEXTS.internal, (j) => j.setExpirationTime(now - 60)), /expired/],
      [await sign(CONTEXTS.internal, (j) => j.setNotBefore(now + 3600)), /not valid yet/],
      ['not.a.jwt', /Invalid token/],
    ];
    for (const [token, message] of cases) {
      const res = await graphql('{ cube { fato_vendas { count } } }', token);
      expect(res.status, String(message)).toBe(403);
      expect(res.body.errors?.[0]?.message).toMatch(message);
    }
  });

  it('SQL in arguments is a value (no rows) and SQL in field names fails validation', async () => {
    const token = await sign(CONTEXTS.internal);
    for (const value of ["L002' OR '1'='1", "'; DROP TABLE gold.fato_vendas; --"]) {
      const res = await graphql(`{ cube(where: { dim_loja: { loja_id: { equals: ${JSON.stringify(value)} } } }) { fato_vendas { count } } }`, token);
      expect(res.status).toBe(200);
      expect(res.body.data!.cube!.every((r) => Number(r.fato_vendas!.count) === 0)).toBe(true);
    }
    const field = await graphql('{ cube { fato_vendas { count__DROP_TABLE } } }', token);
    expect(field.status).toBe(400);
    expect(await goldRowCounts(gold)).toEqual(countsBefore);
  });
});
