/**
 * The playground in a real browser (Debian's headless Chromium driven by playwright-core) against
 * the real server on the Cube corpus data: a query built by clicking (measure, dimension, a filter,
 * an order) shows the same rows as REST `/load` for the same query and as hand-written SQL on the
 * source table; the chart draws marks; the explain panel answers (or says the endpoint is
 * missing); the model tab draws every declared join; a broken model file shows its error with
 * file and line while the last good model keeps answering; nothing is fetched from another
 * origin (GraphiQL included); the first load stays under 1 MB of gzipped JavaScript.
 * Screenshots go to test-results/playground/.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { parse as parseYaml } from 'yaml';
import { ensurePlaygroundBundle, type PlaygroundBuildInfo } from '../../src/api/playground/playground-bundle.ts';
import type { SqlServer } from '../../src/api/sql/start-sql-server.ts';
import { CORPUS_MODEL_DIR } from '../fixtures/cube-corpus.ts';
import { queryDuckDb, startStack, type Stack } from '../support/stack.ts';
import { launchChromium, openGuardedPage, restGet, SHOTS, tableRows } from './support/browser.ts';

const MB = 1024 * 1024;

const restLoad = async (url: string, query: unknown): Promise<Record<string, unknown>[]> => (await restGet<{ data: Record<string, unknown>[] }>(url, 'load', query)).data;

let duckdbPath: string;
let modelDir: string;
let running: Stack;
let browser: Browser;
let sqlApi: SqlServer;
let build: PlaygroundBuildInfo;
const foreignRequests: string[] = [];

const openPage = (pathname: string): Promise<Page> => openGuardedPage(browser, `${running.url}${pathname}`, foreignRequests);

beforeAll(async () => {
  const outcome = await ensurePlaygroundBundle({ log: (line) => console.log(line) });
  if (outcome.state === 'unavailable') throw new Error(outcome.reason);
  build = outcome.info;
  await mkdir(SHOTS, { recursive: true });
  // The real stack (as `npm start` builds it) on a copy of the corpus model, watched (dev mode).
  running = await startStack({
    data: 'corpus', model: { dir: CORPUS_MODEL_DIR, copy: true },
    serve: { http: true, sql: { users: { playground: { password: 'pw', securityContext: {} } } } },
  });
  duckdbPath = running.duckdbPath;
  modelDir = running.modelDir;
  sqlApi = running.sqlServer!;
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await running?.close();
  console.log(`Playground screenshots: ${SHOTS}`);
});

describe('playground in headless Chromium', () => {
  it('builds a query by clicking and shows the same rows as REST /load and as SQL on the source table', async () => {
    const page = await openPage('/');
    await page.getByTestId('cube:ECommerce').click();
    await page.getByTestId('measures:ECommerce.totalSales').check();
    await page.getByTestId('dimensions:ECommerce.city').check();
    await page.getByTestId('add-filter').click();
    await page.getByTestId('filter-member-0').selectOption('ECommerce.city');
    await page.getByTestId('filter-operator-0').selectOption('notEquals');
    await page.getByTestId('filter-values-0').fill('New York City, Detroit');
    await page.getByTestId('filter-values-0').press('Enter');
    await page.getByTestId('add-order').click();
    await page.getByTestId('order-member-0').selectOption('ECommerce.totalSales');
    await page.getByTestId('order-direction-0').selectOption('desc');
    // Ticking one more member and unticking it keeps the filter written above.
    await page.getByTestId('measures:ECommerce.count').check();
    await page.getByTestId('measures:ECommerce.count').uncheck();

    const query = {
      measures: ['ECommerce.totalSales'],
      dimensions: ['ECommerce.city'],
      filters: [{ member: 'ECommerce.city', operator: 'notEquals', values: ['New York City', 'Detroit'] }],
      order: [['ECommerce.totalSales', 'desc']],
      limit: 100,
    };
    expect(JSON.parse(await page.getByTestId('query-json').inputValue())).toEqual(query);

    await page.getByTestId('run-query').click();
    const table = page.getByTestId('results-table');
    await table.waitFor();
    const headers = await table.locator('th').evaluateAll((ths) => ths.map((th) => th.getAttribute('data-member')));
    expect(headers).toEqual(['ECommerce.city', 'ECommerce.totalSales']);
    const shown = await tableRows(page, 'results-table');
    await page.screenshot({ path: path.join(SHOTS, 'query-table.png'), fullPage: true });

    const rest = await restLoad(running.url, query);
    expect(shown).toEqual(rest.map((row) => [String(row['ECommerce.city']), String(row['ECommerce.totalSales'])]));
    // Independent of the server altogether: the same numbers from the source table.
    const sql = await queryDuckDb(
      duckdbPath,
      `SELECT city, SUM(sales)::DOUBLE AS total FROM ecommerce WHERE city NOT IN ('New York City', 'Detroit') OR city IS NULL GROUP BY city ORDER BY total DESC`,
    );
    expect(shown.length).toBe(sql.length);
    expect(shown.length).toBeGreaterThan(3);
    // Ties (equal totals) may come in either order: compare as sets, and check the page's order is descending.
    const byCity = new Map(sql.map((row) => [String(row.city), Number(row.total)]));
    for (const [city, total] of shown) expect(Number(total)).toBeCloseTo(byCity.get(city!)!, 6);
    expect(new Set(shown.map(([city]) => city))).toEqual(new Set(byCity.keys()));
    const totals = shown.map(([, total]) => Number(total));
    expect(totals).toEqual([...totals].sort((a, b) => b - a));

    // The chart draws one bar per row.
    await page.getByTestId('result-tab-chart').click();
    await page.getByTestId('chart-type-bar').check();
    const bars = page.getByTestId('chart').locator('svg .recharts-bar-rectangle');
    await expect.poll(() => bars.count()).toBe(shown.length);
    await page.getByTestId('chart-type-line').check();
    await expect.poll(() => page.getByTestId('chart').locator('svg path.recharts-line-curve').count()).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, 'query-chart.png'), fullPage: true });

    // The generated SQL is what /sql returns for the same query.
    await page.getByTestId('result-tab-sql').click();
    const sqlRes = (await (await fetch(`${running.url}/cubejs-api/v1/sql?query=${encodeURIComponent(JSON.stringify(query))}`)).json()) as { sql: { sql: [string, unknown[]] } };
    expect(await page.getByTestId('generated-sql').textContent()).toContain(sqlRes.sql.sql[0]);

    // The copies: the REST JSON is the query; the SQL API statement runs through MEASURE().
    await page.getByTestId('result-tab-copy').click();
    expect(JSON.parse((await page.getByTestId('export-rest').textContent())!)).toEqual(query);
    // The SQL API statement runs over the Postgres wire and gives the rows of the table.
    const statement = (await page.getByTestId('export-sql').textContent())!;
    expect(statement).toMatch(/MEASURE\("totalSales"\)[\s\S]*FROM "ECommerce"[\s\S]*GROUP BY 1/);
    const client = new pg.Client({ host: '127.0.0.1', port: sqlApi.port, user: 'playground', password: 'pw', database: 'db' });
    await client.connect();
    try {
      const wire = (await client.query({ text: statement, rowMode: 'array' })).rows as unknown[][];
      // Same rows; ties in the order (equal totals) may come either way.
      const bySales = (rows: [string, number][]) => rows.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
      expect(bySales(wire.map(([city, total]) => [String(city), Number(total)]))).toEqual(bySales(shown.map(([city, total]) => [city!, Number(total)])));
    } finally {
      await client.end();
    }
    expect(await page.getByTestId('export-graphql').textContent()).toContain('eCommerce(where: { city: { notIn: ["New York City", "Detroit"] } }, orderBy: { totalSales: desc })');

    // Timings: one row per request, and which source answered.
    await page.getByTestId('result-tab-timings').click();
    await expect.poll(() => page.getByTestId('browser-timings').locator('tbody tr').count()).toBeGreaterThanOrEqual(2);
    // Engine stages, when the server reports them (dev mode: annotation.timings of /load).
    const annotated = await restGet<{ annotation: { timings?: Record<string, number> } }>(running.url, 'load', { ...query, limit: 99 });
    if (annotated.annotation.timings) {
      const stages = (await tableRows(page, 'server-timings')).map(([stage]) => stage);
      expect(stages[0]).toBe('rewrite');
      expect(stages).toContain('execute');
    } else {
      expect(await page.getByTestId('timings').textContent()).toContain('stage timings in dev mode only');
    }
    expect(await page.getByTestId('served-by').textContent()).toMatch(/Answered from/);

    // Explain: the panel answers, or says the endpoint is not there yet.
    await page.getByTestId('result-tab-explain').click();
    const explainStatus = (await fetch(`${running.url}/cubejs-api/v1/explain?query=${encodeURIComponent(JSON.stringify(query))}`)).status;
    if (explainStatus === 404) await page.getByTestId('explain-unavailable').waitFor();
    else {
      await page.getByTestId('explain-served-by').waitFor();
      expect(await page.getByTestId('explain-served-by').textContent()).toMatch(/Served by|No pre-aggregation/);
    }
    await page.screenshot({ path: path.join(SHOTS, 'query-explain.png'), fullPage: true });
    await page.close();
  }, 120_000);

  it('keeps a hand-written and/or filter group when members are ticked', async () => {
    const page = await openPage('/');
    const group = { or: [{ member: 'ECommerce.city', operator: 'equals', values: ['Columbus'] }, { member: 'ECommerce.sales', operator: 'gt', values: ['100'] }] };
    await page.getByTestId('query-json').fill(JSON.stringify({ measures: ['ECommerce.count'], filters: [group] }));
    await page.getByTestId('cube:ECommerce').click();
    await page.getByTestId('dimensions:ECommerce.city').check();
    await page.getByTestId('measures:ECommerce.count').uncheck();
    await page.getByTestId('measures:ECommerce.totalSales').check();
    const query = JSON.parse(await page.getByTestId('query-json').inputValue());
    expect(query).toEqual({ measures: ['ECommerce.totalSales'], dimensions: ['ECommerce.city'], filters: [group] });
    await page.getByTestId('run-query').click();
    await page.getByTestId('results-table').waitFor();
    const rest = await restLoad(running.url, query);
    expect((await tableRows(page, 'results-table')).sort()).toEqual(rest.map((r) => [String(r['ECommerce.city']), String(r['ECommerce.totalSales'])]).sort());
    await page.close();
  }, 60_000);

  it('draws every declared join and lists members with their type and format', async () => {
    const page = await openPage('/');
    await page.getByTestId('tab-model').click();
    const graph = page.getByTestId('join-graph');
    const model = parseYaml(await readFile(path.join(CORPUS_MODEL_DIR, 'ecommerce.yml'), 'utf8')) as { cubes: { name: string; joins?: { name: string }[] }[] };
    const declared = model.cubes.flatMap((c) => (c.joins ?? []).map((j) => `${c.name}->${j.name}`)).sort();
    await expect.poll(() => graph.locator('g.join-edge').count()).toBe(declared.length);
    const drawn = await graph.locator('g.join-edge').evaluateAll((gs) => gs.map((g) => `${g.getAttribute('data-from')}->${g.getAttribute('data-to')}`));
    expect(drawn.sort()).toEqual(declared);
    await page.getByTestId('explore:ECommerce').click();
    const rows = await tableRows(page, 'member-table');
    expect(rows).toContainEqual(['measure', 'ECommerce.totalSales', expect.any(String), 'number', '', '']);
    expect(rows).toContainEqual(['dimension', 'ECommerce.orderDate', expect.any(String), 'time', '', '']);
    await page.screenshot({ path: path.join(SHOTS, 'model-explorer.png'), fullPage: true });
    await page.close();
  }, 60_000);

  it('shows a model error with file and line while it is in the file, and clears it when fixed', async () => {
    const page = await openPage('/');
    await page.getByTestId('model-badge').filter({ hasText: 'model OK' }).waitFor();
    const file = path.join(modelDir, 'ecommerce.yml');
    const good = await readFile(file, 'utf8');
    const lines = good.split('\n');
    const at = lines.findIndex((l) => l.includes('{ name: totalSales, sql: sales, type: sum }'));
    lines.splice(at + 1, 0, '      - { name: brokenMeasure, sql: sales, type: not_a_type }');
    await writeFile(file, lines.join('\n'));
    try {
      const errors = page.getByTestId('model-errors');
      await errors.waitFor({ timeout: 15_000 });
      expect(await errors.textContent()).toContain(`ecommerce.yml:${at + 2}`);
      await page.screenshot({ path: path.join(SHOTS, 'model-error.png'), fullPage: true });
      // The last good model still answers.
      expect((await restLoad(running.url, { measures: ['ECommerce.count'] })).length).toBe(1);
    } finally {
      await writeFile(file, good);
    }
    await page.getByTestId('model-errors').waitFor({ state: 'detached', timeout: 15_000 });
    await page.close();
  }, 60_000);

  it('serves GraphiQL from the bundle and never leaves the server origin', async () => {
    const page = await openPage('/cubejs-api/graphql');
    await page.locator('.graphiql-container').waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(SHOTS, 'graphiql.png') });
    await page.close();
    expect(foreignRequests).toEqual([]);
  }, 60_000);

  it('first load stays under 1 MB of gzipped JavaScript (measured in the browser and by the build)', async () => {
    const page = await browser.newPage();
    const scripts: string[] = [];
    page.on('response', (res) => {
      if (res.request().resourceType() === 'script') scripts.push(res.url());
    });
    await page.goto(`${running.url}/`, { waitUntil: 'networkidle' });
    await page.close();
    let gzipped = 0;
    for (const url of scripts) gzipped += gzipSync(Buffer.from(await (await fetch(url)).arrayBuffer())).length;
    console.log(`Playground first load: ${(gzipped / 1024).toFixed(1)} KB gzipped JavaScript in ${scripts.length} file(s) (build says ${(build.firstLoad.jsGzipBytes / 1024).toFixed(1)} KB)`);
    expect(scripts.length).toBeGreaterThan(0);
    expect(gzipped).toBeLessThanOrEqual(MB);
    expect(build.firstLoad.jsGzipBytes).toBeLessThanOrEqual(MB);
    expect(gzipped).toBe(build.firstLoad.jsGzipBytes);
  }, 60_000);
});
