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
  /**
   * Where verified tokens are kept (server.ts: reuse/'s bounded store, with a bounded size and a
   * short lifetime); absent: every request verifies its token.
   */
  readonly verifiedTokens?: VerifiedTokenStore;
}

/** A token that verified: its claims as JSON, and until when (ms) it stays valid. */
export interface VerifiedToken {
  readonly claimsJson: string;
  readonly validUntilMs: number;
}

/**
 * A bounded store of verified tokens keyed by the exact token text. Its own lifetime (the
 * bounded store's TTL) caps how long a verdict is reused without `exp`, and how late a key
 * removed from CUBEJS_JWK_URL is noticed.
 */
export interface VerifiedTokenStore {
  get(token: string): VerifiedToken | undefined;
  set(token: string, verified: VerifiedToken): void;
}

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  if (options.checkAuth) return customAuthenticator(options.checkAuth);
  const key = verificationKey(options.jwt, options.keySetCaching);
  const verifyToken = key ? createTokenVerifier({ ...options.jwt, key }) : undefined;
  const verify = verifyToken && options.verifiedTokens ? rememberVerified(verifyToken, options.verifiedTokens) : verifyToken;
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

/**
 * Verifies each token text once while it stays valid: a kept verdict is reused only before the
 * token's `exp` (checked on every use, as jose checks it: valid while the current second is
 * before `exp`); refusals are never kept, so an invalid or expired token is verified, and
 * refused, every time. Each request gets its own copy of the claims (parsed from their JSON), so
 * a hook editing its security context cannot change another request's.
 */
function rememberVerified(verify: TokenVerifier, store: VerifiedTokenStore): (token: string) => Promise<Record<string, unknown>> {
  return async (token) => {
    const known = store.get(token);
    if (known && Date.now() < known.validUntilMs) return JSON.parse(known.claimsJson) as Record<string, unknown>;
    const claims = await verify(token);
    const validUntilMs = typeof claims.exp === 'number' ? claims.exp * 1000 : Number.POSITIVE_INFINITY;
    if (Date.now() < validUntilMs) store.set(token, { claimsJson: JSON.stringify(claims), validUntilMs });
    return claims;
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
