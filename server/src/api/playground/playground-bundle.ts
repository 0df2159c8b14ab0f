/**
 * The playground's browser bundle (Vite + React, sources in `server/playground/`): where it lives,
 * whether it is stale, and building it with Vite's programmatic `build()` into the gitignored
 * `server/playground/dist/`. `npm start` and the browser tests call `ensurePlaygroundBundle`, so
 * nobody has to remember a separate build step, and a fresh bundle is reused (no build at all).
 *
 * Vite and the React plugin are development dependencies: a production install (`npm ci
 * --omit=dev`) cannot build, so `ensurePlaygroundBundle` then reports why and the server serves a
 * page saying how to build instead of failing to start. Nothing is fetched at run time: every
 * script, style and font of the pages (GraphiQL included) is in the bundle.
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { firstLoadSize, type FirstLoadSize } from './first-load-size.ts';

/** The app's sources (index.html, graphiql.html, src/). */
export const PLAYGROUND_SOURCE_DIR = path.resolve(import.meta.dirname, '../../../playground');
/** The built bundle, served by the server. */
export const PLAYGROUND_DIST_DIR = path.join(PLAYGROUND_SOURCE_DIR, 'dist');
/** URL prefix of the bundle's files (Vite's `base`). */
export const PLAYGROUND_ASSET_BASE = '/playground/';
/** Written last by a build: what was built and how big the first load is. */
const BUILD_INFO = 'build-info.json';

/** What a build wrote (also kept in `dist/build-info.json`). */
export interface PlaygroundBuildInfo {
  readonly builtAt: string;
  readonly buildMs: number;
  readonly firstLoad: FirstLoadSize;
  /** The dashboards page's first load (absent in bundles built before it existed). */
  readonly dashboardsFirstLoad?: FirstLoadSize;
}

/** The outcome of `ensurePlaygroundBundle`. */
export type BundleOutcome =
  | { readonly state: 'fresh'; readonly info: PlaygroundBuildInfo }
  | { readonly state: 'built'; readonly info: PlaygroundBuildInfo }
  | { readonly state: 'unavailable'; readonly reason: string };

/** The last build's info, or undefined when no complete bundle exists. */
export function readBuildInfo(dist = PLAYGROUND_DIST_DIR): PlaygroundBuildInfo | undefined {
  const file = path.join(dist, BUILD_INFO);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PlaygroundBuildInfo;
  } catch {
    return undefined;
  }
}

/** Newest modification time (ms) of the app sources and of this builder (its config is part of the output). */
function newestSourceMtime(): number {
  let newest = statSync(import.meta.filename).mtimeMs;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'dist' || entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  walk(PLAYGROUND_SOURCE_DIR);
  return newest;
}

/**
 * True when the bundle in `dist` is missing, incomplete, or older than a source file. A bundle
 * shipped without its sources (an image that copies only `dist/`) is never stale.
 */
export function isBundleStale(dist = PLAYGROUND_DIST_DIR): boolean {
  const info = readBuildInfo(dist);
  if (!info || !existsSync(path.join(dist, 'index.html'))) return true;
  if (!existsSync(PLAYGROUND_SOURCE_DIR) || !existsSync(path.join(PLAYGROUND_SOURCE_DIR, 'src'))) return false;
  return statSync(path.join(dist, BUILD_INFO)).mtimeMs < newestSourceMtime();
}

/** Options of a build: where progress lines go, a forced rebuild, and another output folder (tests). */
export interface EnsureBundleOptions {
  readonly log?: (line: string) => void;
  readonly force?: boolean;
  readonly distDir?: string;
}

/** Builds under way in this process, per output folder. */
const building = new Map<string, Promise<BundleOutcome>>();

/**
 * Builds the bundle when it is missing or stale (one build at a time per process). The build goes
 * to a temporary folder that replaces `dist/` at the end, so a server never serves half a bundle.
 */
export function ensurePlaygroundBundle(options: EnsureBundleOptions = {}): Promise<BundleOutcome> {
  const dist = options.distDir ?? PLAYGROUND_DIST_DIR;
  let running = building.get(dist);
  if (!running) {
    running = buildIfNeeded(options).finally(() => building.delete(dist));
    building.set(dist, running);
  }
  return running;
}

