import { describe, expect, it } from 'vitest';
import { ClientLimiter } from './client-limiter.ts';
import { clientIdentity } from './client-identity.ts';
import { UserError } from '../errors/user-error.ts';

function refusal(run: () => unknown): UserError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected a refusal');
}

describe('ClientLimiter', () => {
  it('admits maxRequests per window per client, then refuses with 429/53400 until the window ends', () => {
    let now = 1_000_000;
    const limiter = new ClientLimiter({ maxRequests: 2, windowMs: 10_000 }, () => now);
    limiter.admit('a')();
    limiter.admit('a')();
    const error = refusal(() => limiter.admit('a'));
    expect(error.code).toBe('TOO_MANY_REQUESTS');
    expect([error.httpStatus, error.sqlState]).toEqual([429, '53400']);
    expect(error.message).toMatch(/retry in 10 s/);
    limiter.admit('b')();
    now += 10_000;
    limiter.admit('a')();
  });

  it('counts running requests until released (release is idempotent)', () => {
    const limiter = new ClientLimiter({ maxConcurrent: 1, windowMs: 1000 });
    const release = limiter.admit('a');
    expect(refusal(() => limiter.admit('a')).code).toBe('TOO_MANY_CONCURRENT_QUERIES');
    release();
    release();
    const again = limiter.admit('a');
    expect(refusal(() => limiter.admit('a')).code).toBe('TOO_MANY_CONCURRENT_QUERIES');
    again();
  });

  it('is off when no limit is set', () => {
    const limiter = new ClientLimiter({ windowMs: 1000 });
    expect(limiter.enabled).toBe(false);
    for (let i = 0; i < 100; i++) limiter.admit('a');
  });
});

describe('clientIdentity', () => {
  it('names the user from sub/user/email, else digests the claims, else nobody', () => {
    expect(clientIdentity({ sub: 'u1', groups: ['x'] })).toBe('sub:u1');
    expect(clientIdentity({ email: 'a@b' })).toBe('email:a@b');
    const digest = clientIdentity({ tenant: 't', groups: ['g'], iat: 1 });
    expect(digest).toMatch(/^context:[0-9a-f]{16}$/);
    expect(clientIdentity({ groups: ['g'], tenant: 't', iat: 2 })).toBe(digest);
    expect(clientIdentity({ iat: 1 })).toBeUndefined();
  });
});
