/**
 * Cube's REST API under `/cubejs-api/v1`: `load`, `sql`, `dry-run` (GET with `?query=` or POST
 * with `{query}`) and `meta`, plus our `explain` (which pre-aggregation serves a query, and why not). A protocol adapter only: it authenticates, checks the query's shape,
 * calls the SemanticEngine and writes Cube's response shapes. It never builds SQL.
 * Reference: https://cube.dev/docs/product/apis-integrations/rest-api/reference
 */
import type { ServerResponse } from 'node:http';
import { Router, type Request, type Response } from 'express';
import type { LoadResponse, LoadResult, RequestContext, SemanticEngine } from '../../engine/engine-types.ts';
import type { CubeQuery } from '../../query/query-types.ts';
import type { Authenticator } from '../../security/create-authenticator.ts';
import type { ServerMetrics } from '../../observability/create-metrics.ts';
import { locals } from '../../observability/request-observer.ts';
import { UserError } from '../../errors/user-error.ts';
import { parseCubeQuery } from '../../query/parse-cube-query.ts';
import { parseQuery, readParams, readRawParams, requestText, type RestRequest } from './read-query.ts';
import { writeJson } from '../../util/write-json.ts';
import { loadResponseChunks } from './serialize-load-response.ts';
import { CheckedTexts } from '../../reuse/checked-texts.ts';
import { CONTINUE_WAIT, continueWaitKey, type ContinueWait } from '../../reuse/continue-wait.ts';
import { blendedPivot, blendResults, checkBlendingQueries } from './blend-queries.ts';

/** What the REST routes need; `main.ts`/`server.ts` wire it. */
export interface RestApiOptions {
  readonly engine: SemanticEngine;
  readonly authenticator: Authenticator;
  readonly metrics: ServerMetrics;
  readonly queryLimit: number;
  /** Wait before answering "Continue wait" (Cube's continueWaitTimeout). */
  readonly continueWaitMs: number;
  readonly queryTimeoutMs: number;
  /** Cube's "Continue wait" runs, shared with GraphQL (reuse/continue-wait.ts). */
  readonly continueWait: ContinueWait;
}

type Endpoint = 'load' | 'sql' | 'dry-run' | 'meta' | 'explain';

export function createRestRouter(options: RestApiOptions): Router {
  const router = Router();
  const { engine } = options;
  const load = createLoadHandler(options);

  const sql = async (req: Request, res: Response): Promise<void> => {
    const ctx = await requestContext(req, res, options);
    const { query } = readParams(req);
    const queries = toQueryList(query, options.queryLimit);
    if (Array.isArray(query)) checkBlendingQueries(queries);
    const sqls = await timed(options, 'sql', async () => (await Promise.all(queries.map((q) => engine.sql(q, ctx)))).flat());
    // One query answers `{sql}`; several (compareDateRange, a blending array) an array of them, as Cube's gateway does.
    res.json(sqls.length === 1 ? { sql: sqls[0] } : sqls.map((s) => ({ sql: s })));
  };

  const dryRun = async (req: Request, res: Response): Promise<void> => {
    const ctx = await requestContext(req, res, options);
    const { query } = readParams(req);
    const queries = toQueryList(query, options.queryLimit);
    if (!Array.isArray(query)) {
      res.json(await timed(options, 'dry-run', () => engine.dryRun(queries[0]!, ctx)));
      return;
    }
    // A blending array: every query's normalized form, in order, as one blending query.
    checkBlendingQueries(queries);
    const each = await timed(options, 'dry-run', () => Promise.all(queries.map((q) => engine.dryRun(q, ctx))));
    const normalizedQueries = each.flatMap((d) => d.normalizedQueries);
    res.json({
      queryType: 'blendingQuery',
      normalizedQueries,
      queryOrder: each.flatMap((d) => d.queryOrder),
      pivotQuery: blendedPivot(normalizedQueries, 'blendingQuery'),
      transformedQueries: each.flatMap((d) => d.transformedQueries),
    });
  };

  // Which pre-aggregation /load would read for the query, why each other one would not, and a
  // rollup to add when none serves it. One query (compareDateRange: the first period on top, every
  // period under `periods`).
  const explain = async (req: Request, res: Response): Promise<void> => {
    const ctx = await requestContext(req, res, options);
    const { query } = readParams(req);
    const [first, ...rest] = toQueryList(query, options.queryLimit);
    if (rest.length > 0) throw new UserError('UNSUPPORTED', '/v1/explain takes one query, not an array');
    const explainQuery = engine.explain?.bind(engine);
    if (!explainQuery) throw new UserError('UNSUPPORTED', 'This server cannot explain queries');
    const explained = await timed(options, 'explain', () => explainQuery(first!, ctx));
    res.json(explained.length === 1 ? explained[0] : { ...explained[0], periods: explained });
  };

  const meta = async (req: Request, res: Response): Promise<void> => {
    const ctx = await requestContext(req, res, options);
    const extended = req.query.extended !== undefined && req.query.extended !== 'false';
    res.json(await timed(options, 'meta', () => engine.meta(ctx, { extended })));
  };

  router.get('/load', load);
  router.post('/load', load);
  router.get('/sql', sql);
  router.post('/sql', sql);
  router.get('/dry-run', dryRun);
  router.post('/dry-run', dryRun);
  router.get('/explain', explain);
  router.post('/explain', explain);
  router.get('/meta', meta);
  return router;
}

