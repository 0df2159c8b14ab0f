/**
 * What the playground's browser tests share: Debian's Chromium driven by playwright-core (flags
 * for containers and CI), a page that records and blocks every request leaving the server's
 * origin, `/load` over HTTP (the independent side of table comparisons) and the screenshot folder.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots of the browser tests (gitignored). */
export const SHOTS = path.resolve(import.meta.dirname, '../../../../test-results/playground');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/** Opens `url` in a new page; any request to another origin is aborted and pushed to `foreign`. */
export async function openGuardedPage(browser: Browser, url: string, foreign: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const origin = new URL(url).origin;
  await page.route('**/*', async (route) => {
    const requested = route.request().url();
    if (requested.startsWith('data:') || requested.startsWith('blob:') || new URL(requested).origin === origin) return route.continue();
    foreign.push(requested);
    return route.abort('blockedbyclient');
  });
  await page.goto(url);
  return page;
}

/** A REST call over HTTP following "Continue wait"; throws on an error status. */
export async function restGet<T>(baseUrl: string, endpoint: 'load' | 'explain' | 'sql', query: unknown, token?: string): Promise<T> {
  for (;;) {
    const res = await fetch(`${baseUrl}/cubejs-api/v1/${endpoint}?query=${encodeURIComponent(JSON.stringify(query))}`, { headers: token ? { authorization: token } : {} });
    const body = (await res.json()) as T & { error?: string };
    if (body.error === 'Continue wait') continue;
    if (!res.ok) throw new Error(`${endpoint} failed (${res.status}): ${JSON.stringify(body)}`);
    return body;
  }
}

/** The text of every row of a table (`tbody tr` → cells). */
export async function tableRows(page: Page, testId: string): Promise<string[][]> {
  return page.getByTestId(testId).locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
}
