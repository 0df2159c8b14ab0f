/**
 * Pre-aggregation endpoints under `/cubejs-api/v1`:
 * - `POST /pre-aggregations/jobs` — Cube's jobs protocol (`action: post | get`), used by the
 *   Airflow DAG `preagg_refresh` to trigger builds and poll them. Outside dev mode the token must
 *   carry the `jobs` scope, as Cube requires.
 *   `selector.partitions` (our extension) rebuilds only those partitions of the one rollup named.
 * - `GET /pre-aggregations` — one status per rollup: state, last refresh, duration, rows,
 *   partitions (each with its range, build time and rows), partitions not built, last error.
 * https://cube.dev/docs/product/apis-integrations/rest-api/reference#base_pathv1pre-aggregationsjobs
 */
import { Router, type Request } from 'express';
import type { Authenticator } from '../../security/create-authenticator.ts';
import type { PreAggregations } from '../../preagg/open-pre-aggregations.ts';
import type { JobsSelector } from '../../preagg/preagg-jobs.ts';
import { UserError } from '../../errors/user-error.ts';

export interface PreAggregationRoutesOptions {
  readonly authenticator: Authenticator;
  readonly devMode: boolean;
  /** Absent when pre-aggregations are off; `unavailable` says why (e.g. the store did not open). */
  readonly preAggregations?: PreAggregations;
  readonly unavailable?: string;
}

export function createPreAggregationRoutes(options: PreAggregationRoutesOptions): Router {
  const router = Router();

  const service = async (req: Request): Promise<PreAggregations> => {
    const context = await options.authenticator.authenticate(req.get('authorization'));
    if (!options.devMode && !hasJobsScope(context.scope)) {
      throw new UserError('ACCESS_DENIED', 'The token lacks the "jobs" scope the pre-aggregation endpoints require');
    }
    if (!options.preAggregations) {
      throw new UserError('UNSUPPORTED', `Pre-aggregations are not available: ${options.unavailable ?? 'disabled (set CUBEJS_REFRESH_WORKER=true or CUBEJS_PRE_AGGREGATIONS_STORE_PATH)'}`);
    }
    return options.preAggregations;
  };

  router.post('/pre-aggregations/jobs', async (req, res) => {
    const preAggregations = await service(req);
    const body = (req.body ?? {}) as { action?: unknown; selector?: unknown; tokens?: unknown; resType?: unknown };
    if (body.action === 'post') {
      res.json(preAggregations.jobs.post(readSelector(body.selector)));
    } else if (body.action === 'get') {
      if (!Array.isArray(body.tokens) || body.tokens.some((t) => typeof t !== 'string')) {
        throw new UserError('QUERY_INVALID', '"tokens" must be an array of job tokens for action "get"');
      }
      const statuses = preAggregations.jobs.get(body.tokens as string[]);
      res.json(body.resType === 'object' ? Object.fromEntries(statuses.map(({ token, ...rest }) => [token, rest])) : statuses);
    } else {
      throw new UserError('QUERY_INVALID', `"action" must be "post" or "get", got ${JSON.stringify(body.action ?? null)}`);
    }
  });

  router.get('/pre-aggregations', async (req, res) => {
    res.json({ preAggregations: (await service(req)).status() });
  });
  return router;
}

/** Does a security context's `scope` claim (array or space/comma-separated string) include `jobs`? */
export function hasJobsScope(scope: unknown): boolean {
  if (Array.isArray(scope)) return scope.includes('jobs');
  return typeof scope === 'string' && scope.split(/[\s,]+/).includes('jobs');
}

function readSelector(selector: unknown): JobsSelector {
  if (selector === undefined) return {};
  if (typeof selector !== 'object' || selector === null || Array.isArray(selector)) throw new UserError('QUERY_INVALID', '"selector" must be an object');
  const s = selector as Record<string, unknown>;
  const list = (key: string): string[] | undefined => {
    const value = s[key];
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new UserError('QUERY_INVALID', `selector.${key} must be an array of strings`);
    return value as string[];
  };
  const partitions = list('partitions');
  return { cubes: list('cubes'), preAggregations: list('preAggregations'), timezones: list('timezones'), contexts: Array.isArray(s.contexts) ? s.contexts : undefined, ...(partitions ? { partitions } : {}) };
}
