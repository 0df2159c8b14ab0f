/**
 * `/cubejs-api/graphql`: GraphQL over HTTP (POST JSON, or GET with `query`/`variables` params),
 * GraphiQL for browsers in dev mode. The schema is built per model version and per set of
 * visible members, so an access policy hiding members hides them from introspection too.
 */
import { Router, type Request, type Response } from 'express';
import { GraphQLError, parse, validate, execute, type DocumentNode, type GraphQLSchema, type ExecutionResult } from 'graphql';
import type { LoadResponse, RequestContext, SemanticEngine } from '../../engine/engine-types.ts';
import type { CubeQuery } from '../../query/query-types.ts';
import type { SemanticModel } from '../../model/model-types.ts';
import { isUserError, UserError } from '../../errors/user-error.ts';
import { buildGraphqlSchema, type GraphqlContext } from './build-graphql-schema.ts';
import type { RowLimitNote } from './graphql-row-limits.ts';
import { listGraphqlCubes } from './graphql-members.ts';
import { renderGraphiql } from './graphiql-page.ts';
import { continueWaitKey, StillRunning, type ContinueWait } from '../../reuse/continue-wait.ts';
import { BoundedStore } from '../../reuse/bounded-store.ts';
import { checkGraphqlLimits, DEFAULT_GRAPHQL_LIMITS, type GraphqlLimits } from './graphql-limits.ts';

export interface GraphqlRouterOptions {
  /** Answers the queries; its `modelOf(ctx)` is the model each caller's schema shows (hot reload, per-app models). */
  readonly engine: SemanticEngine;
  /** The caller's request context; throws a UserError (403) when authentication fails. */
  readonly getRequestContext: (req: Request, res: Response) => Promise<RequestContext> | RequestContext;
  readonly devMode: boolean;
  /** Called for errors that are not UserErrors (bugs), e.g. to log them with their stack. */
  readonly onInternalError?: (error: unknown) => void;
  /**
   * Cube's "Continue wait" (shared with REST): a cube query still running after `continueWaitMs`
   * answers the error "Continue wait"; the same request repeated picks up the same run.
   */
  readonly continueWait?: ContinueWait;
  readonly continueWaitMs?: number;
  /** Size limits per request (cube queries, aliases, depth, tokens); defaults: `DEFAULT_GRAPHQL_LIMITS`. */
  readonly limits?: Partial<GraphqlLimits>;
}

const MAX_CACHED_SCHEMAS = 64;
/** Validated documents kept per schema (by text, up to a few KB each). */
const MAX_CACHED_DOCUMENTS = 500;
/** Cube's default continueWaitTimeout (5 s). */
const DEFAULT_CONTINUE_WAIT_MS = 5_000;

