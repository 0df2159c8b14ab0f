/**
 * Builds the HTTP server from already-created parts (config, engine, driver): middleware order,
 * routes, the one error mapping, 404s. Testable in-process: `createServer(...)` returns the request
 * handler (the `/load` hot route, then the express app) plus `listen`/`close`; nothing here reads
 * the environment or opens databases.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import cors from 'cors';
import type { ServerConfig } from './config/config-types.ts';
import type { Driver } from './drivers/driver-types.ts';
import type { SemanticEngine } from './engine/engine-types.ts';
import { UserError } from './errors/user-error.ts';
import { toRestError } from './errors/to-rest-error.ts';
import { fromBodyParserError } from './errors/from-body-parser-error.ts';
import { createLogger, type Logger } from './observability/create-logger.ts';
import { createMetrics, type ServerMetrics } from './observability/create-metrics.ts';
import { locals, observeRequest, requestObserver } from './observability/request-observer.ts';
import { createAuthenticator, type VerifiedToken } from './security/create-authenticator.ts';
import { BoundedStore } from './reuse/bounded-store.ts';
import { createLoadHandler, createRestRouter, type RestApiOptions } from './api/rest/create-rest-router.ts';
import { keepRawBody } from './api/rest/read-query.ts';
import { loadRoute } from './api/rest/load-route.ts';
import { createHealthRoutes, type ReadinessCheck } from './api/rest/health-routes.ts';
import { createOpenApiRoutes } from './api/rest/openapi-routes.ts';
import { ContinueWait } from './reuse/continue-wait.ts';
import { createPlaygroundAssetRoutes, createPlaygroundRoutes } from './api/playground/create-playground-routes.ts';
import { PLAYGROUND_ASSET_BASE } from './api/playground/playground-bundle.ts';
import { createGraphqlRouter } from './api/graphql/graphql-router.ts';
import { ClientLimiter } from './security/client-limiter.ts';
import { limitHttpClients } from './security/limit-http-clients.ts';
import { createPreAggregationRoutes } from './api/rest/preagg-routes.ts';
import { writeJson } from './util/write-json.ts';
import { createPipelineRoutes } from './api/rest/pipeline-routes.ts';
import type { PreAggregations } from './preagg/open-pre-aggregations.ts';

/** The parts a server is made of; `main.ts` creates them, tests pass their own. */
export interface ServerParts {
  readonly config: ServerConfig;
  readonly engine: SemanticEngine;
  readonly driver: Driver;
  readonly logger?: Logger;
  readonly metrics?: ServerMetrics;
  /** Per-client limits shared with the SQL API (main.ts); default: one built from `config.clientLimits`. */
  readonly clientLimiter?: ClientLimiter;
  /** Rollup store, refresher and jobs; absent when pre-aggregations are off. */
  readonly preAggregations?: PreAggregations;
  /** Why pre-aggregations are off, shown by their endpoints. */
  readonly preAggregationsUnavailable?: string;
  /** Why the latest model hot reload failed (the playground shows it); absent: never failed. */
  readonly modelError?: () => unknown;
  /** Extra conditions of /readyz besides the data source (the real-time stream, main.ts). */
  readonly readiness?: readonly ReadinessCheck[];
}

/**
 * The server as one request handler: node's `(req, res)` listener, or an express middleware when
 * mounted in another app (`next` is then called for nothing: every request is answered).
 */
export type ServerHandler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;

/** A built server: its handler for in-process tests, and a real socket on demand. */
export interface SemanticServer {
  readonly app: ServerHandler;
  readonly metrics: ServerMetrics;
  readonly logger: Logger;
  /**
   * Listens on `port` (0 = a free port) at `host` (default: the config's, else 127.0.0.1);
   * resolves with the bound URL.
   */
  listen(port?: number, host?: string): Promise<{ readonly port: number; readonly url: string }>;
  close(): Promise<void>;
}

export const REST_BASE_PATH = '/cubejs-api/v1';
/** Loopback only: reaching the HTTP API from other machines is a decision (CUBEJS_HOST). */
export const DEFAULT_HTTP_HOST = '127.0.0.1';
export const GRAPHQL_PATH = '/cubejs-api/graphql';
const BODY_LIMIT = '5mb';

