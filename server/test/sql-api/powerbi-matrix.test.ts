/**
 * Every measure of the `vendas` view × every Power BI summarization (sum, avg, min, max, count,
 * count distinct) × every kind of visual filter (none, date range, slicer on dimensions, Top N), in
 * the nested SQL Power BI's DirectQuery sends (`support/powerbi-shapes.ts`), at two grains: by
 * `canal_nome` and a card (one total). The answer must equal `MEASURE()` at the same grain with
 * the same filter, run through the same SQL API, or be a refusal naming the measure; additive
 * measures under sum must answer (`support/judge-visual.ts`). `MEASURE()` itself is checked against
 * REST `/load` and, for two measures, against SQL written by hand on the gold tables.
 *
 * KNOWN_FAILING lists the cases the translation gets wrong today, each with what it answers; they
 * run as `it.fails`, so a fixed case fails the suite until it is taken off the list.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlServer } from '../../src/api/sql/start-sql-server.ts';
import { BI_SQL, byKey, connectBi, hand, run, sameValue } from './support/bi-sql-client.ts';
import { GOLD_EXTRA_FILES, serveSql, startStack, type Stack } from '../support/stack.ts';
import { loadRest } from '../support/api-requests.ts';
import { judgeVisual, type Judgement, type Verdict } from './support/judge-visual.ts';
import { AGGREGATES, DATE_RANGE, DIMENSION_FILTER, TOP_N, dropsNullGroups, plainWhere, powerBiSql, type Aggregate, type FilterKind, type Visual } from './support/powerbi-shapes.ts';
import { vendasMeasures } from './support/vendas-measures.ts';

/**
 * Case id → what goes wrong today. Hundreds of cases, so kept in powerbi-matrix.known-failing.json
 * next to this file; empty it as the translation is fixed (the summary printed after the run lists
 * every failing case as known or UNEXPECTED, and every known case that now passes as FIXED).
 * `PRUNE_KNOWN_FAILING=1` rewrites the file without the FIXED cases; it never adds one.
 */
const KNOWN_FAILING_FILE = path.join(import.meta.dirname, 'powerbi-matrix.known-failing.json');
const KNOWN_FAILING_DOC = JSON.parse(readFileSync(KNOWN_FAILING_FILE, 'utf8')) as { about: string; cases: Record<string, string> };
const KNOWN_FAILING: ReadonlyMap<string, string> = new Map(Object.entries(KNOWN_FAILING_DOC.cases));

const MEASURES = vendasMeasures();
const GRAINS: readonly { label: string; grain?: string; filters: readonly FilterKind[] }[] = [
  { label: 'canal_nome', grain: 'canal_nome', filters: ['none', 'dateRange', 'dimension', 'topN'] },
  { label: 'card', filters: ['none', 'dateRange', 'dimension'] },
];

const caseId = (label: string, filter: FilterKind, aggregate: Aggregate, measure: string) => `${label} · ${filter} · ${aggregate}(${measure})`;

/** A scan limit below the fixture's 240 sale lines: an unfiltered visual must not depend on fetching every line. */
const SMALL_SCAN_LIMIT = 100;

let world: Stack;
let client: pg.Client;
let limited: SqlServer;
let limitedClient: pg.Client;
const oracle = new Map<string, Map<string, unknown>>();
const results = new Map<string, Judgement & { aggregate: Aggregate; filter: FilterKind }>();

/** `SELECT [grain,] MEASURE(m) FROM vendas WHERE <filter> [GROUP BY 1]` through the SQL API. */
async function measureAtGrain(grain: string | undefined, measure: string, filter: FilterKind): Promise<Map<string, unknown>> {
  const key = `${grain ?? ''}|${measure}|${filter}`;
  const cached = oracle.get(key);
  if (cached) return cached;
  const where = filter === 'topN' ? '' : plainWhere(filter);
  const text = grain ? `SELECT ${grain}, MEASURE(${measure}) FROM vendas${where} GROUP BY 1` : `SELECT MEASURE(${measure}) FROM vendas${where}`;
  const out = await run(client, text);
  if (!out.ok) throw new Error(`the oracle failed: ${text}: ${out.code} ${out.message}`);
  const rows = grain ? byKey(out.rows) : new Map<string, unknown>([['(total)', out.rows[0]?.[0] ?? null]]);
  oracle.set(key, rows);
  return rows;
}

