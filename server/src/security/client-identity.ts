/**
 * Who a client is for the per-client limits: the user a security context names (`sub`, `user`,
 * `username`, `email`, `user_id`), else a digest of the whole context (same claims, same client),
 * else nobody — the caller then falls back to the network address. Dev mode's shared context
 * (requests without a token) is nobody too, so those callers stay apart by address.
 */
import { createHash } from 'node:crypto';
import type { SecurityContext } from './access-types.ts';
import { DEV_SECURITY_CONTEXT } from './dev-security-context.ts';

const IDENTITY_CLAIMS = ['sub', 'user', 'username', 'email', 'user_id'] as const;

export function clientIdentity(securityContext: SecurityContext): string | undefined {
  if (securityContext === DEV_SECURITY_CONTEXT) return undefined;
  for (const claim of IDENTITY_CLAIMS) {
    const value = securityContext[claim];
    if (typeof value === 'string' || typeof value === 'number') return `${claim}:${value}`;
  }
  const keys = Object.keys(securityContext).filter((k) => k !== 'iat' && k !== 'exp' && k !== 'nbf');
  if (keys.length === 0) return undefined;
  const canonical = JSON.stringify(keys.sort().map((k) => [k, securityContext[k]]));
  return `context:${createHash('sha256').update(canonical).digest('hex').slice(0, 16)}`;
}