async function buildIfNeeded(options: EnsureBundleOptions): Promise<BundleOutcome> {
  const log = options.log ?? (() => {});
  const dist = options.distDir ?? PLAYGROUND_DIST_DIR;
  if (!options.force && !isBundleStale(dist)) {
    const info = readBuildInfo(dist)!;
    log(`Playground: bundle up to date (built ${info.builtAt}); first load ${formatKb(info.firstLoad.jsGzipBytes)} of gzipped JavaScript`);
    return { state: 'fresh', info };
  }
  if (!existsSync(path.join(PLAYGROUND_SOURCE_DIR, 'index.html'))) {
    const reason = `the playground bundle is not built and its sources (${PLAYGROUND_SOURCE_DIR}) are not here`;
    log(`Playground: ${reason}`);
    return { state: 'unavailable', reason };
  }
  let vite: typeof import('vite');
  let react: typeof import('@vitejs/plugin-react');
  try {
    vite = await import('vite');
    react = await import('@vitejs/plugin-react');
  } catch {
    const reason = 'the playground bundle is not built and Vite is not installed (a production install); build it where dev dependencies are installed';
    log(`Playground: ${reason}`);
    return { state: 'unavailable', reason };
  }
  const started = performance.now();
  const outDir = `${dist}.building-${process.pid}`;
  log('Playground: building the browser bundle (Vite)…');
  rmSync(outDir, { recursive: true, force: true });
  // A production bundle whatever NODE_ENV says: Vite and the React plugin read it (vitest sets
  // "test", which would bundle React's development build and JSX runtime).
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await runViteBuild(vite, react, outDir);
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  const info: PlaygroundBuildInfo = {
    builtAt: new Date().toISOString(),
    buildMs: Math.round(performance.now() - started),
    firstLoad: firstLoadSize(outDir, 'index.html'),
    dashboardsFirstLoad: firstLoadSize(outDir, 'dashboards.html'),
  };
  writeFileSync(path.join(outDir, BUILD_INFO), JSON.stringify(info, null, 2));
  replaceFolder(outDir, dist);
  log(
    `Playground: bundle built in ${(info.buildMs / 1000).toFixed(1)} s; first load ${formatKb(info.firstLoad.jsGzipBytes)} of gzipped JavaScript ` +
      `(${info.firstLoad.jsFiles.length} files, ${formatKb(info.firstLoad.jsBytes)} raw) + ${formatKb(info.firstLoad.cssGzipBytes)} of gzipped CSS; ` +
      `dashboards first load ${formatKb(info.dashboardsFirstLoad!.jsGzipBytes)} of gzipped JavaScript`,
  );
  return { state: 'built', info };
}

/** Vite's `build()` of the three pages (playground, GraphiQL, dashboards) into `outDir`, with a manifest for the sizes. */
async function runViteBuild(vite: typeof import('vite'), react: typeof import('@vitejs/plugin-react'), outDir: string): Promise<void> {
  await vite.build({
    configFile: false,
    mode: 'production',
    root: PLAYGROUND_SOURCE_DIR,
    base: PLAYGROUND_ASSET_BASE,
    logLevel: 'warn',
    clearScreen: false,
    plugins: [react.default()],
    build: {
      outDir,
      emptyOutDir: true,
      manifest: true,
      sourcemap: false,
      chunkSizeWarningLimit: 2_000,
      rollupOptions: {
        // React Compiler's runtime (inside GraphiQL) marks itself "use no memo"; bundling drops the directive harmlessly.
        onwarn(warning, warn) {
          if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
        },
        input: {
          index: path.join(PLAYGROUND_SOURCE_DIR, 'index.html'),
          graphiql: path.join(PLAYGROUND_SOURCE_DIR, 'graphiql.html'),
          dashboards: path.join(PLAYGROUND_SOURCE_DIR, 'dashboards.html'),
        },
      },
    },
  });
}

/** Moves `from` to `to`, replacing it; another process finishing its build in between wins the race harmlessly. */
function replaceFolder(from: string, to: string): void {
  for (let attempt = 0; ; attempt++) {
    rmSync(to, { recursive: true, force: true });
    try {
      renameSync(from, to);
      return;
    } catch (error) {
      if (attempt >= 2) throw error;
    }
  }
}

function formatKb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}
