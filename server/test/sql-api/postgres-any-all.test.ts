/**
 * `col = ANY(array)` and `col <> ALL(array)` over cubes and views (Npgsql's and Power BI's native
 * list filters) answer what Postgres answers over the same rows, NULLs included: found by a QA
 * probe that got 0A000 for both. The oracle is a real Postgres holding the same rows
 * (support/postgres-twin.ts); the statements are sent as the client sends them, parameters too.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BI_PASSWORD, BI_USER, run } from './support/bi-sql-client.ts';
import { RawPgClient } from './support/raw-pg-client.ts';
import { buildBind, buildExecute, buildParse, buildSync, readDataRow, readErrorFields } from '../../src/api/sql/wire/frontend-builders.ts';
import { onBoth, startPostgresTwin, type PostgresTwin } from './support/postgres-twin.ts';

let twin: PostgresTwin;
let ours: pg.Client;
let real: pg.Client;

beforeAll(async () => {
  twin = await startPostgresTwin('pg-any-all');
  [ours, real] = [await twin.ours(), await twin.real()];
}, 120_000);

afterAll(async () => {
  await twin?.close();
});

const STATEMENTS = [
  "SELECT nome, count(*) FROM vendas WHERE nome = ANY('{Ana,Bruno}') GROUP BY 1 ORDER BY 1",
  "SELECT nome, count(*) FROM vendas WHERE nome = ANY(ARRAY['Ana', 'Carla']) GROUP BY 1 ORDER BY 1",
  "SELECT nome, count(*) FROM vendas WHERE nome = ANY('{Ana,\"Bruno\",NULL}'::text[]) GROUP BY 1 ORDER BY 1",
  "SELECT nome, count(*) FROM vendas WHERE nome <> ALL('{Ana,Bruno}') GROUP BY 1 ORDER BY 1",
  "SELECT nome, count(*) FROM vendas WHERE nome <> ALL(ARRAY['Ana', NULL]) GROUP BY 1 ORDER BY 1",
  "SELECT nome, count(*) FROM vendas WHERE nome != ALL(ARRAY['Davi']::text[]) GROUP BY 1 ORDER BY 1",
  "SELECT ano, sum(total) FROM vendas WHERE ano = ANY('{2024, 2025}') GROUP BY 1 ORDER BY 1",
  "SELECT ano, count(*) FROM vendas WHERE ano = ANY(ARRAY[2023, 2025]) GROUP BY 1 ORDER BY 1",
  "SELECT nome, count(*) FROM vendas WHERE nome = ANY('{}') GROUP BY 1 ORDER BY 1",
  "SELECT nome, count(*) FROM vendas WHERE nome <> ALL('{}') GROUP BY 1 ORDER BY 1",
  "SELECT nome, nome = ANY('{Ana,NULL}') AS hit, nome <> ALL('{Ana}') AS miss FROM vendas GROUP BY 1 ORDER BY 1",
  "SELECT x.nome, x.n FROM (SELECT nome, count(*) AS n FROM vendas GROUP BY 1) x WHERE x.nome = ANY(ARRAY['Bruno','Davi']) ORDER BY 1",
  "SELECT nome, count(*) FROM sales WHERE nome = ANY('{Ana,Davi}') AND ano <> ALL('{2023}') GROUP BY 1 ORDER BY 1",
];

describe('= ANY / <> ALL over a constant array', () => {
  for (const text of STATEMENTS) {
    it(`answers ${text} as Postgres does`, async () => {
      const got = await onBoth(ours, real, [text]);
      expect(got.real.ok, JSON.stringify(got.real)).toBe(true);
      expect(got.ours).toEqual(got.real);
    });
  }

  it('takes the array as a bound parameter, as Npgsql and pgjdbc send it', async () => {
    for (const [text, params] of [
      ['SELECT nome, count(*) FROM vendas WHERE nome = ANY($1) GROUP BY 1 ORDER BY 1', [['Ana', 'Carla', null]]],
      ['SELECT nome, count(*) FROM vendas WHERE nome <> ALL($1::text[]) GROUP BY 1 ORDER BY 1', [['Ana']]],
      ['SELECT ano, count(*) FROM vendas WHERE ano = ANY($1) GROUP BY 1 ORDER BY 1', [[2024]]],
    ] as const) {
      const [a, b] = [await run(ours, text, { params: [...params] }), await run(real, text, { params: [...params] })];
      expect(b.ok, JSON.stringify(b)).toBe(true);
      expect(a, text).toEqual(b);
    }
  });

  it('takes a binary array parameter, as Npgsql sends every parameter', async () => {
    // array_send of text[] {'Ana', NULL, 'Carla'}: ndim 1, has nulls, element text (25), 3 elements from 1.
    const element = (text: string | null): Buffer => {
      const length = Buffer.alloc(4);
      length.writeInt32BE(text === null ? -1 : Buffer.byteLength(text));
      return text === null ? length : Buffer.concat([length, Buffer.from(text)]);
    };
    const header = Buffer.alloc(20);
    [1, 1, 25, 3, 1].forEach((v, i) => header.writeInt32BE(v, 4 * i));
    const array = Buffer.concat([header, element('Ana'), element(null), element('Carla')]);
    const text = 'SELECT nome, count(*) FROM vendas WHERE nome = ANY($1) GROUP BY 1 ORDER BY 1';
    const raw = await RawPgClient.connect(twin.stack.sqlPort, BI_USER, BI_PASSWORD);
    try {
      raw.send(buildParse('', text, [1009]), buildBind('', '', [array], [1]), buildExecute(''), buildSync());
      const frames = await raw.readUntilReady();
      const error = frames.find((f) => f.type === 'E');
      if (error) throw new Error(JSON.stringify(readErrorFields(error.body)));
      const rows = frames.filter((f) => f.type === 'D').map((f) => readDataRow(f.body).map((v) => v?.toString('utf8') ?? null));
      const want = await run(real, text, { params: [['Ana', null, 'Carla']] });
      if (!want.ok) throw new Error(want.message);
      expect(rows).toEqual(want.rows);
      expect(rows.length).toBe(2);
    } finally {
      raw.close();
    }
  });
});
