import { SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAuthenticator, type VerifiedToken } from './create-authenticator.ts';
import { UserError } from '../errors/user-error.ts';

const SECRET = 'test-secret-of-enough-length-0123456789';
const jwt = { secret: SECRET, algorithms: ['HS256'] };

async function sign(claims: Record<string, unknown>, secret = SECRET, edit?: (j: SignJWT) => SignJWT): Promise<string> {
  let builder = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt();
  if (edit) builder = edit(builder);
  return builder.sign(new TextEncoder().encode(secret));
}

async function failure(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describe('createAuthenticator', () => {
  it('turns the claims of a valid HS256 token into the security context, with or without Bearer', async () => {
    const auth = createAuthenticator({ devMode: false, jwt });
    const token = await sign({ tenant: 'acme', estado: 'SP' });
    expect(await auth.authenticate(token)).toMatchObject({ tenant: 'acme', estado: 'SP' });
    expect(await auth.authenticate(`Bearer ${token}`)).toMatchObject({ tenant: 'acme' });
  });

  it('requires a token outside dev mode', async () => {
    const auth = createAuthenticator({ devMode: false, jwt });
    const error = await failure(auth.authenticate(undefined));
    expect(error.code).toBe('UNAUTHENTICATED');
    expect(error.httpStatus).toBe(403);
  });

  it('gives a request without a token the explicit development context in dev mode, never an empty one', async () => {
    expect(await createAuthenticator({ devMode: true, jwt }).authenticate(undefined)).toEqual({ groups: ['internal'] });
  });

  it('rejects a token signed with another secret', async () => {
    const auth = createAuthenticator({ devMode: true, jwt });
    const error = await failure(auth.authenticate(await sign({ a: 1 }, 'another-secret-another-secret-123')));
    expect(error.code).toBe('INVALID_TOKEN');
    expect(error.message).toMatch(/signature verification failed/);
  });

  it('rejects an expired token and one not valid yet', async () => {
    const auth = createAuthenticator({ devMode: false, jwt });
    const now = Math.floor(Date.now() / 1000);
    const expired = await sign({}, SECRET, (j) => j.setExpirationTime(now - 60));
    expect((await failure(auth.authenticate(expired))).message).toMatch(/token expired/);
    const early = await sign({}, SECRET, (j) => j.setNotBefore(now + 3600));
    expect((await failure(auth.authenticate(early))).message).toMatch(/not valid yet/);
  });

  it('rejects garbage and a token with alg none', async () => {
    const auth = createAuthenticator({ devMode: false, jwt });
    expect((await failure(auth.authenticate('not-a-jwt'))).code).toBe('INVALID_TOKEN');
    const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ admin: true })).toString('base64url');
    expect((await failure(auth.authenticate(`${header}.${payload}.`))).code).toBe('INVALID_TOKEN');
  });

  it('checks audience and issuer when configured', async () => {
    const auth = createAuthenticator({ devMode: false, jwt: { ...jwt, audience: 'cube', issuer: 'https://idp' } });
    const wrong = await sign({}, SECRET, (j) => j.setAudience('other').setIssuer('https://idp'));
    expect((await failure(auth.authenticate(wrong))).message).toMatch(/"aud"/);
    const right = await sign({ u: 1 }, SECRET, (j) => j.setAudience('cube').setIssuer('https://idp'));
    expect(await auth.authenticate(right)).toMatchObject({ u: 1 });
  });

  it('reads the security context from CUBEJS_JWT_CLAIMS_NAMESPACE', async () => {
    const auth = createAuthenticator({ devMode: false, jwt: { ...jwt, claimsNamespace: 'https://app/claims' } });
    const token = await sign({ 'https://app/claims': { tenant: 't1' }, other: 1 });
    expect(await auth.authenticate(token)).toEqual({ tenant: 't1' });
  });

  it('delegates to checkAuth from the config file and maps its rejection to 403', async () => {
    const auth = createAuthenticator({
      devMode: false,
      jwt: { algorithms: ['HS256'] },
      checkAuth: (header) => {
        if (header !== 'let-me-in') throw new Error('wrong key');
        return { role: 'admin' };
      },
    });
    expect(await auth.authenticate('let-me-in')).toEqual({ role: 'admin' });
    const error = await failure(auth.authenticate('nope'));
    expect(error.httpStatus).toBe(403);
    expect(error.message).toMatch(/wrong key/);
  });
});

describe('createAuthenticator with a store of verified tokens', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps a verified token by its exact text; each request gets its own copy of the claims', async () => {
    const store = new Map<string, VerifiedToken>();
    const auth = createAuthenticator({ devMode: false, jwt, verifiedTokens: store });
    const token = await sign({ tenant: 'acme', groups: ['ops'] }, SECRET, (j) => j.setExpirationTime('1h'));
    const first = await auth.authenticate(`Bearer ${token}`);
    expect(store.has(token)).toBe(true);
    (first.groups as string[]).push('admin');
    const second = await auth.authenticate(token);
    expect(second).toMatchObject({ tenant: 'acme', groups: ['ops'] });
    expect(second).not.toBe(first);
    // Another token text (same claims, another signature) is verified on its own.
    expect(await failure(auth.authenticate(`${token.slice(0, -2)}xx`))).toMatchObject({ code: 'INVALID_TOKEN' });
  });

  it('refuses a kept token once its exp has passed, and keeps no refusal', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-01T10:00:00Z'));
    const store = new Map<string, VerifiedToken>();
    const auth = createAuthenticator({ devMode: false, jwt, verifiedTokens: store });
    const token = await sign({ tenant: 'acme' }, SECRET, (j) => j.setExpirationTime(Math.floor(Date.now() / 1000) + 60));
    expect(await auth.authenticate(token)).toMatchObject({ tenant: 'acme' });
    vi.setSystemTime(new Date('2026-03-01T10:00:59Z'));
    expect(await auth.authenticate(token)).toMatchObject({ tenant: 'acme' });
    vi.setSystemTime(new Date('2026-03-01T10:01:00Z'));
    expect((await failure(auth.authenticate(token))).message).toMatch(/expired/);
    const forged = await sign({ tenant: 'acme' }, 'another-secret-of-enough-length-0123456789');
    for (let i = 0; i < 2; i++) expect((await failure(auth.authenticate(forged))).code).toBe('INVALID_TOKEN');
    expect(store.has(forged)).toBe(false);
  });
});
