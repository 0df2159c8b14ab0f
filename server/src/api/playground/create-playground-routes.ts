/**
 * The dev-mode playground (a Vite + React app, sources in `server/playground/`): its page at `/`
 * and `/playground`, the business dashboards at `/dashboards/<name>`, the bundle's files under `/playground/`, and one dev-only endpoint,
 * `GET /playground/api/model-status` (the latest reload's errors with file and line, warnings and
 * joins), authenticated like the REST API. Everything else the page needs comes from the public
 * REST API, so the playground is also a living compatibility check. When the bundle is not built
 * (an install without dev dependencies), the page says how to build it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import express, { Router, type Request, type Response } from 'express';
import type { SemanticModel } from '../../model/model-types.ts';
import type { Authenticator } from '../../security/create-authenticator.ts';
import { modelStatus } from './model-status.ts';
import { PLAYGROUND_DIST_DIR } from './playground-bundle.ts';

/** Where the REST API is mounted (written into the page), and what the model status reads. */
export interface PlaygroundOptions {
  readonly restBasePath: string;
  readonly authenticator: Authenticator;
  readonly getModel: () => SemanticModel;
  readonly modelError?: () => unknown;
}

const escapeAttribute = (value: string): string => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * A page of the bundle (`index.html`, `graphiql.html`) with the `<meta name=…>` values replaced,
 * read per request so a rebuild shows without a restart; undefined when the bundle is missing.
 */
export function bundlePage(file: string, metas: Readonly<Record<string, string>>): string | undefined {
  const full = path.join(PLAYGROUND_DIST_DIR, file);
  if (!existsSync(full)) return undefined;
  let html = readFileSync(full, 'utf8');
  for (const [name, value] of Object.entries(metas)) {
    html = html.replace(new RegExp(`(<meta name="${name}" content=")[^"]*(")`), `$1${escapeAttribute(value)}$2`);
  }
  return html;
}

/** The page shown when the bundle is not built: what to run, and where the APIs are meanwhile. */
export function missingBundlePage(title: string, restBasePath: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body>
<h1>${title}</h1>
<p>The browser bundle is not built. Run <code>npm run build:playground</code> (needs the dev dependencies), or start the server with <code>npm start</code>, which builds it.</p>
<p>The REST API is at <code>${escapeAttribute(restBasePath)}</code>.</p>
</body></html>`;
}

/** The bundle's files (hashed names: cached for a year). */
export function createPlaygroundAssetRoutes(): Router {
  const router = Router();
  router.use('/assets', express.static(path.join(PLAYGROUND_DIST_DIR, 'assets'), { immutable: true, maxAge: '365d', index: false, fallthrough: true }));
  return router;
}

export function createPlaygroundRoutes(options: PlaygroundOptions): Router {
  const router = Router();
  const page = (_req: Request, res: Response): void => {
    const html = bundlePage('index.html', { 'rest-base-path': options.restBasePath }) ?? missingBundlePage('Playground', options.restBasePath);
    res.set('cache-control', 'no-cache').type('text/html').send(html);
  };
  router.get('/', page);
  router.get('/playground', page);
  // The business dashboards: one page, the dashboard named by the path (client-side).
  const dashboards = (_req: Request, res: Response): void => {
    const html = bundlePage('dashboards.html', { 'rest-base-path': options.restBasePath }) ?? missingBundlePage('Dashboards', options.restBasePath);
    res.set('cache-control', 'no-cache').type('text/html').send(html);
  };
  router.get(['/dashboards', '/dashboards/:name'], dashboards);
  router.get('/playground/api/model-status', async (req, res) => {
    await options.authenticator.authenticate(req.get('authorization'));
    res.set('cache-control', 'no-store').json(modelStatus(options.getModel(), options.modelError?.()));
  });
  return router;
}
