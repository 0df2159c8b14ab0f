/**
 * The session's time zone, as Postgres applies it (found by QA probes: SET TIME ZONE changed
 * nothing, and 'today'/'yesterday' were refused): now(), current_date, current_timestamp and the
 * special inputs 'now', 'today', 'tomorrow', 'yesterday' read the session's zone, and timestamptz
 * values print in it — in catalog statements (PGlite) and in statements over cubes and views alike.
 * The oracle is a real Postgres holding the same rows (support/postgres-twin.ts) under the same
 * SET; the rows are timestamps around today, and zones 14 hours east and 11 hours west of UTC make
 * 'today' a different day than UTC's whatever the hour the suite runs.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onBoth, startPostgresTwin, type PostgresTwin } from './support/postgres-twin.ts';

let twin: PostgresTwin;
let ours: pg.Client;
let real: pg.Client;

beforeAll(async () => {
  twin = await startPostgresTwin('pg-session-time');
  [ours, real] = [await twin.ours(), await twin.real()];
}, 120_000);

afterAll(async () => {
  await twin?.close();
});

const ZONES = ['UTC', 'America/Sao_Paulo', 'Pacific/Kiritimati', 'Pacific/Pago_Pago'];

const OVER_VIEWS = [
  "SELECT nome, count(*), sum(total) FROM vendas WHERE vendido_em >= 'today' GROUP BY 1 ORDER BY 1",
  "SELECT nome, count(*) FROM vendas WHERE vendido_em >= 'yesterday' AND vendido_em < 'tomorrow' GROUP BY 1 ORDER BY 1",
  "SELECT nome, count(*) FROM vendas WHERE vendido_em < 'today'::date GROUP BY 1 ORDER BY 1",
  "SELECT nome, count(*) FROM vendas WHERE vendido_em BETWEEN 'yesterday'::timestamp AND 'Tomorrow'::timestamptz GROUP BY 1 ORDER BY 1",
  "SELECT count(*) FROM vendas WHERE 'today' <= vendido_em",
  'SELECT nome, count(*) FROM vendas WHERE vendido_em::date = current_date GROUP BY 1 ORDER BY 1',
  'SELECT nome, count(*) FROM vendas WHERE vendido_em >= current_date - 1 GROUP BY 1 ORDER BY 1',
  "SELECT date_trunc('day', vendido_em) AS dia, count(*) FROM vendas WHERE vendido_em >= CURRENT_DATE GROUP BY 1 ORDER BY 1",
  "SELECT nome, count(*) FROM vendas WHERE vendido_em > now() - interval '1 day' AND vendido_em < now() + interval '1 day' GROUP BY 1 ORDER BY 1",
  'SELECT nome, current_date, now()::date, localtimestamp::date FROM vendas GROUP BY 1 ORDER BY 1',
  "SELECT nome, vendido_em::timestamptz FROM vendas WHERE vendido_em::date = 'today' GROUP BY 1, 2 ORDER BY 1, 2",
  "SELECT nome, '2024-06-01 12:00:00+00'::timestamptz, '2024-06-01 12:00:00'::timestamptz FROM vendas GROUP BY 1 ORDER BY 1",
  "SELECT nome FROM vendas WHERE nome = 'today' GROUP BY 1",
];

const CATALOG = [
  "SELECT current_date, 'today'::date, 'tomorrow'::timestamp, 'yesterday'::timestamptz, '2024-06-01 12:00:00+00'::timestamptz",
  "SELECT to_char(now(), 'TZH'), extract(timezone FROM now()), now()::date = current_date",
];

describe('the session time zone', () => {
  for (const zone of ZONES) {
    for (const text of [...OVER_VIEWS, ...CATALOG]) {
      it(`in ${zone}: ${text}`, async () => {
        const got = await onBoth(ours, real, [`SET TIME ZONE '${zone}'`, text]);
        expect(got.real.ok, JSON.stringify(got.real)).toBe(true);
        expect(got.ours).toEqual(got.real);
      });
    }
  }

  it('prints now() in the session zone, with its offset, over a view and in the catalog', async () => {
    for (const text of ['SELECT now(), current_timestamp, nome FROM vendas GROUP BY nome LIMIT 1', 'SELECT now(), current_timestamp']) {
      const got = await onBoth(ours, real, ["SET TIME ZONE 'Pacific/Kiritimati'", text]);
      if (!got.ours.ok || !got.real.ok) throw new Error(JSON.stringify(got));
      expect(got.ours.fields).toEqual(got.real.fields);
      for (const [a, b] of [[got.ours.rows[0]![0]!, got.real.rows[0]![0]!]]) {
        expect(a.slice(-3)).toBe('+14');
        expect(Math.abs(Date.parse(`${a.replace(' ', 'T')}:00`) - Date.parse(`${b.replace(' ', 'T')}:00`))).toBeLessThan(60_000);
      }
    }
  });

  it('refuses a zone Postgres does not know with 22023, and SHOW gives its name', async () => {
    const bad = await onBoth(ours, real, ["SET TIME ZONE 'Foo/Bar'"]);
    expect(bad.ours.ok || bad.ours.code).toBe('22023');
    expect(bad.real.ok || bad.real.code).toBe('22023');
    const shown = await onBoth(ours, real, ["SET TIME ZONE 'america/sao_paulo'", 'SHOW TimeZone']);
    expect(shown.ours).toEqual(shown.real);
  });
});