/** A `/load` request's parameters after the query schema: what a repeat of the same text reuses. */
interface CheckedLoad {
  readonly queries: readonly CubeQuery[];
  readonly blending: boolean;
  readonly queryType?: string;
}

/**
 * The `/load` handler (GET `?query=` and POST), on node's own request and response: the hot
 * route (load-route.ts) runs it without express, the express routes for the path's other forms
 * with it. Parameters sent before as the same text (the GET's query string, the POST's body
 * bytes) are not parsed or checked again (reuse/checked-texts.ts); a repeated answer is written
 * from its kept encoding in one write.
 */
export function createLoadHandler(options: RestApiOptions): (req: RestRequest, res: ServerResponse) => Promise<void> {
  const { engine } = options;
  const checkedTexts = new CheckedTexts<CheckedLoad>();
  const check = (req: RestRequest): CheckedLoad => {
    const { query: raw, queryType } = readRawParams(req);
    const query = parseQuery(raw);
    const queries = toQueryList(query, options.queryLimit);
    const blending = Array.isArray(query);
    if (blending) checkBlendingQueries(queries);
    return { queries, blending, queryType };
  };
  return async (req, res) => {
    const ctx = await requestContext(req, res, options);
    const text = requestText(req);
    const { queries, blending, queryType } = text === undefined ? check(req) : checkedTexts.get(text, () => check(req));
    if (blending && queryType !== 'multi') throw unsupportedByClient('blendingQuery');
    // The checked query objects: the engine keys the same object, so it is serialized once.
    const key = continueWaitKey('rest', blending ? queries : queries[0]!, ctx.securityContext);
    const run = () => (blending ? loadBlended(engine, queries, ctx) : engine.load(queries[0]!, ctx));
    const outcome = await options.continueWait.run(key, () => timed(options, 'load', run), options.continueWaitMs);
    if (!outcome.done) {
      options.metrics.continueWaits.inc({ endpoint: 'load' });
      writeJson(res, 200, { error: CONTINUE_WAIT });
      return;
    }
    const multi = queryType === 'multi';
    if (outcome.value.queryType !== 'regularQuery' && !multi) {
      throw unsupportedByClient(outcome.value.queryType);
    }
    const responseFormat = queries[0]!.responseFormat;
    // The body's bytes around the request id are kept with the answer: a repeated query is
    // written without encoding or copying its rows again, the pieces corked into one write with
    // the headers.
    const { chunks, bytes } = loadResponseChunks(outcome.value, multi, { requestId: ctx.requestId, responseFormat });
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', bytes);
    res.cork();
    for (let i = 0; i < chunks.length - 1; i++) res.write(chunks[i]!);
    res.end(chunks[chunks.length - 1]!);
    res.uncork();
  };
}

/** Cube's answer to a client that did not send `queryType=multi` for a query with several results. */
function unsupportedByClient(queryType: string): UserError {
  return new UserError('UNSUPPORTED', `'${queryType}' query type is not supported by the client. Please update the client.`, {
    hint: 'send queryType=multi (as @cubejs-client/core does) to receive {queryType, results, pivotQuery}',
  });
}

/** Each query checked by the engine's own schema (query/parse-cube-query.ts); a blending array names `query[i]`. */
function toQueryList(query: unknown, maxLimit: number): CubeQuery[] {
  if (!Array.isArray(query)) return [parseCubeQuery(query, { maxLimit })];
  if (query.length === 0) throw new UserError('QUERY_INVALID', 'Invalid query format: query: must not be an empty array');
  return query.map((q, i) => parseCubeQuery(q, { maxLimit, prefix: `query[${i}]` }));
}

/** An array of queries is Cube's data blending: one result per query, in the request's order. */
async function loadBlended(engine: SemanticEngine, queries: readonly CubeQuery[], ctx: RequestContext): Promise<LoadResponse> {
  const results: LoadResult[] = [];
  for (const query of queries) results.push(...(await engine.load(query, ctx)).results);
  return blendResults(queries, results);
}

async function requestContext(req: RestRequest, res: ServerResponse, options: RestApiOptions): Promise<RequestContext> {
  const securityContext = await options.authenticator.authenticate(req.headers.authorization);
  // The timeout signal (a timer) is created when a query reaches the database, not for answers
  // served from the cache; it counts from the request's start either way.
  const deadline = Date.now() + options.queryTimeoutMs;
  let signal: AbortSignal | undefined;
  return {
    securityContext,
    requestId: locals(res).requestId,
    api: 'rest',
    get signal() {
      return (signal ??= AbortSignal.timeout(Math.max(0, deadline - Date.now())));
    },
  };
}

async function timed<T>(options: RestApiOptions, endpoint: Endpoint, run: () => Promise<T>): Promise<T> {
  const end = options.metrics.queryDuration.startTimer({ api: 'rest', endpoint });
  try {
    const value = await run();
    end({ outcome: 'ok' });
    return value;
  } catch (error) {
    end({ outcome: error instanceof UserError ? 'user_error' : 'error' });
    throw error;
  }
}
