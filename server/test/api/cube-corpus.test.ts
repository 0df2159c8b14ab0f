/**
 * Cube's own driver-test corpus through HTTP: its CSVs loaded into DuckDB, its model served, each
 * REST case sent as POST /cubejs-api/v1/load and compared with the rows Cube returns on Postgres
 * (rows as maps, numbers numerically, row order significant). Cases Cube's classic planner runs
 * must pass; the two `expectsErrorMatching` cases must fail; cases only Cube's newer planner runs
 * are counted and reported as later targets.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusDatabase, queryDuckDb, startStack, type Stack } from '../support/stack.ts';
import { diffRows, loadCorpusCases, ordersByUnselectedMember, type CorpusCase } from '../fixtures/cube-corpus.ts';

const { cases, expected } = loadCorpusCases();
/**
 * Classic-planner cases whose snapshot Cube answered from a rollup in Cube Store. There a custom
 * granularity (6 months from origin 2024-01-01) buckets the monthly rollup rows by the month
 * distance to the origin divided by 6, rounded toward zero: January 2020 alone under 2020-01-01,
 * February–June under 2020-07-01, the rest under 2021-01-01. From the source, Cube computes
 * origin + 6 months × floor(seconds from origin / seconds of 180 days) (Postgres counts an interval
 * month as 30 days), which its twin case on `customOrderDateNoPreAgg` shows and which passes here;
 * we answer the same way with or without rollups. So these two are counted apart and checked
 * below: our rows against that rule written by hand, Cube's rows against Cube Store's rounding.
 */
const CUBE_STORE_BUCKETING = new Set([
  'querying custom granularities (with preaggregation) ECommerce: totalQuantity by half_year + no dimension',
  'querying custom granularities (with preaggregation) ECommerce: totalQuantity by half_year + dimension',
]);
const classic = cases.filter((c) => c.runsIn.baseline && !c.expectsErrorMatching && c.snapshotKey && expected.has(c.snapshotKey));
const unselectedOrder = classic.filter(ordersByUnselectedMember);
const baseline = classic.filter((c) => !CUBE_STORE_BUCKETING.has(c.name) && !unselectedOrder.includes(c));
const rollupBucketed = classic.filter((c) => CUBE_STORE_BUCKETING.has(c.name));
const mustFail = cases.filter((c) => c.expectsErrorMatching);
const laterTargets = cases.filter((c) => !c.runsIn.baseline && c.runsIn.tesseract && !c.expectsErrorMatching && c.snapshotKey && expected.has(c.snapshotKey));
const notRunUpstream = cases.filter((c) => !classic.includes(c) && !mustFail.includes(c) && !laterTargets.includes(c));
const tally = { baselinePassed: 0, baselineFailed: 0, laterPassed: 0, laterFailed: 0 };

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ data: 'corpus', env: { TZ: 'UTC' } });
});
afterAll(async () => {
  // The figures the issue asks for, visible in the test output.
  console.log(
    `cube corpus: baseline ${tally.baselinePassed}/${baseline.length} passed (${tally.baselineFailed} failed); ` +
      `${rollupBucketed.length} answered from Cube Store's custom-granularity rollup buckets (checked apart); ` +
      `must-fail ${mustFail.length}; later targets (tesseract only) ${tally.laterPassed}/${laterTargets.length} already pass; ` +
      `${notRunUpstream.length} cases not run upstream for Postgres`,
  );
  await stack?.close();
});

async function load(query: Record<string, unknown>): Promise<request.Response> {
  for (;;) {
    const res = await request(stack.server.app).post('/cubejs-api/v1/load').send({ query, queryType: 'multi' });
    if (res.body?.error !== 'Continue wait') return res;
  }
}

function check(c: CorpusCase, res: request.Response): string | undefined {
  if (res.status !== 200) return `HTTP ${res.status}: ${String(res.body?.error)}`;
  const result = res.body.results[0];
  const problem = diffRows(result.data, expected.get(c.snapshotKey!)!);
  if (problem) return problem;
  if (c.checks?.rowCount !== undefined && result.data.length !== c.checks.rowCount) return `rowCount ${result.data.length} ≠ ${c.checks.rowCount}`;
  if (c.checks?.total !== undefined && Number(result.total) !== c.checks.total) return `total ${String(result.total)} ≠ ${c.checks.total}`;
  return undefined;
}

describe('Cube corpus: cases the classic planner runs', () => {
  it('holds the counts the corpus README states', () => {
    expect(cases).toHaveLength(105);
    expect(mustFail).toHaveLength(2);
  });

  for (const c of baseline) {
    it(c.name, async () => {
      const problem = check(c, await load(c.query));
      if (problem) tally.baselineFailed++;
      else tally.baselinePassed++;
      expect(problem, JSON.stringify(c.query)).toBeUndefined();
    });
  }
});

describe('Cube corpus: cases with expectsErrorMatching', () => {
  for (const c of mustFail) {
    const pattern = /^\/(.*)\/([a-z]*)$/.exec(c.expectsErrorMatching!)!;
    const matcher = new RegExp(pattern[1]!, pattern[2]!);
    if (c.runsIn.baseline) {
      it(`${c.name} (must fail)`, async () => {
        const res = await load(c.query);
        expect(res.status).toBe(400);
        expect(String(res.body.error)).toMatch(matcher);
      });
    } else {
      // Upstream (driverTestWithError, skipped for Postgres) only checks the error text *if* the
      // load fails: `promise().catch(e => expect(e.toString()).toMatch(/error/))`. The query is valid.
      it(`${c.name} (checked as upstream: a failure must match ${c.expectsErrorMatching})`, async () => {
        const res = await load(c.query);
        if (res.status !== 200) expect(`Error: ${String(res.body.error)}`).toMatch(matcher);
        else expect(res.body.results[0].data.length).toBeGreaterThan(0);
      });
    }
  }
});

