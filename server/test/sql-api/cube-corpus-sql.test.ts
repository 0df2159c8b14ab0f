/**
 * The 22 SQL API cases of Cube's driver-test corpus, over the wire, against the real engine on
 * the corpus data (see support/corpus-sql-cases.ts). Every case runs; the suite requires the
 * cases listed in PASSING and prints the count. Of the 21 cases Cube's classic planner runs, three
 * are not met (reported, not hidden): two for reasons outside SQL translation, one by design:
 * - ungrouped pre-agg: Cube answers it from a rollup in Cube Store, which sorts the NULL `totalSales`
 *   last on `ORDER BY 2 DESC`; PostgreSQL (and the source query Cube would run) sorts it first.
 * - SQL push down push to cube quoted alias: PostgreSQL semantics of the LEFT JOIN give two groups
 *   (true for the top-3 customers, false for the others); Cube's push-down returns only `true`.
 * - powerbi min max ungrouped flag: Cube answers COUNT(DISTINCT), MIN and MAX of the sum measure
 *   `totalSales` over its per-row values (3.76 … 2399.96); we refuse aggregates that would not give
 *   the measure's own value at the query's grain, naming the measure (docs/powerbi.md). The test
 *   below requires that refusal.
 * The remaining case runs only in Cube's newer planner (Tesseract: time shift with a full outer
 * join of the shifted and unshifted measures); the classic planner's twin passes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSqlCases, runSqlCase, type SqlCaseOutcome } from './support/corpus-sql-cases.ts';
import { startStack, type Stack } from '../support/stack.ts';

const PASSING = [
  'SQL API: powerbi min max push down',
  'SQL API: reuse params',
  'SQL API: Simple Rollup',
  'SQL API: Complex Rollup',
  'SQL API: Rollup with aliases',
  'SQL API: Rollup over exprs',
  'SQL API: Nested Rollup',
  'SQL API: Nested Rollup with aliases',
  'SQL API: metabase count cast to float32 from push down',
  'SQL API: NULLS FIRST/LAST SQL push down',
  'SQL API: Rolling Window YTD (year + month + day + date_trunc equal)',
  'SQL API: Rolling Window YTD (year + month + day + date_trunc IN)',
  'SQL API: Date/time comparison with SQL push down',
  'SQL API: Date/time comparison with date_trunc with SQL push down',
  'SQL API: post-aggregate percentage of total',
  'SQL API: Nested Rollup over asterisk',
  'SQL API: Extended nested Rollup over asterisk',
  'SQL API: Timeshift measure from cube',
];

let harness: Stack;
beforeAll(async () => {
  harness = await startStack({ data: 'corpus', serve: { sql: true } });
}, 120_000);
afterAll(async () => harness?.close());

describe('Cube corpus SQL API cases over the wire', () => {
  it('passes every case listed as passing and reports the count', async () => {
    const { cases, expected } = await loadSqlCases();
    expect(cases).toHaveLength(22);
    const outcomes: SqlCaseOutcome[] = [];
    for (const c of cases) outcomes.push(await runSqlCase(harness.sqlPort, c, expected.get(c.name)!));
    const passed = outcomes.filter((o) => o.passed);
    const baseline = outcomes.filter((o) => o.baseline);
    console.log(`[sql-api corpus] ${passed.length}/22 pass; classic planner cases: ${baseline.filter((o) => o.passed).length}/${baseline.length}`);
    for (const o of outcomes.filter((x) => !x.passed)) console.log(`[sql-api corpus] not passing: ${o.name}: ${o.detail?.slice(0, 160)}`);
    const failing = PASSING.filter((name) => !passed.some((o) => o.name === name));
    expect(failing, JSON.stringify(outcomes.filter((o) => failing.includes(o.name)), null, 1)).toEqual([]);
    const minMax = outcomes.find((o) => o.name === 'SQL API: powerbi min max ungrouped flag')!;
    expect(minMax.detail).toMatch(/totalSales/);
  }, 120_000);
});
