/**
 * LIKE / NOT LIKE / ILIKE with an ESCAPE clause over cubes and views answer as Postgres does: they
 * were 0A000 ("Referenced column pg_catalog not found": Postgres's parser writes the ESCAPE as
 * pg_catalog.like_escape(p, e), which the sandbox's DuckDB cannot bind; found by a QA probe). The
 * oracle is a real Postgres holding the same rows (support/postgres-twin.ts).
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onBoth, startPostgresTwin, type PostgresTwin } from './support/postgres-twin.ts';

let twin: PostgresTwin;
let ours: pg.Client;
let real: pg.Client;

beforeAll(async () => {
  twin = await startPostgresTwin('pg-like-escape');
  [ours, real] = [await twin.ours(), await twin.real()];
}, 120_000);

afterAll(async () => {
  await twin?.close();
});

describe('LIKE with ESCAPE', () => {
  for (const text of [
    "SELECT nome, count(*) FROM vendas WHERE nome LIKE 'A%' ESCAPE '\\' GROUP BY 1 ORDER BY 1",
    "SELECT nome, nome LIKE 'A%' ESCAPE '\\' AS a, nome NOT LIKE '%a' ESCAPE '\\' AS b FROM vendas GROUP BY 1 ORDER BY 1",
    "SELECT nome, count(*) FROM vendas WHERE nome NOT LIKE 'A!%%' ESCAPE '!' GROUP BY 1 ORDER BY 1",
    "SELECT nome, count(*) FROM vendas WHERE nome ILIKE 'a%' ESCAPE '\\' GROUP BY 1 ORDER BY 1",
    "SELECT nome, nome NOT ILIKE '%A' ESCAPE '#' FROM vendas GROUP BY 1 ORDER BY 1",
  ]) {
    it(`answers ${text} as Postgres does`, async () => {
      const got = await onBoth(ours, real, [text]);
      expect(got.real.ok, JSON.stringify(got.real)).toBe(true);
      expect(got.ours).toEqual(got.real);
    });
  }
});
