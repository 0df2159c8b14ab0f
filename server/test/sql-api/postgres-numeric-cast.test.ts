/**
 * An unconstrained `::numeric` over cubes and views keeps the digits Postgres keeps: DuckDB reads a
 * NUMERIC without precision as DECIMAL(18,3), so `MEASURE(m)::numeric` answered 52.754 where
 * Postgres answers 52.7542372881356 (found by a probe of the SQL API). The oracle is a real
 * Postgres holding the same rows (support/postgres-twin.ts); values are compared as the text each
 * server sends (the cast answers double precision here, numeric there: same digits).
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onBoth, startPostgresTwin, type PostgresTwin } from './support/postgres-twin.ts';

let twin: PostgresTwin;
let ours: pg.Client;
let real: pg.Client;

beforeAll(async () => {
  twin = await startPostgresTwin('pg-numeric-cast');
  [ours, real] = [await twin.ours(), await twin.real()];
}, 120_000);

afterAll(async () => {
  await twin?.close();
});

const asText = (rows: readonly (readonly unknown[])[]): (string | null)[][] => rows.map((r) => r.map((v) => (v === null ? null : String(v))));

describe('unconstrained numeric casts', () => {
  for (const text of [
    'SELECT nome, (sum(total) / 3)::numeric AS terço FROM vendas GROUP BY 1 ORDER BY 1',
    'SELECT nome, CAST(sum(total) / 7 AS numeric) AS sétimo, CAST(sum(total) / 7 AS decimal) AS d FROM vendas GROUP BY 1 ORDER BY 1',
    'SELECT ano, (ano / 3.0)::numeric, (ano * 1000000.0 / 7)::numeric FROM vendas GROUP BY 1 ORDER BY 1',
    'SELECT nome, (sum(total) / 3)::numeric(12,2) FROM vendas GROUP BY 1 ORDER BY 1',
  ]) {
    it(`answers ${text} with Postgres's digits`, async () => {
      const got = await onBoth(ours, real, [text]);
      if (!got.real.ok || !got.ours.ok) throw new Error(JSON.stringify(got));
      expect(got.ours.fields).toEqual(got.real.fields);
      expect(asText(got.ours.rows)).toEqual(asText(got.real.rows));
    });
  }
});
