/**
 * `SELECT *` (and `t.*`) lists the columns the caller may see — the ones information_schema shows
 * them — so a role whose access policy excludes members can still run Power BI's Import or a
 * client's `SELECT * … LIMIT 1` probe. A QA probe got 42501 naming an excluded column. Naming an
 * excluded column explicitly stays refused (42501), as Postgres refuses a column without privilege.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answered, refusal, run } from './support/bi-sql-client.ts';
import { asText, startViewRowsWorld, VIEW_ROWS, type ViewRowsWorld } from './support/view-rows-fixture.ts';

let world: ViewRowsWorld;
let gerente: pg.Client;
let bi: pg.Client;

beforeAll(async () => {
  world = await startViewRowsWorld();
  [gerente, bi] = [await world.connect('gerente'), await world.connect('bi')];
}, 60_000);

afterAll(async () => {
  await world?.close();
});

// `*` lists members, as in Cube's SQL API: not the virtual join column every table has.
const COLUMNS = "SELECT column_name FROM information_schema.columns WHERE table_name = 'vendas' AND column_name <> '__cubeJoinField' ORDER BY ordinal_position";

async function fieldsOf(client: pg.Client, text: string): Promise<readonly string[]> {
  const got = await run(client, text);
  if (!got.ok) throw new Error(`${got.code} ${got.message}\n${text}`);
  return got.fields;
}

describe('SELECT * for a role whose access policy excludes members', () => {
  for (const text of ['SELECT * FROM vendas LIMIT 1', 'SELECT vendas.* FROM vendas LIMIT 1', 'SELECT "$Table".* FROM "public"."vendas" "$Table"', 'SELECT * FROM (SELECT * FROM vendas) t LIMIT 3']) {
    it(`lists the columns information_schema shows the role: ${text}`, async () => {
      const visible = (await answered(gerente, COLUMNS)).map((r) => r[0]);
      expect(visible).not.toContain('cliente_nome');
      expect(await fieldsOf(gerente, text)).toEqual(visible);
    });
  }

  it("answers the view's rows", async () => {
    const rows = await answered(gerente, 'SELECT id, tipo_linha, pedido_id, canal_nome FROM (SELECT * FROM vendas) t ORDER BY id');
    expect(rows).toEqual(asText(await world.hand(`SELECT id, tipo_linha, pedido_id, canal_nome FROM ${VIEW_ROWS} v ORDER BY id`)));
    expect((await answered(gerente, 'SELECT * FROM vendas')).length).toBe(rows.length);
  });

  it('still refuses an excluded column named explicitly (42501)', async () => {
    const got = await refusal(gerente, 'SELECT cliente_nome FROM vendas LIMIT 1');
    expect(got.code).toBe('42501');
  });

  it('lists every column for a role that sees them all', async () => {
    const visible = (await answered(bi, COLUMNS)).map((r) => r[0]);
    expect(visible).toContain('cliente_nome');
    expect(await fieldsOf(bi, 'SELECT * FROM vendas LIMIT 1')).toEqual(visible);
  });
});
