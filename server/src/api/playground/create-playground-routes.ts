/**
 * The dev-mode playground: one static page that reads /meta, lets a modeler pick members, runs
 * /load (following "Continue wait" like @cubejs-client/core does) and shows the rows and the SQL
 * from /sql. It talks to the public REST API only, so it is also a living compatibility check.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Router } from 'express';

/** Where the REST API is mounted, written into the page. */
export interface PlaygroundOptions {
  readonly restBasePath: string;
}

export function createPlaygroundRoutes(options: PlaygroundOptions): Router {
  const html = readFileSync(path.join(import.meta.dirname, 'playground.html'), 'utf8').replace(
    '__REST_BASE_PATH__',
    JSON.stringify(options.restBasePath),
  );
  const router = Router();
  const page = (_req: unknown, res: { type(t: string): { send(b: string): void } }): void => {
    res.type('text/html').send(html);
  };
  router.get('/', page);
  router.get('/playground', page);
  return router;
}
