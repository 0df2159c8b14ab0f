/**
 * Turns the `Authorization` header into a security context, the way Cube does: the header holds
 * a JWT (optionally prefixed with `Bearer `) signed with CUBEJS_API_SECRET or by a key of the
 * CUBEJS_JWK_URL key set; its claims (or
 * `claims[CUBEJS_JWT_CLAIMS_NAMESPACE]`) become the security context. A `checkAuth` from the
 * config file replaces the built-in check. Dev mode accepts requests without a token and gives
 * them the explicit development context (`DEV_SECURITY_CONTEXT`), never an empty one.
 */
import { decodeJwt } from 'jose';
import type { SecurityContext } from './access-types.ts';
import type { JwtConfig } from '../config/config-types.ts';
import type { CheckAuth } from '../config/cube-config-types.ts';
import { isUserError, UserError } from '../errors/user-error.ts';
import { createTokenVerifier, type TokenVerifier } from './verify-token.ts';
import { verificationKey, type KeySetCaching } from './verification-key.ts';
import { DEV_SECURITY_CONTEXT } from './dev-security-context.ts';

/** Authenticates one request; throws a `UserError` (403) when the caller may not proceed. */
export interface Authenticator {
  authenticate(authorization: string | undefined): Promise<SecurityContext>;
}

/** What the authenticator needs from the configuration. */
export interface AuthenticatorOptions {
  readonly devMode: boolean;
  readonly jwt: JwtConfig;
  readonly checkAuth?: CheckAuth;
  /** Caching of the CUBEJS_JWK_URL key set (defaults suit production; tests shorten them). */
  readonly keySetCaching?: KeySetCaching;
}

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  if (options.checkAuth) return customAuthenticator(options.checkAuth);
  const key = verificationKey(options.jwt, options.keySetCaching);
  const verify = key ? createTokenVerifier({ ...options.jwt, key }) : undefined;
  return {
    async authenticate(authorization) {
      const token = extractToken(authorization);
      if (!token) {
        if (options.devMode) return DEV_SECURITY_CONTEXT;
        throw new UserError('UNAUTHENTICATED', "Authorization header isn't set", {
          hint: 'send a JWT signed with CUBEJS_API_SECRET (or by a key of CUBEJS_JWK_URL) in the Authorization header',
        });
      }
      const claims = verify ? await verify(token) : decodeInDevMode(token, options.devMode);
      return toSecurityContext(claims, options.jwt.claimsNamespace);
    },
  };
}

function customAuthenticator(checkAuth: CheckAuth): Authenticator {
  return {
    async authenticate(authorization) {
      try {
        return (await checkAuth(authorization)) ?? {};
      } catch (error) {
        if (isUserError(error)) throw error;
        throw new UserError('ACCESS_DENIED', `checkAuth rejected the request: ${(error as Error).message}`);
      }
    },
  };
}

export function extractToken(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const trimmed = authorization.trim();
  const token = /^bearer\s+/i.test(trimmed) ? trimmed.replace(/^bearer\s+/i, '') : trimmed;
  return token.length > 0 ? token : undefined;
}

/** Dev mode without a secret: claims are read unverified so the playground can try security contexts. */
function decodeInDevMode(token: string, devMode: boolean): Record<string, unknown> {
  if (!devMode) throw new UserError('INVALID_TOKEN', 'Invalid token: no CUBEJS_API_SECRET to verify it');
  try {
    return decodeJwt(token);
  } catch {
    throw new UserError('INVALID_TOKEN', 'Invalid token: not a JWT');
  }
}

function toSecurityContext(claims: Record<string, unknown>, namespace: string | undefined): SecurityContext {
  if (!namespace) return claims;
  const scoped = claims[namespace];
  return typeof scoped === 'object' && scoped !== null ? (scoped as SecurityContext) : {};
}

export type { TokenVerifier };
