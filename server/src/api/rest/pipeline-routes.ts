/**
 * Lakehouse pipeline endpoints under `/cubejs-api/v1`, for the CLI beside a running server
 * (DuckDB lets one process open the lakehouse file, and the server holds it):
 * - `POST /pipeline/jobs` — `{action: "post", command: "ingest"|"transform"|"check", tables?, layers?, check?}`
 *   queues a job and answers its status with a token; `{action: "get", tokens}` answers each job's
 *   status: scheduled, processing (with progress), done (with the result) or failure (code,
 *   message, hint). Modelled on Cube's pre-aggregation jobs protocol.
 * - `GET /pipeline/event-catalog` — the campaign, product and customer ids `stream produce` draws from.
 * Outside dev mode the token must carry the `jobs` scope, as for the pre-aggregation jobs. Only a
 * server on the local lakehouse has them; the SQL files run are the server's own (notebooks/sql).
 */
import { Router, type Request } from 'express';
import type { ServerConfig } from '../../config/config-types.ts';
import type { Authenticator } from '../../security/create-authenticator.ts';
import { UserError } from '../../errors/user-error.ts';
import { resolveLakehousePaths } from '../../lakehouse/lakehouse-paths.ts';
import { PipelineJobs, type PipelineJobRequest } from '../../lakehouse/pipeline-jobs.ts';
import { hasJobsScope } from './preagg-routes.ts';

export interface PipelineRoutesOptions {
  readonly authenticator: Authenticator;
  readonly config: ServerConfig;
  /** A job that failed on something other than a UserError (a bug): logged by the caller. */
  readonly onInternalError?: (error: unknown) => void;
}

export function createPipelineRoutes(options: PipelineRoutesOptions): Router {
  const router = Router();
  const { source, lakehouseDir, devMode } = options.config;
  const jobs = source.type === 'duckdb' && source.isLocalLakehouse
    ? new PipelineJobs({ paths: resolveLakehousePaths({ dir: lakehouseDir }), onInternalError: options.onInternalError })
    : undefined;

  const service = async (req: Request): Promise<PipelineJobs> => {
    const context = await options.authenticator.authenticate(req.get('authorization'));
    if (!devMode && !hasJobsScope(context.scope)) {
      throw new UserError('ACCESS_DENIED', 'The token lacks the "jobs" scope the pipeline endpoints require');
    }
    if (!jobs) {
      throw new UserError('UNSUPPORTED', 'This server does not run on the local lakehouse (CUBEJS_DB_TYPE or CUBEJS_DB_DUCKDB_DATABASE_PATH is set): there are no pipeline jobs');
    }
    return jobs;
  };

  router.post('/pipeline/jobs', async (req, res) => {
    const jobs = await service(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.action === 'post') {
      const { command, tables, rds, layers, check } = body as unknown as PipelineJobRequest;
      res.json(jobs.post({ command, tables, rds, layers, check }));
    } else if (body.action === 'get') {
      if (!Array.isArray(body.tokens) || body.tokens.some((t) => typeof t !== 'string')) {
        throw new UserError('QUERY_INVALID', '"tokens" must be an array of job tokens for action "get"');
      }
      res.json(jobs.get(body.tokens as string[]));
    } else {
      throw new UserError('QUERY_INVALID', `"action" must be "post" or "get", got ${JSON.stringify(body.action ?? null)}`);
    }
  });

  router.get('/pipeline/event-catalog', async (req, res) => {
    res.json(await (await service(req)).eventCatalog());
  });
  return router;
}
