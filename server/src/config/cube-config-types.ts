/**
 * The typed config file (`cube.config.ts`): what environment variables cannot express.
 * Option names follow Cube's `cube.js` configuration file:
 * https://cube.dev/docs/product/configuration/reference/config
 */
import type { CorsOptions } from 'cors';
import type { CubeQuery } from '../query/query-types.ts';
import type { SecurityContext } from '../engine/engine-types.ts';

/** What hooks receive besides their main argument. */
export interface CubeHookContext {
  readonly securityContext: SecurityContext;
}

/** Rewrites every query before planning: the place for row-level security filters. */
export type QueryRewrite = (query: CubeQuery, context: CubeHookContext) => CubeQuery | Promise<CubeQuery>;

/**
 * Custom authentication for REST: receives the raw `Authorization` header value and returns the
 * security context; throw to reject (the error message is returned with HTTP 403).
 */
export type CheckAuth = (authorization: string | undefined) => SecurityContext | Promise<SecurityContext>;

/** SQL API login check (used by the Postgres-wire API of a later issue). */
export type CheckSqlAuth = (
  user: string | null,
  password: string | null,
) => { password?: string; securityContext?: SecurityContext } | Promise<{ password?: string; securityContext?: SecurityContext }>;

/**
 * Maps a security context to the groups `access_policy` entries name (Cube's `contextToGroups`).
 * Default (no hook): the context's `groups` claim (array or comma-separated string) and nothing
 * else, so other claim shapes belong to no group until mapped here — see security/context-groups.ts,
 * `readGroupClaim` in security/read-group-claim.ts and docs/security.md for one line per shape.
 */
export type ContextToGroups = (context: CubeHookContext) => readonly string[] | Promise<readonly string[]>;

/** Maps a security context to an app id (multitenancy: separate caches per app). */
export type ContextToAppId = (context: CubeHookContext) => string;

/**
 * Cube's `http` option. `cors`: cross-origin requests to the HTTP APIs (REST, GraphQL and the
 * rest of the HTTP server), with the options of the `cors` package as Cube takes them (`origin`,
 * `methods`, `allowedHeaders`, `exposedHeaders`, `credentials`, `maxAge`, `preflightContinue`,
 * `optionsSuccessStatus`). Absent: no CORS headers, so browsers refuse pages of other origins
 * (deny by default; Cube itself allows every origin unless told otherwise).
 */
export interface HttpOptions {
  readonly cors?: CorsOptions;
}

/** Default export of `cube.config.ts`. Every field is optional. */
export interface CubeConfigFile {
  readonly http?: HttpOptions;
  readonly queryRewrite?: QueryRewrite;
  readonly checkAuth?: CheckAuth;
  readonly checkSqlAuth?: CheckSqlAuth;
  readonly contextToAppId?: ContextToAppId;
  readonly contextToGroups?: ContextToGroups;
}

/** Identity helper so a config file gets type checking: `export default defineConfig({...})`. */
export function defineConfig(config: CubeConfigFile): CubeConfigFile {
  return config;
}
