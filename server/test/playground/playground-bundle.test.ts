/**
 * The playground bundle's life cycle: built with Vite's `build()` when missing, reused while
 * fresh, rebuilt once older than its sources, with the first load's gzipped JavaScript counted
 * independently here (from the scripts `index.html` references, following their static imports
 * in the files themselves) and kept ≤ 1 MB; and `npm start` (main.ts) building or reusing it and
 * serving the page and its scripts.
 */
import { mkdtemp, readdir, readFile, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ensurePlaygroundBundle, PLAYGROUND_ASSET_BASE } from '../../src/api/playground/playground-bundle.ts';
import { CORPUS_MODEL_DIR } from '../fixtures/cube-corpus.ts';
import { cleanEnv, runMain } from '../api/support/run-main.ts';
import { corpusDatabase } from '../support/stack.ts';

const MB = 1024 * 1024;

/** Scripts a browser fetches before anything is clicked: module scripts and preloads of the page, plus their static imports. */
async function firstLoadFromFiles(dist: string): Promise<{ files: string[]; gzipBytes: number }> {
  const html = await readFile(path.join(dist, 'index.html'), 'utf8');
  const pending = [...html.matchAll(/(?:src|href)="([^"]+\.js)"/g)].map((m) => m[1]!.replace(PLAYGROUND_ASSET_BASE, ''));
  const seen = new Set<string>();
  let gzipBytes = 0;
  while (pending.length) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = await readFile(path.join(dist, file));
    gzipBytes += gzipSync(code).length;
    // Static imports between chunks: `import … from "./x.js"` / `import "./x.js"` (not `import("./x.js")`).
    for (const m of code.toString('utf8').matchAll(/(?:^|[;\s}])import\s*(?:[\w${},*\s]+from\s*)?["']\.\/([\w.-]+\.js)["']/g)) pending.push(path.posix.join(path.posix.dirname(file), m[1]!));
  }
  return { files: [...seen], gzipBytes };
}

describe('playground bundle', () => {
  it('is built when missing, reused while fresh, rebuilt when older than its sources; first load ≤ 1 MB gzipped', async () => {
    const dist = path.join(await mkdtemp(path.join(os.tmpdir(), 'playground-dist-')), 'dist');
    const lines: string[] = [];
    const built = await ensurePlaygroundBundle({ distDir: dist, log: (l) => lines.push(l) });
    expect(built.state).toBe('built');
    expect(lines.at(-1)).toMatch(/bundle built in [\d.]+ s; first load [\d.]+ KB of gzipped JavaScript/);
    const counted = await firstLoadFromFiles(dist);
    console.log(`first load: ${(counted.gzipBytes / 1024).toFixed(1)} KB gzipped JS in ${counted.files.length} file(s); the build reports ${lines.at(-1)}`);
    expect(counted.gzipBytes).toBeLessThanOrEqual(MB);
    if (built.state !== 'built') return;
    expect(built.info.firstLoad.jsGzipBytes).toBe(counted.gzipBytes);
    // GraphiQL is not part of the first load, but it is in the bundle.
    const assets = await readdir(path.join(dist, 'assets'));
    expect(assets.some((f) => /^graphiql-.*\.js$/.test(f))).toBe(true);
    expect(counted.files.some((f) => f.includes('graphiql'))).toBe(false);

    expect((await ensurePlaygroundBundle({ distDir: dist })).state).toBe('fresh');
    // A build older than every source (its stamp dated 1970) is stale.
    await utimes(path.join(dist, 'build-info.json'), new Date(0), new Date(0));
    expect((await ensurePlaygroundBundle({ distDir: dist })).state).toBe('built');
  }, 180_000);

  it('npm start builds or reuses it and serves the page with its scripts', async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'playground-start-'));
    const proc = runMain(
      cwd,
      cleanEnv({ CUBEJS_SCHEMA_PATH: CORPUS_MODEL_DIR, CUBEJS_DB_DUCKDB_DATABASE_PATH: await corpusDatabase(), CUBEJS_DEV_MODE: 'true', PORT: '0', CUBEJS_PG_SQL_PORT: '0', CUBEJS_LOG_LEVEL: 'warn' }),
    );
    try {
      await proc.waitFor(/Playground: (bundle built|bundle up to date)/, 120_000);
      const [, url] = await proc.waitFor(/Playground: (http:\/\/\S+?)\/\n/, 60_000);
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      const html = await page.text();
      const scripts = [...html.matchAll(/<script type="module"[^>]*src="([^"]+)"/g)].map((m) => m[1]!);
      expect(scripts.length).toBe(1);
      const script = await fetch(`${url}${scripts[0]}`);
      expect([script.status, script.headers.get('content-type')]).toEqual([200, expect.stringMatching(/javascript/)]);
      expect(html).not.toMatch(/https?:\/\//);
    } finally {
      proc.child.kill('SIGTERM');
      await proc.exited;
    }
  }, 180_000);
});
