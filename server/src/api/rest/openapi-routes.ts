/**
 * Serves the OpenAPI 3.1 description of the REST API (`openapi.yaml`, next to this file) as
 * `/cubejs-api/v1/openapi.json` and `/cubejs-api/v1/openapi.yaml`. Public: it describes, never answers.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import { parse } from 'yaml';

export const OPENAPI_PATH = path.join(import.meta.dirname, 'openapi.yaml');

export function loadOpenApiDocument(): Record<string, unknown> {
  return parse(readFileSync(OPENAPI_PATH, 'utf8')) as Record<string, unknown>;
}

export function createOpenApiRoutes(): Router {
  const text = readFileSync(OPENAPI_PATH, 'utf8');
  const json = JSON.stringify(parse(text));
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(json);
  });
  router.get('/openapi.yaml', (_req, res) => {
    res.type('application/yaml').send(text);
  });
  return router;
}
