/**
 * A SELECT over a view that reads none of its columns has one row per row of the view, as in
 * Postgres: `SELECT 1 FROM vendas LIMIT 1` (how clients probe a table), constants, aggregates of
 * constants (the rows are those `SELECT <a dimension> FROM vendas` reads), and errors of constant expressions with Postgres's SQLSTATE (a QA probe got 42601 for
 * `SELECT 1/0 FROM vendas` where Postgres raises 22012). The oracle is a real Postgres holding the
 * same rows (support/postgres-twin.ts).
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onBoth, startPostgresTwin, type PostgresTwin } from './support/postgres-twin.ts';

let twin: PostgresTwin;
let ours: pg.Client;
let real: pg.Client;

beforeAll(async () => {
  twin = await startPostgresTwin('pg-constant-select');
  [ours, real] = [await twin.ours(), await twin.real()];
}, 120_000);

afterAll(async () => {
  await twin?.close();
});

const SAME_ANSWER = [
  'SELECT 1 FROM vendas',
  'SELECT 1 FROM vendas LIMIT 1',
  "SELECT 1 AS one, 'x', 2 + 3, NULL FROM vendas LIMIT 2 OFFSET 1",
  "SELECT 1 FROM vendas WHERE nome = 'Ana'",
  'SELECT 1 FROM vendas WHERE ano = 2024 AND pago',
  'SELECT max(1), sum(2), count(1) FROM vendas',
  "SELECT 1 FROM sales WHERE nome = 'nobody'",
  'SELECT true FROM vendas WHERE ano > 3000 LIMIT 1',
  'SELECT 1 FROM vendas LIMIT 0',
  'SELECT DISTINCT 1 FROM vendas LIMIT 1',
  "SELECT 'x' FROM vendas ORDER BY 1 LIMIT 3 OFFSET 19",
  'SELECT 1/0 FROM vendas',
  'SELECT 1 % 0 FROM vendas',
  "SELECT 'x'::int FROM vendas",
  'SELECT 10 / 4, -7 / 2, 2 ^ 3 FROM vendas LIMIT 1',
];

describe('a select that reads no column of the view', () => {
  for (const text of SAME_ANSWER) {
    it(`answers ${text} as Postgres does`, async () => {
      const got = await onBoth(ours, real, [text]);
      if (got.real.ok) expect(got.ours).toEqual(got.real);
      else expect(got.ours.ok ? got.ours : { code: got.ours.code }, text).toEqual({ code: got.real.code });
    });
  }
});