export function createGraphqlRouter(options: GraphqlRouterOptions): Router {
  const router = Router();
  const schemas = new BoundedStore<GraphQLSchema>({ maxEntries: MAX_CACHED_SCHEMAS });
  const limits: GraphqlLimits = { ...DEFAULT_GRAPHQL_LIMITS, ...options.limits };

  /**
   * The schema of what this caller may query: introspection shows nothing the access policies hide.
   * A caller granted no cube at all has no schema (GraphQL types need fields): 403, like REST.
   */
  async function schemaFor(ctx: RequestContext): Promise<GraphQLSchema> {
    const model = await options.engine.modelOf(ctx);
    const visibility = await options.engine.visibleMembers(ctx, model);
    const key = `${model.version}|${visibility.key}`;
    let schema = schemas.get(key);
    if (!schema) {
      const cubes = listGraphqlCubes(model, visibility.isVisible);
      if (cubes.length === 0) throw grantsNoCube();
      schema = buildGraphqlSchema(cubes);
      schemas.set(key, schema);
    }
    return schema;
  }

  /**
   * Documents that parsed and validated against a schema, by their text: a dashboard sends the
   * same few queries again and again, and parsing plus validation is a large part of each. Only
   * valid documents are kept (an invalid one is parsed and refused, with its errors, every time);
   * the limits depend on the operation named, so they are checked on every request.
   */
  const validatedBySchema = new WeakMap<GraphQLSchema, BoundedStore<DocumentNode>>();
  function validatedDocuments(schema: GraphQLSchema): BoundedStore<DocumentNode> {
    let store = validatedBySchema.get(schema);
    if (!store) {
      store = new BoundedStore<DocumentNode>({ maxEntries: MAX_CACHED_DOCUMENTS });
      validatedBySchema.set(schema, store);
    }
    return store;
  }

  /** One cube query of a GraphQL request, joining an identical running one of the same caller. */
  async function runQuery(query: CubeQuery, ctx: RequestContext): Promise<LoadResponse> {
    const { continueWait } = options;
    if (!continueWait) return options.engine.load(query, ctx);
    const outcome = await continueWait.run(continueWaitKey('graphql', query, ctx.securityContext), () => options.engine.load(query, ctx), options.continueWaitMs ?? DEFAULT_CONTINUE_WAIT_MS);
    if (!outcome.done) throw new StillRunning();
    return outcome.value;
  }

  async function handle(req: Request, res: Response, params: { query?: unknown; variables?: unknown; operationName?: unknown }) {
    if (typeof params.query !== 'string' || params.query.trim() === '') {
      res.status(400).json({ errors: [{ message: 'A GraphQL request needs a "query" string', extensions: { code: 'QUERY_INVALID' } }] });
      return;
    }
    let variables: unknown;
    try {
      variables = typeof params.variables === 'string' && params.variables !== '' ? JSON.parse(params.variables) : (params.variables ?? undefined);
    } catch {
      res.status(400).json({ errors: [{ message: '"variables" is not valid JSON', extensions: { code: 'MALFORMED_JSON' } }] });
      return;
    }
    if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) {
      res.status(400).json({ errors: [{ message: '"variables" must be a JSON object', extensions: { code: 'QUERY_INVALID' } }] });
      return;
    }
    const rawVariables = (variables ?? {}) as Record<string, unknown>;
    let ctx: RequestContext;
    let schema: GraphQLSchema;
    try {
      ctx = await options.getRequestContext(req, res);
      schema = await schemaFor(ctx);
    } catch (error) {
      sendFailure(res, error, options);
      return;
    }
    const operationName = typeof params.operationName === 'string' ? params.operationName : undefined;
    const validated = validatedDocuments(schema);
    const known = validated.get(params.query);
    let document = known;
    if (!document) {
      try {
        document = parse(params.query, { maxTokens: limits.maxTokens });
      } catch (error) {
        res.status(400).json({ errors: [formatError(error as GraphQLError, options)] });
        return;
      }
    }
    try {
      checkGraphqlLimits(document, operationName, limits);
    } catch (error) {
      sendFailure(res, error, options);
      return;
    }
    if (!known) {
      const validationErrors = validate(schema, document);
      if (validationErrors.length > 0) {
        res.status(400).json({ errors: validationErrors.map((e) => formatError(e, options)) });
        return;
      }
      validated.set(params.query, document);
    }
    const rowLimits: RowLimitNote[] = [];
    const context: GraphqlContext = { runQuery: (query) => runQuery(query, ctx), rawVariables, rowLimits };
    const result: ExecutionResult = await execute({
      schema,
      document,
      variableValues: rawVariables,
      operationName,
      contextValue: context,
    });
    const errors = result.errors?.map((e) => formatError(e, options)) ?? [];
    res.status(statusFor(result)).json({ data: result.data ?? null, ...(errors.length ? { errors } : {}), ...(rowLimits.length ? { extensions: { rowLimits } } : {}) });
  }

  router.post('/', (req, res) => handle(req, res, (req.body ?? {}) as Record<string, unknown>));
  router.get('/', (req, res) => {
    if (options.devMode && typeof req.query.query !== 'string' && req.accepts(['html', 'json']) === 'html') {
      res.type('html').send(renderGraphiql(req.baseUrl));
      return;
    }
    return handle(req, res, req.query as Record<string, unknown>);
  });
  return router;
}

/**
 * 200 when there is data, or when the only errors are "Continue wait" (as REST answers it). Without data: a request error (bad variables, unknown operation) is
 * the caller's fault (400); a failed resolver takes the status of its UserError (400/403/…), and
 * only a bug is a 500.
 */
function statusFor(result: ExecutionResult): number {
  if (result.data) return 200;
  const errors = result.errors ?? [];
  const causes = errors.map((e) => e.originalError).filter((cause) => cause && !(cause instanceof GraphQLError));
  if (causes.length === 0) return 400;
  if (causes.every((cause) => cause instanceof StillRunning)) return 200;
  return isUserError(causes[0]) ? causes[0].httpStatus : 500;
}

function formatError(error: GraphQLError, options: GraphqlRouterOptions): Record<string, unknown> {
  const original = error.originalError;
  if (original instanceof StillRunning) {
    return { message: original.message, locations: error.locations, path: error.path, extensions: { code: 'CONTINUE_WAIT' } };
  }
  if (original && isUserError(original)) {
    return { message: original.message, locations: error.locations, path: error.path, extensions: { code: original.code, httpStatus: original.httpStatus } };
  }
  // graphql-js reports bad variable values as a GraphQLError wrapping another GraphQLError.
  if (original && !(original instanceof GraphQLError)) {
    options.onInternalError?.(original);
    return { message: 'Internal error', locations: error.locations, path: error.path, extensions: { code: 'INTERNAL' } };
  }
  return { message: error.message, locations: error.locations, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } };
}

function sendFailure(res: Response, error: unknown, options: GraphqlRouterOptions): void {
  if (isUserError(error)) {
    res.status(error.httpStatus).json({ errors: [{ message: error.message, extensions: { code: error.code } }] });
    return;
  }
  options.onInternalError?.(error);
  res.status(500).json({ errors: [{ message: 'Internal error', extensions: { code: 'INTERNAL' } }] });
}

function grantsNoCube(): UserError {
  return new UserError('ACCESS_DENIED', 'Access denied: the access policies grant this security context no cube or view', {
    hint: 'access is denied by default: a security context needs a group the model\'s access_policy entries name — a "groups" claim, or contextToGroups in cube.config.ts mapping your claims (docs/security.md)',
  });
}