beforeAll(async () => {
  world = await startStack({ data: 'gold', model: { files: GOLD_EXTRA_FILES }, serve: { http: true, sql: BI_SQL } });
  client = await connectBi(world.sqlPort);
  limited = await serveSql(world.engine, { ...BI_SQL, maxScanRows: SMALL_SCAN_LIMIT });
  limitedClient = await connectBi(limited.port);
}, 300_000);

afterAll(async () => {
  await client?.end();
  await limitedClient?.end();
  await limited?.close();
  await world?.close();
  printSummary();
  if (process.env.PRUNE_KNOWN_FAILING === '1') pruneKnownFailing();
});

describe('the oracle: MEASURE() through the SQL API equals REST and hand-written SQL', () => {
  it('covers every measure of the vendas view listed by /meta', async () => {
    const meta = (await (await fetch(`${world.url}/cubejs-api/v1/meta`)).json()) as { cubes: { name: string; measures: { name: string }[] }[] };
    const listed = meta.cubes.find((c) => c.name === 'vendas')!.measures.map((m) => m.name.replace(/^vendas\./, ''));
    expect(MEASURES.map((m) => m.name).sort()).toEqual(listed.sort());
    expect(MEASURES.length).toBeGreaterThanOrEqual(16);
  });

  it('lists only real cases in KNOWN_FAILING', () => {
    const ids = new Set<string>();
    for (const { label, filters } of GRAINS) for (const f of filters) for (const a of AGGREGATES) for (const m of MEASURES) ids.add(caseId(label, f, a, m.name));
    for (const { label } of GRAINS) for (const m of MEASURES.filter((x) => x.additive)) ids.add(`scan limit ${SMALL_SCAN_LIMIT} · ${caseId(label, 'none', 'sum', m.name)}`);
    expect([...KNOWN_FAILING.keys()].filter((id) => !ids.has(id))).toEqual([]);
  });

  const restFilters: Record<Exclude<FilterKind, 'topN'>, object> = {
    none: {},
    dateRange: { timeDimensions: [{ dimension: 'vendas.data_venda', dateRange: [DATE_RANGE.from.slice(0, 10), '2024-11-30'] }] },
    dimension: {
      filters: [
        { member: 'vendas.canal_nome', operator: 'equals', values: [...DIMENSION_FILTER.canais] },
        { member: 'vendas.produto_categoria', operator: 'equals', values: [DIMENSION_FILTER.categoria] },
      ],
    },
  };
  for (const filter of ['none', 'dateRange', 'dimension'] as const) {
    it(`MEASURE() by canal_nome and in total equals REST /load (${filter})`, async () => {
      const measures = MEASURES.map((m) => `vendas.${m.name}`);
      const byCanal = await loadRest(world.url, { measures, dimensions: ['vendas.canal_nome'], ...restFilters[filter] });
      const total = await loadRest(world.url, { measures, ...restFilters[filter] });
      expect(byCanal.length).toBeGreaterThan(1);
      for (const m of MEASURES) {
        const sql = await measureAtGrain('canal_nome', m.name, filter);
        const rest = byKey(byCanal.map((r) => [r['vendas.canal_nome'], r[`vendas.${m.name}`]]));
        expect([...sql.keys()].sort(), m.name).toEqual([...rest.keys()].sort());
        for (const [k, v] of rest) expect(sameValue(sql.get(k), v), `${m.name} ${k}: SQL ${String(sql.get(k))} REST ${String(v)}`).toBe(true);
        const card = await measureAtGrain(undefined, m.name, filter);
        expect(sameValue(card.get('(total)'), total[0]?.[`vendas.${m.name}`] ?? null), `${m.name} total`).toBe(true);
      }
    });
  }

  it('MEASURE(count) and MEASURE(vendas_brutas) over November 2024 equal SQL on the gold tables', async () => {
    const rows = await hand(world.duckdbPath, `SELECT c.nome, count(*) AS n,
        sum(CASE WHEN NOT coalesce(f.is_cancelado, false) AND coalesce(f.status_pedido, '') <> 'test' THEN f.valor_bruto END) AS brutas
      FROM gold.fato_vendas f JOIN gold.dim_canal c ON c.canal_sk = f.canal_sk
      WHERE f.data_venda >= TIMESTAMP '${DATE_RANGE.from}' AND f.data_venda < TIMESTAMP '${DATE_RANGE.to}' GROUP BY 1`);
    expect(rows.length).toBeGreaterThan(1);
    const count = await measureAtGrain('canal_nome', 'count', 'dateRange');
    const brutas = await measureAtGrain('canal_nome', 'vendas_brutas', 'dateRange');
    for (const r of rows) {
      expect(sameValue(count.get(String(r.nome)), r.n), `count ${String(r.nome)}`).toBe(true);
      expect(sameValue(brutas.get(String(r.nome)), r.brutas), `vendas_brutas ${String(r.nome)}`).toBe(true);
    }
  });
});

