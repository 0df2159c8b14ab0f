/**
 * Who a client is for the per-client limits: the user a security context names (`sub`, `user`,
 * `username`, `email`, `user_id`), else a digest of the whole context (same claims, same client),
 * else nobody — the caller then falls back to the network address.
 */
import { createHash } from 'node:crypto';
import type { SecurityContext } from '../engine/engine-types.ts';

const IDENTITY_CLAIMS = ['sub', 'user', 'username', 'email', 'user_id'] as const;

export function clientIdentity(securityContext: SecurityContext): string | undefined {
  for (const claim of IDENTITY_CLAIMS) {
    const value = securityContext[claim];
    if (typeof value === 'string' || typeof value === 'number') return `${claim}:${value}`;
  }
  const keys = Object.keys(securityContext).filter((k) => k !== 'iat' && k !== 'exp' && k !== 'nbf');
  if (keys.length === 0) return undefined;
  const canonical = JSON.stringify(keys.sort().map((k) => [k, securityContext[k]]));
  return `context:${createHash('sha256').update(canonical).digest('hex').slice(0, 16)}`;
}
