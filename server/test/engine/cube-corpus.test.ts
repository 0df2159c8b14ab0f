/**
 * Cube's own driver-test corpus at engine level: every REST case Cube's classic planner runs must
 * return the rows Cube returns on Postgres (rows as maps, numbers compared numerically, row order
 * significant); the two error cases must fail; Tesseract-only cases are counted and reported.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadResult, RequestContext, SemanticEngine } from '../../src/engine/engine-types.ts';
import { CORPUS_JS_MODEL_DIR, loadCorpusCases, ordersByUnselectedMember, type CorpusCase } from '../fixtures/cube-corpus.ts';
import { startStack, type Stack } from '../support/stack.ts';

const ctx: RequestContext = { securityContext: {}, requestId: 'corpus', api: 'internal' };
const { cases, expectedByName: expected } = loadCorpusCases();

const stacks: Stack[] = [];
/** The same cases over the YAML model and over its JavaScript translation (fixtures/cube-corpus-js). */
const engines: Record<'yaml' | 'js', SemanticEngine> = {} as Record<'yaml' | 'js', SemanticEngine>;

beforeAll(async () => {
  for (const format of ['yaml', 'js'] as const) {
    const stack = await startStack({ data: 'corpus', ...(format === 'js' ? { model: { dir: CORPUS_JS_MODEL_DIR } } : {}) });
    stacks.push(stack);
    engines[format] = stack.engine;
  }
});

afterAll(async () => {
  for (const stack of stacks) await stack.close();
});

/** Rows of a columnar result, as `results[0].data` of `/load`. */
export function rowsOf(result: LoadResult): Record<string, unknown>[] {
  return Array.from({ length: result.rowCount }, (_, r) => Object.fromEntries(result.columns.map((c, i) => [c.name, result.data[i]![r]])));
}

const APPROX = /countApprox|rollingCountApprox/;

function normalizeValue(key: string, value: unknown, loose: boolean): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : undefined;
  if (n !== undefined) return APPROX.test(key) && loose ? new Approximately(n) : Number(n.toFixed(6));
  return value;
}

/** HyperLogLog estimates differ between engines: equal within 20 % (the README's "compare loosely"). */
class Approximately {
  constructor(readonly value: number) {}
  asymmetricMatch(other: unknown): boolean {
    const v = other instanceof Approximately ? other.value : Number(other);
    return Math.abs(v - this.value) <= Math.max(1, 0.2 * Math.abs(this.value));
  }
  toString(): string {
    return `≈${this.value}`;
  }
}

function normalizeRows(rows: readonly Record<string, unknown>[], loose = false): Record<string, unknown>[] {
  return rows.map((row) => Object.fromEntries(Object.keys(row).sort().map((k) => [k, normalizeValue(k, row[k], loose)])));
}

/**
 * Baseline cases whose expected rows come from Cube Store: it buckets a custom granularity over
 * monthly rollup rows by rounding toward the origin, while Cube's source SQL floors (its twin on
 * `customOrderDateNoPreAgg` passes here). We answer as Cube does from the source, rollup or not;
 * the REST corpus suite (server/test/api/cube-corpus.test.ts) checks both rules by hand-written SQL.
 */
const FROM_ROLLUP_ONLY = new Set([
  'querying custom granularities (with preaggregation) ECommerce: totalQuantity by half_year + no dimension',
  'querying custom granularities (with preaggregation) ECommerce: totalQuantity by half_year + dimension',
]);
const classic = cases.filter((c) => c.runsIn.baseline && !c.expectsErrorMatching && expected.has(c.name) && !FROM_ROLLUP_ONLY.has(c.name));
const baseline = classic.filter((c) => !ordersByUnselectedMember(c));
// Ordered by a member they do not select: Cube's rows in another order (the REST corpus suite checks that order by hand-written SQL).
const unselectedOrder = classic.filter(ordersByUnselectedMember);
const asSet = (rows: Record<string, unknown>[]): string[] => rows.map((r) => JSON.stringify(r)).sort();
// The "noisy test" is skipped for Postgres upstream in both planners (runsIn: neither); only cases that run must fail.
const errorCases = cases.filter((c) => c.expectsErrorMatching && (c.runsIn.baseline || c.runsIn.tesseract));
const tesseractOnly = cases.filter((c) => !c.runsIn.baseline && c.runsIn.tesseract && !c.expectsErrorMatching);

describe.each(['yaml', 'js'] as const)('Cube driver-test corpus (engine level, DuckDB), %s model', (format) => {
  const engine = { load: (...args: Parameters<SemanticEngine['load']>) => engines[format].load(...args) };
  it.each(baseline.map((c) => [c.name, c] as const))('%s', async (_name, c: CorpusCase) => {
    const response = await engine.load(c.query, ctx);
    const result = response.results[0]!;
    expect(normalizeRows(rowsOf(result), false)).toEqual(normalizeRows(expected.get(c.name)!, true));
    if (c.checks?.rowCount !== undefined) expect(result.rowCount).toBe(c.checks.rowCount);
    if (c.checks?.total !== undefined) expect(result.total).toBe(c.checks.total);
  });

  it.each(unselectedOrder.map((c) => [c.name, c] as const))("%s: Cube's rows, in the order asked", async (_name, c: CorpusCase) => {
    const response = await engine.load(c.query, ctx);
    expect(asSet(normalizeRows(rowsOf(response.results[0]!)))).toEqual(asSet(normalizeRows(expected.get(c.name)!)));
  });

  it.each(errorCases.map((c) => [c.name, c] as const))('fails as Cube does: %s', async (_name, c: CorpusCase) => {
    const pattern = new RegExp(c.expectsErrorMatching!.replace(/^\/|\/$/g, ''), 'i');
    await expect(engine.load(c.query, ctx)).rejects.toThrow(pattern);
  });

  it('counts the cases only Cube Tesseract runs (later targets)', async () => {
    let passing = 0;
    for (const c of tesseractOnly) {
      const rows = expected.get(c.name);
      if (!rows) continue;
      try {
        const response = await engine.load(c.query, ctx);
        if (JSON.stringify(normalizeRows(rowsOf(response.results[0]!))) === JSON.stringify(normalizeRows(rows))) passing += 1;
      } catch {
        // counted as not passing
      }
    }
    console.info(`Tesseract-only corpus cases: ${tesseractOnly.length}, passing here: ${passing}; baseline cases answered from rollups only: ${FROM_ROLLUP_ONLY.size}`);
    expect(tesseractOnly.length).toBeGreaterThan(0);
  });
});