describe('Cube corpus: later targets (only the newer planner runs them upstream)', () => {
  it(`counts how many of the ${laterTargets.length} already pass`, async () => {
    for (const c of laterTargets) {
      const problem = check(c, await load(c.query));
      if (problem) tally.laterFailed++;
      else tally.laterPassed++;
    }
    expect(tally.laterPassed + tally.laterFailed).toBe(laterTargets.length);
  });
});

describe('Cube corpus: custom granularity over a rollup (Cube Store buckets differ from the source)', () => {
  /** Cube's source rule for the granularity, written by hand: 180-day steps from the origin, floored. */
  const sourceSql = (withProduct: boolean) => `
    SELECT DATE '2024-01-01' + to_months(CAST(6 * floor(date_diff('day', DATE '2024-01-01', order_date) / 180) AS INTEGER)) AS half,
           ${withProduct ? 'product_name,' : ''} sum(quantity) AS qty
    FROM ecommerce WHERE order_date BETWEEN DATE '2020-01-01' AND DATE '2020-12-31'
    GROUP BY ALL ORDER BY 1${withProduct ? ', 2' : ''}`;
  /** Cube Store's rule: months from the origin 2024-01-01 divided by 6, rounded toward zero. */
  const cubeStoreSql = (withProduct: boolean) => `
    SELECT DATE '2024-01-01' + to_months(CAST(6 * trunc(((year(order_date) - 2024) * 12 + month(order_date) - 1) / 6) AS INTEGER)) AS half,
           ${withProduct ? 'product_name,' : ''} sum(quantity) AS qty
    FROM ecommerce WHERE order_date BETWEEN DATE '2020-01-01' AND DATE '2020-12-31'
    GROUP BY ALL ORDER BY 1${withProduct ? ', 2' : ''}`;
  const asRows = (rows: Record<string, unknown>[], withProduct: boolean) =>
    rows.map((r) => {
      const half = `${String(r.half).slice(0, 10)}T00:00:00.000`;
      return {
        'ECommerce.orderDate': half,
        'ECommerce.orderDate.half_year': half,
        ...(withProduct ? { 'ECommerce.productName': r.product_name } : {}),
        'ECommerce.totalQuantity': String(r.qty),
      };
    });

  it('holds exactly the two half_year cases answered from a rollup', () => {
    expect(rollupBucketed.map((c) => c.name).sort()).toEqual([...CUBE_STORE_BUCKETING].sort());
  });

  for (const c of rollupBucketed) {
    const withProduct = c.name.endsWith('+ dimension');
    it(`${c.name}: our rows are the half-years Cube computes from the source`, async () => {
      const res = await load(c.query);
      expect(res.status).toBe(200);
      const want = asRows(await queryDuckDb(await corpusDatabase(), sourceSql(withProduct)), withProduct);
      expect(diffRows(res.body.results[0].data, want)).toBeUndefined();
    });
    it(`${c.name}: Cube's snapshot is the same sums rounded toward the origin`, async () => {
      const cubeStore = asRows(await queryDuckDb(await corpusDatabase(), cubeStoreSql(withProduct)), withProduct);
      expect(diffRows(expected.get(c.snapshotKey!)!, cubeStore)).toBeUndefined();
    });
  }
});

describe('Cube corpus: ordered by a measure the query does not select (the classic planner dropped the key)', () => {
  it('holds the three partitioned pre-agg cases', () => {
    expect(unselectedOrder.map((c) => c.name).sort()).toEqual([
      'querying BigECommerce: partitioned pre-agg',
      'querying ECommerce: partitioned pre-agg',
      'querying ECommerce: partitioned pre-agg higher granularity',
    ]);
  });

  for (const c of unselectedOrder) {
    const q = c.query as { measures: string[]; timeDimensions: { dimension: string; granularity: string }[] };
    const cube = q.measures[0]!.split('.')[0]!;
    const granularity = q.timeDimensions[0]!.granularity;
    // The order asked: orderDate asc, totalProfit desc, productName asc, written by hand.
    const handSql = `
      SELECT date_trunc('${granularity}', order_date) AS bucket, product_name, sum(quantity) AS qty, sum(profit) AS profit
      FROM ${cube.toLowerCase()} GROUP BY ALL ORDER BY bucket, profit DESC, product_name`;
    const asRows = (rows: Record<string, unknown>[]) =>
      rows.map((r) => {
        const bucket = `${String(r.bucket).slice(0, 10)}T00:00:00.000`;
        return { [`${cube}.orderDate`]: bucket, [`${cube}.orderDate.${granularity}`]: bucket, [`${cube}.productName`]: r.product_name, [`${cube}.totalQuantity`]: String(r.qty) };
      });
    const sorted = (rows: readonly Record<string, unknown>[]) => rows.map((r) => JSON.stringify(Object.entries(r).map(([k, v]) => [k, String(v)]).sort())).sort();

    it(`${c.name}: our rows follow the asked order, the measure included`, async () => {
      const res = await load(c.query);
      expect(res.status).toBe(200);
      expect(diffRows(res.body.results[0].data, asRows(await queryDuckDb(await corpusDatabase(), handSql)))).toBeUndefined();
    });
    it(`${c.name}: they are Cube's rows (its snapshot orders them without the measure)`, async () => {
      const res = await load(c.query);
      expect(sorted(res.body.results[0].data)).toEqual(sorted(expected.get(c.snapshotKey!)!));
    });
  }
});