export function createServer(parts: ServerParts): SemanticServer {
  const { config, driver } = parts;
  const logger = parts.logger ?? createLogger({ level: config.logLevel });
  const metrics = parts.metrics ?? createMetrics();
  const { engine } = parts;
  // Cube's "Continue wait": one registry of running HTTP requests for REST and GraphQL.
  const continueWait = new ContinueWait();
  // One authenticator for every API, so a token means the same security context everywhere.
  // Verified tokens are kept (by exact text, until their exp, at most a minute, 10,000 at most).
  const verifiedTokens = new BoundedStore<VerifiedToken>({ maxEntries: 10_000, ttlMs: 60_000 });
  const authenticator = createAuthenticator({ devMode: config.devMode, jwt: config.jwt, checkAuth: config.configFile.checkAuth, verifiedTokens });
  // Per-client limits (CUBEJS_CLIENT_*) before the routers, so a refusal is an HTTP 429.
  const limiter = parts.clientLimiter ?? new ClientLimiter(config.clientLimits ?? { windowMs: 60_000 });
  const restLimits = limitHttpClients(limiter, authenticator, 'rest');
  const restOptions: RestApiOptions = {
    engine,
    authenticator,
    metrics,
    queryLimit: config.queryLimit,
    continueWaitMs: config.continueWaitMs,
    queryTimeoutMs: config.queryTimeoutMs,
    continueWait,
  };
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // The body's bytes are kept (read-query.ts) so a repeated POST /load is keyed by what was sent.
  const parseJson = express.json({ limit: BODY_LIMIT, verify: keepRawBody });
  const load = createLoadHandler(restOptions);
  // The hot route answers GET and POST of /load before express, doing the observer's, the body
  // parser's and the client limits' work itself (load-route.ts).
  const hotLoad = loadRoute({
    path: `${REST_BASE_PATH}/load`,
    observe: (req, res, route) => observeRequest(req, res, logger, metrics, route),
    parseJson,
    limits: restLimits,
    load,
    fail: respondWithError,
  });
  const route: ServerHandler = (req, res, next) => {
    // express makes node's objects its own (it sets their prototypes) as it dispatches.
    if (!hotLoad(req, res)) app(req as Request, res as Response, next as NextFunction);
  };
  const handler = withCors(route, config.configFile.http?.cors, logger);
  app.use(requestObserver(logger, metrics));
  app.use(parseJson);
  // Other forms of the /load path (HEAD, another case, a trailing slash) take these routes, right
  // after the observer and the body parser, so they do not walk the health, metrics, OpenAPI and
  // GraphQL layers either. The REST router's own /load is never reached.
  app.get(`${REST_BASE_PATH}/load`, restLimits, load);
  app.post(`${REST_BASE_PATH}/load`, restLimits, load);
  app.use(createHealthRoutes(driver, parts.readiness));
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use(REST_BASE_PATH, createOpenApiRoutes());
  app.use(GRAPHQL_PATH, limitHttpClients(limiter, authenticator, 'graphql'));
  app.use(REST_BASE_PATH, restLimits);
  app.use(
    GRAPHQL_PATH,
    createGraphqlRouter({
      engine,
      getRequestContext: async (req, res) => ({ securityContext: await authenticator.authenticate(req.get('authorization')), requestId: locals(res).requestId, api: 'graphql' }),
      devMode: config.devMode,
      continueWait,
      continueWaitMs: config.continueWaitMs,
      onInternalError: (error) => logger.error({ err: error }, 'GraphQL internal error'),
    }),
  );
  app.use(
    REST_BASE_PATH,
    createRestRouter(restOptions),
  );
  app.use(
    REST_BASE_PATH,
    createPreAggregationRoutes({ authenticator, devMode: config.devMode, preAggregations: parts.preAggregations, unavailable: parts.preAggregationsUnavailable }),
  );
  // Lakehouse steps for the CLI while this process holds the local lakehouse (DuckDB: one process per file).
  app.use(REST_BASE_PATH, createPipelineRoutes({ authenticator, config, onInternalError: (error) => logger.error({ err: error }, 'pipeline job failed') }));
  // The bundle's files also serve GraphiQL, which dev mode offers even with the playground off.
  if (config.playground || config.devMode) app.use(PLAYGROUND_ASSET_BASE, createPlaygroundAssetRoutes());
  if (config.playground) {
    app.use(createPlaygroundRoutes({ restBasePath: REST_BASE_PATH, authenticator, getModel: () => engine.currentModel(), modelError: parts.modelError }));
  }
  app.use((req: Request) => {
    throw new UserError('NOT_FOUND', `Not found: ${req.method} ${req.path}`);
  });
  app.use(errorHandler);

  let server: http.Server | undefined;
  return {
    app: handler,
    metrics,
    logger,
    listen(port = config.port, host = config.host ?? DEFAULT_HTTP_HOST) {
      return new Promise((resolve, reject) => {
        const listening = http.createServer(handler);
        listening.once('error', reject);
        listening.listen(port, host, () => {
          server = listening;
          const address = listening.address() as AddressInfo;
          const shownHost = host && host !== '0.0.0.0' && host !== '::' ? host : 'localhost';
          resolve({ port: address.port, url: `http://${shownHost}:${address.port}` });
        });
      });
    },
    async close() {
      continueWait.clear();
      if (!server) return;
      const closing = server;
      server = undefined;
      await new Promise<void>((resolve, reject) => {
        closing.close((error) => (error ? reject(error) : resolve()));
        closing.closeAllConnections();
      });
    },
  };
}

/**
 * Cube's `http.cors` (config file) ahead of every route, the hot one included: preflights are
 * answered here, other requests get the headers and go on. Without it nothing is added, and
 * browsers refuse cross-origin pages (deny by default).
 */
function withCors(route: ServerHandler, options: cors.CorsOptions | undefined, logger: Logger): ServerHandler {
  if (!options) return route;
  const allow = cors(options);
  return (req, res, next) => {
    allow(req, res, (error?: unknown) => {
      if (!error) return route(req, res, next);
      // Only a custom `origin` function fails here: the server's configuration, not the caller.
      logger.error({ err: error }, 'http.cors origin check failed');
      writeJson(res, 500, { error: 'The CORS check of this server failed; see its log' });
    });
  };
}

/** The express stack's error middleware: the one mapping below. */
function errorHandler(error: unknown, _req: Request, res: Response, _next: NextFunction): void {
  respondWithError(error, res);
}

/** The only place REST turns errors into responses (body-parser failures included), for express's routes and the hot route alike. */
function respondWithError(error: unknown, res: ServerResponse): void {
  const mapped = toRestError(fromBodyParserError(error, BODY_LIMIT), locals(res).requestId);
  if (!mapped.isUserError) locals(res).log.error({ err: error }, 'internal error');
  if (res.headersSent) {
    res.end();
    return;
  }
  writeJson(res, mapped.status, mapped.body);
}
