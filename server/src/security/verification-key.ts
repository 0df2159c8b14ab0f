/**
 * The key a token is verified with: the HS256 secret (`CUBEJS_API_SECRET`), the identity
 * provider's key set (`CUBEJS_JWK_URL`, fetched by jose and cached: keys are kept for
 * `cacheMaxAge` and refetched at most every `cooldown` when a token names an unknown `kid`), or
 * both — then the token header's `alg` picks: HS* → the secret, anything else → the key set, so
 * a public key can never be used as an HMAC secret (algorithm confusion).
 * https://cube.dev/docs/product/auth#using-json-web-key-sets-jwks
 */
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import type { JwtConfig } from '../config/config-types.ts';
import { UserError } from '../errors/user-error.ts';
import { secretKey, type VerificationKey } from './verify-token.ts';

/** How long fetched keys are trusted, and how often an unknown `kid` may trigger a refetch. */
export interface KeySetCaching {
  readonly cacheMaxAgeMs?: number;
  readonly cooldownMs?: number;
  readonly timeoutMs?: number;
}

export function verificationKey(jwt: Pick<JwtConfig, 'secret' | 'jwkUrl'>, caching: KeySetCaching = {}): VerificationKey | undefined {
  const secret = jwt.secret ? secretKey(jwt.secret) : undefined;
  if (!jwt.jwkUrl) return secret;
  const keySet = remoteKeySet(jwt.jwkUrl, caching);
  if (!secret) return keySet;
  const byAlgorithm: JWTVerifyGetKey = (header, token) => (header.alg?.startsWith('HS') ? secret : keySet(header, token));
  return byAlgorithm;
}

function remoteKeySet(url: string, caching: KeySetCaching): JWTVerifyGetKey {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError('CONFIG_INVALID', `CUBEJS_JWK_URL=${JSON.stringify(url)} is not a URL`);
  }
  return createRemoteJWKSet(parsed, {
    cacheMaxAge: caching.cacheMaxAgeMs ?? 10 * 60_000,
    cooldownDuration: caching.cooldownMs ?? 30_000,
    timeoutDuration: caching.timeoutMs ?? 5_000,
  });
}
