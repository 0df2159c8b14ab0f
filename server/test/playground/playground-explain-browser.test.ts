/**
 * The playground's time controls, timings and explain panel in headless Chromium, on the
 * repository's model over the gold fixture with the `fato_vendas.por_canal_dia` rollup built:
 * a query clicked together (measure, dimension, time dimension by month over a date range,
 * entered with a real JWT in the token input) shows the rows of REST `/load`, says the rollup
 * answered (as `/load`'s `usedPreAggregations` does), and the explain panel names it; adding a
 * filter on a member outside the rollup makes the panel show no rollup, the candidate's reasons
 * and the suggested YAML exactly as `/explain` returns them. The pre-aggregations tab shows the
 * rollup's rows and partitions as `GET /pre-aggregations` does and rebuilds one partition.
 */
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ensurePlaygroundBundle } from '../../src/api/playground/playground-bundle.ts';
import { startStack, type Stack } from '../support/stack.ts';
import { launchChromium, openGuardedPage, restGet, SHOTS, tableRows } from './support/browser.ts';

const SECRET = 'playground-explain-secret-of-32-bytes!!';
const ROLLUP = 'fato_vendas.por_canal_dia';

interface Explained {
  servedBy: { preAggregation: string } | null;
  candidates: { preAggregation: string; served: boolean; reasons: { code: string }[] }[];
  suggestion?: { yaml: string };
}

let stack: Stack;
let url: string;
let browser: Browser;
let token: string;
const foreign: string[] = [];

