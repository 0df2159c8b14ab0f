/**
 * Who may log in to the SQL API, chosen the way Cube chooses: the config file's `checkSqlAuth`
 * when present, else `CUBEJS_SQL_USER` / `CUBEJS_SQL_PASSWORD` (security context
 * `CUBEJS_SQL_SECURITY_CONTEXT`, else the development context in dev mode, else empty); in dev mode
 * without either, anyone (no password asked, the development context `DEV_SECURITY_CONTEXT`), and in
 * production without either, nobody (the SQL API stays off). An empty context belongs to no group:
 * the shipped access policies grant it nothing.
 * https://cube.dev/docs/product/apis-integrations/sql-api/security
 */
import type { SecurityContext } from '../../../engine/engine-types.ts';
import { isUserError, UserError } from '../../../errors/user-error.ts';
import type { CheckSqlAuth, SqlAuthMethod } from './sql-auth-types.ts';
import { DEV_SECURITY_CONTEXT } from '../../../security/dev-security-context.ts';

/** `checkSqlAuth(user, password)` of `cube.config.ts`: returns the user's password and context, or throws. */
export type ConfigCheckSqlAuth = (
  user: string | null,
  password: string | null,
) => { password?: string; securityContext?: SecurityContext } | Promise<{ password?: string; securityContext?: SecurityContext }>;

export interface SqlLoginOptions {
  readonly devMode: boolean;
  readonly checkSqlAuth?: ConfigCheckSqlAuth;
  readonly sqlUser?: string;
  readonly sqlPassword?: string;
  /** `CUBEJS_SQL_SECURITY_CONTEXT`: the context of the `sqlUser` login. */
  readonly sqlSecurityContext?: SecurityContext;
}

/** The login rule for `startSqlServer`, with the words the startup lines use for it. */
export type SqlLogin =
  | { readonly enabled: true; readonly checkSqlAuth: CheckSqlAuth; readonly authMethod: SqlAuthMethod; readonly description: string }
  | { readonly enabled: false; readonly reason: string };

export function chooseSqlLogin(options: SqlLoginOptions): SqlLogin {
  const { checkSqlAuth: hook, sqlUser, sqlPassword } = options;
  if (hook) return { enabled: true, authMethod: 'scram-sha-256', checkSqlAuth: fromConfigHook(hook), description: 'users checked by checkSqlAuth in the config file' };
  if (Boolean(sqlUser) !== Boolean(sqlPassword)) {
    throw new UserError('CONFIG_INVALID', 'CUBEJS_SQL_USER and CUBEJS_SQL_PASSWORD go together: set both, or neither');
  }
  if (sqlUser && sqlPassword) {
    const securityContext = options.sqlSecurityContext ?? (options.devMode ? DEV_SECURITY_CONTEXT : {});
    const context = options.sqlSecurityContext ? 'security context CUBEJS_SQL_SECURITY_CONTEXT' : options.devMode ? 'the development security context' : 'an empty security context (no group; set CUBEJS_SQL_SECURITY_CONTEXT)';
    return {
      enabled: true,
      authMethod: 'scram-sha-256',
      checkSqlAuth: (user) => (user === sqlUser ? { password: sqlPassword, securityContext } : null),
      description: `user "${sqlUser}" (CUBEJS_SQL_USER / CUBEJS_SQL_PASSWORD) with ${context}`,
    };
  }
  if (options.devMode) {
    return {
      enabled: true,
      authMethod: 'trust',
      checkSqlAuth: () => ({ securityContext: DEV_SECURITY_CONTEXT }),
      description: `ANY user and password accepted with the development security context ${JSON.stringify(DEV_SECURITY_CONTEXT)} (dev mode; set CUBEJS_SQL_USER and CUBEJS_SQL_PASSWORD, or checkSqlAuth, to require a login)`,
    };
  }
  return { enabled: false, reason: 'set CUBEJS_SQL_USER and CUBEJS_SQL_PASSWORD, or checkSqlAuth in cube.config.ts, to turn it on' };
}

/** A throwing or empty hook refuses the login (28P01) with the hook's own message. */
function fromConfigHook(hook: ConfigCheckSqlAuth): CheckSqlAuth {
  return async (user, password) => {
    let result: Awaited<ReturnType<ConfigCheckSqlAuth>> | undefined;
    try {
      result = await hook(user, password);
    } catch (error) {
      if (isUserError(error)) throw error;
      throw new UserError('UNAUTHENTICATED', `SQL login refused for user "${user}": ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!result) return null;
    return { ...(result.password !== undefined ? { password: result.password } : {}), securityContext: result.securityContext ?? {} };
  };
}
