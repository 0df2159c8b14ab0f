/**
 * The playground follows Cube's "Continue wait" protocol in a real browser: with the engine made
 * slower than the server's wait time, a query typed into the JSON box is answered after retries
 * (shown as such in the timings tab), the engine runs it once, and the table holds REST's rows.
 */
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { SemanticEngine } from '../../src/engine/engine-types.ts';
import { ensurePlaygroundBundle } from '../../src/api/playground/playground-bundle.ts';
import { startStack, type Stack } from '../support/stack.ts';
import { launchChromium, openGuardedPage, restGet, SHOTS, tableRows } from './support/browser.ts';

let stack: Stack;
let browser: Browser;
let loads = 0;
const foreign: string[] = [];

beforeAll(async () => {
  const outcome = await ensurePlaygroundBundle({ log: (line) => console.log(line) });
  if (outcome.state === 'unavailable') throw new Error(outcome.reason);
  await mkdir(SHOTS, { recursive: true });
  const slow = (engine: SemanticEngine): SemanticEngine => ({
    ...engine,
    load: async (query, ctx) => {
      loads++;
      await new Promise((r) => setTimeout(r, 600));
      return engine.load(query, ctx);
    },
  });
  stack = await startStack({ data: 'corpus', env: { CUBEJS_CONTINUE_WAIT_TIMEOUT: '0.05' }, wrapEngine: slow, serve: { http: true } });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe('playground and Continue wait', () => {
  it('retries until the answer is there, once per query on the engine, and shows the retries', async () => {
    const page = await openGuardedPage(browser, `${stack.url}/`, foreign);
    const query = { measures: ['ECommerce.count'], dimensions: ['ECommerce.category'], order: [['ECommerce.category', 'asc']] };
    await page.getByTestId('query-json').fill(JSON.stringify(query));
    await page.getByTestId('run-query').click();
    await page.getByTestId('results-table').waitFor({ timeout: 30_000 });
    expect(loads).toBe(1);
    const shown = await tableRows(page, 'results-table');
    const rest = await restGet<{ data: Record<string, unknown>[] }>(stack.url, 'load', query);
    expect(shown).toEqual(rest.data.map((r) => [String(r['ECommerce.category']), String(r['ECommerce.count'])]));
    expect(shown.length).toBe(3);
    await page.getByTestId('result-tab-timings').click();
    const stages = (await tableRows(page, 'browser-timings')).map(([stage]) => stage);
    expect(stages).toContain('load');
    expect(stages).toContain('load (retry 1)');
    await page.screenshot({ path: path.join(SHOTS, 'continue-wait-timings.png'), fullPage: true });
    await page.close();
    expect(foreign).toEqual([]);
  }, 60_000);
});