beforeAll(async () => {
  const outcome = await ensurePlaygroundBundle({ log: (line) => console.log(line) });
  if (outcome.state === 'unavailable') throw new Error(outcome.reason);
  await mkdir(SHOTS, { recursive: true });
  // Dev mode (the playground is served) with tokens still required.
  stack = await startStack({ data: 'gold', security: { secret: SECRET }, env: { CUBEJS_DEV_MODE: 'true' }, preaggs: true });
  const statuses = await stack.preAggregations!.refresher.refresh(stack.engine.currentModel(), { force: true, only: [ROLLUP] });
  expect(statuses.map((s) => s.state)).toEqual(['ready']);
  url = (await stack.server.listen(0, '127.0.0.1')).url;
  token = await new SignJWT({ groups: ['internal'] }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('10m').sign(new TextEncoder().encode(SECRET));
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe('playground explain panel in headless Chromium', () => {
  it('shows the rollup that served a clicked query, and why none serves once a filter leaves it', async () => {
    const page = await openGuardedPage(browser, `${url}/`, foreign);
    await page.getByTestId('token').fill(token);
    await page.getByTestId('cube:fato_vendas').click();
    await page.getByTestId('measures:fato_vendas.vendas_liquidas').check();
    await page.getByTestId('cube:dim_canal').click();
    await page.getByTestId('dimensions:dim_canal.nome').check();
    await page.getByTestId('time-dimension').selectOption('fato_vendas.data_venda');
    await page.getByTestId('granularity').selectOption('month');
    await page.getByTestId('date-from').fill('2024-02-01');
    await page.getByTestId('date-to').fill('2024-03-31');
    const query = {
      limit: 100,
      measures: ['fato_vendas.vendas_liquidas'],
      dimensions: ['dim_canal.nome'],
      timeDimensions: [{ dimension: 'fato_vendas.data_venda', granularity: 'month', dateRange: ['2024-02-01', '2024-03-31'] }],
    };
    expect(JSON.parse(await page.getByTestId('query-json').inputValue())).toEqual(query);

    await page.getByTestId('run-query').click();
    await page.getByTestId('results-table').waitFor();
    const shown = await tableRows(page, 'results-table');
    const rest = await restGet<{ data: Record<string, unknown>[]; usedPreAggregations: Record<string, unknown> }>(url, 'load', query, token);
    expect(shown).toEqual(rest.data.map((row) => [String(row['fato_vendas.data_venda.month']), String(row['dim_canal.nome']), String(row['fato_vendas.vendas_liquidas'])]));
    expect(shown.length).toBeGreaterThan(1);
    expect(Object.keys(rest.usedPreAggregations)).toEqual([ROLLUP]);

    await page.getByTestId('result-tab-timings').click();
    expect(await page.getByTestId('served-by').textContent()).toContain(`Answered from rollup ${ROLLUP}`);
    await page.getByTestId('result-tab-explain').click();
    expect(await page.getByTestId('explain-served-by').textContent()).toContain(`Served by ${ROLLUP}`);
    await page.screenshot({ path: path.join(SHOTS, 'explain-served.png'), fullPage: true });

    // A filter on a member the rollup does not hold.
    await page.getByTestId('add-filter').click();
    await page.getByTestId('filter-member-0').selectOption('fato_vendas.status_pedido');
    await page.getByTestId('filter-operator-0').selectOption('set');
    await page.getByTestId('run-query').click();
    const unserved = { ...query, filters: [{ member: 'fato_vendas.status_pedido', operator: 'set' }] };
    expect(JSON.parse(await page.getByTestId('query-json').inputValue())).toEqual(unserved);
    const explained = await restGet<Explained>(url, 'explain', unserved, token);
    expect(explained.servedBy).toBeNull();
    await page.getByTestId('result-tab-explain').click();
    await expect.poll(async () => page.getByTestId('explain-served-by').textContent()).toMatch(/No pre-aggregation serves this query/);
    const candidates = await tableRows(page, 'explain-candidates');
    expect(candidates.map(([name]) => name)).toEqual(explained.candidates.map((c) => c.preAggregation));
    const row = candidates.find(([name]) => name === ROLLUP)!;
    const codes = explained.candidates.find((c) => c.preAggregation === ROLLUP)!.reasons.map((r) => r.code);
    expect(codes).toContain('FILTER_ON_NON_ROLLUP_MEMBER');
    for (const code of codes) expect(row[2]).toContain(code);
    if (explained.suggestion) expect(await page.getByTestId('explain-suggestion').locator('pre').textContent()).toBe(explained.suggestion.yaml);
    await page.screenshot({ path: path.join(SHOTS, 'explain-unserved.png'), fullPage: true });

    // The pre-aggregations page: the rollup's rows and partitions as GET /pre-aggregations has them; rebuild one partition.
    interface Status { id: string; rowCount: number; partitionDetails: { partition: string; builtAt: string; rowCount: number }[] }
    const statusOf = async (): Promise<Status> => {
      const res = await fetch(`${url}/cubejs-api/v1/pre-aggregations`, { headers: { authorization: token } });
      return ((await res.json()) as { preAggregations: Status[] }).preAggregations.find((p) => p.id === ROLLUP)!;
    };
    const before = await statusOf();
    expect(before.partitionDetails.length).toBeGreaterThan(1);
    await page.getByTestId('tab-preaggs').click();
    const rollupRow = page.locator(`tr[data-rollup="${ROLLUP}"]`);
    await rollupRow.waitFor();
    expect(await rollupRow.locator('td').nth(4).textContent()).toBe(String(before.rowCount));
    await page.getByTestId(`preagg:${ROLLUP}`).click();
    const partitions = await tableRows(page, `partitions:${ROLLUP}`);
    expect(partitions.map(([key, , , builtAt, rows]) => [key, builtAt, Number(rows)])).toEqual(before.partitionDetails.map((p) => [p.partition, p.builtAt, p.rowCount]));
    const target = before.partitionDetails[0]!;
    await page.getByTestId(`rebuild:${ROLLUP}/${target.partition}`).click();
    await expect.poll(() => page.getByTestId(`job:${ROLLUP}/${target.partition}`).textContent(), { timeout: 30_000 }).toBe('done');
    const after = await statusOf();
    const rebuilt = after.partitionDetails.find((p) => p.partition === target.partition)!;
    expect(rebuilt.builtAt > target.builtAt).toBe(true);
    // Only that partition was rebuilt.
    for (const p of after.partitionDetails.filter((p) => p.partition !== target.partition)) expect(p.builtAt).toBe(before.partitionDetails.find((b) => b.partition === p.partition)!.builtAt);
    await expect.poll(async () => (await tableRows(page, `partitions:${ROLLUP}`)).find(([key]) => key === target.partition)?.[3]).toBe(rebuilt.builtAt);
    await page.screenshot({ path: path.join(SHOTS, 'pre-aggregations.png'), fullPage: true });

    // The query being built survived the visit to another tab.
    await page.getByTestId('tab-build').click();
    expect(JSON.parse(await page.getByTestId('query-json').inputValue())).toEqual(unserved);
    await page.close();
    expect(foreign).toEqual([]);
  }, 120_000);
});