for (const { label, grain, filters } of GRAINS) {
  describe(`Power BI DirectQuery at grain ${label}`, () => {
    for (const filter of filters) {
      for (const aggregate of AGGREGATES) {
        for (const m of MEASURES) {
          const id = caseId(label, filter, aggregate, m.name);
          const known = KNOWN_FAILING.get(id);
          const test = known ? it.fails : it;
          test(known ? `${id} [KNOWN FAILING: ${known}]` : id, async () => {
            const visual: Visual = { grain, measure: m.name, aggregate, filter };
            const all = await measureAtGrain(grain, m.name, filter);
            const rows = dropsNullGroups(visual) ? new Map([...all].filter(([, v]) => v !== null)) : all;
            const judged = judgeVisual(await run(client, powerBiSql(visual)), { rows, topN: filter === 'topN' ? TOP_N : undefined }, m.name, m.additive && aggregate === 'sum');
            results.set(id, { ...judged, aggregate, filter });
            expect(judged.pass, `${judged.verdict}: ${judged.detail}\n${powerBiSql(visual)}`).toBe(true);
          });
        }
      }
    }
  });
}

describe(`additive measures under sum answer unfiltered with a scan limit (${SMALL_SCAN_LIMIT}) below the row count`, () => {
  for (const { label, grain } of GRAINS) {
    for (const m of MEASURES.filter((x) => x.additive)) {
      const id = `scan limit ${SMALL_SCAN_LIMIT} · ${caseId(label, 'none', 'sum', m.name)}`;
      const known = KNOWN_FAILING.get(id);
      (known ? it.fails : it)(known ? `${id} [KNOWN FAILING: ${known}]` : id, async () => {
        const visual: Visual = { grain, measure: m.name, aggregate: 'sum', filter: 'none' };
        const all = await measureAtGrain(grain, m.name, 'none');
        const rows = dropsNullGroups(visual) ? new Map([...all].filter(([, v]) => v !== null)) : all;
        const judged = judgeVisual(await run(limitedClient, powerBiSql(visual)), { rows }, m.name, true);
        results.set(id, { ...judged, aggregate: 'sum', filter: 'none' });
        expect(judged.pass, `${judged.verdict}: ${judged.detail}`).toBe(true);
      });
    }
  }
});

function printSummary(): void {
  const verdicts: Verdict[] = ['answered', 'refused', 'wrong', 'internal', 'refusedUnnamed', 'refusedAdditive'];
  const lines = [`Power BI matrix: ${results.size} cases (${MEASURES.length} measures × ${AGGREGATES.length} aggregates × filters × grains)`];
  lines.push(['aggregate'.padEnd(14), ...verdicts.map((v) => v.padStart(16))].join(''));
  for (const aggregate of [...AGGREGATES, 'all'] as const) {
    const subset = [...results.values()].filter((r) => aggregate === 'all' || r.aggregate === aggregate);
    lines.push([aggregate.padEnd(14), ...verdicts.map((v) => String(subset.filter((r) => r.verdict === v).length).padStart(16))].join(''));
  }
  const failing = [...results].filter(([, r]) => !r.pass);
  lines.push(`failing now: ${failing.length}; listed in KNOWN_FAILING: ${KNOWN_FAILING.size}`);
  for (const [id, r] of failing) lines.push(`  ${KNOWN_FAILING.has(id) ? 'known     ' : 'UNEXPECTED'} ${id}: ${r.verdict}: ${r.detail.replace(/\s+/g, ' ').slice(0, 160)}`);
  for (const id of KNOWN_FAILING.keys()) if (results.get(id)?.pass) lines.push(`  FIXED (take off KNOWN_FAILING) ${id}`);
  console.log(lines.join('\n'));
}

/** Drops from the known-failing file the cases that passed in this run (a full run only). */
function pruneKnownFailing(): void {
  const cases = Object.fromEntries(Object.entries(KNOWN_FAILING_DOC.cases).filter(([id]) => results.get(id)?.pass !== true));
  writeFileSync(KNOWN_FAILING_FILE, `${JSON.stringify({ ...KNOWN_FAILING_DOC, cases }, null, 2)}\n`);
  console.log(`KNOWN_FAILING pruned: ${KNOWN_FAILING.size} → ${Object.keys(cases).length} cases`);
}
