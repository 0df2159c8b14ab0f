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

/** True when the bundle is missing, incomplete, or older than a source file. */
export function isBundleStale(): boolean {
  const info = readBuildInfo();
  if (!info || !existsSync(path.join(PLAYGROUND_DIST_DIR, 'index.html'))) return true;
  return statSync(path.join(PLAYGROUND_DIST_DIR, BUILD_INFO)).mtimeMs < newestSourceMtime();
}

/** Options of a build: where progress lines go, and a forced rebuild. */
export interface EnsureBundleOptions {
  readonly log?: (line: string) => void;
  readonly force?: boolean;
}

let building: Promise<BundleOutcome> | undefined;

/**
 * Builds the bundle when it is missing or stale (one build at a time per process). The build goes
 * to a temporary folder that replaces `dist/` at the end, so a server never serves half a bundle.
 */
export function ensurePlaygroundBundle(options: EnsureBundleOptions = {}): Promise<BundleOutcome> {
  building ??= buildIfNeeded(options).finally(() => (building = undefined));
  return building;
}

async function buildIfNeeded(options: EnsureBundleOptions): Promise<BundleOutcome> {
  const log = options.log ?? (() => {});
  if (!options.force && !isBundleStale()) return { state: 'fresh', info: readBuildInfo()! };
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
  const outDir = `${PLAYGROUND_DIST_DIR}.building-${process.pid}`;
  log('Playground: building the browser bundle (Vite)…');
  rmSync(outDir, { recursive: true, force: true });
  await vite.build({
    configFile: false,
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
        },
      },
    },
  });
  const info: PlaygroundBuildInfo = {
    builtAt: new Date().toISOString(),
    buildMs: Math.round(performance.now() - started),
    firstLoad: firstLoadSize(outDir, 'index.html'),
  };
  writeFileSync(path.join(outDir, BUILD_INFO), JSON.stringify(info, null, 2));
  rmSync(PLAYGROUND_DIST_DIR, { recursive: true, force: true });
  renameSync(outDir, PLAYGROUND_DIST_DIR);
  log(
    `Playground: bundle built in ${(info.buildMs / 1000).toFixed(1)} s; first load ${formatKb(info.firstLoad.jsGzipBytes)} of gzipped JavaScript ` +
      `(${info.firstLoad.jsFiles.length} files, ${formatKb(info.firstLoad.jsBytes)} raw) + ${formatKb(info.firstLoad.cssGzipBytes)} of gzipped CSS`,
  );
  return { state: 'built', info };
}

function formatKb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}
