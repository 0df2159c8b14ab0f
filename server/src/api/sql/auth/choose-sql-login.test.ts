import { describe, expect, it } from 'vitest';
import { isUserError } from '../../../errors/user-error.ts';
import { chooseSqlLogin } from './choose-sql-login.ts';

describe('chooseSqlLogin', () => {
  it('prefers the config file hook, passing its password and context through', async () => {
    const login = chooseSqlLogin({ devMode: true, sqlUser: 'env', sqlPassword: 'x', checkSqlAuth: (user) => ({ password: `pw-${user}`, securityContext: { lojas: ['L1'] } }) });
    expect(login).toMatchObject({ enabled: true, authMethod: 'scram-sha-256' });
    if (!login.enabled) throw new Error('unreachable');
    expect(await login.checkSqlAuth('maria', null, 'db')).toEqual({ password: 'pw-maria', securityContext: { lojas: ['L1'] } });
  });

  it('turns a hook that throws into a login refusal naming the user and the reason', async () => {
    const login = chooseSqlLogin({ devMode: false, checkSqlAuth: () => { throw new Error('unknown SQL user'); } });
    if (!login.enabled) throw new Error('unreachable');
    const error = await Promise.resolve(login.checkSqlAuth('mallory', null, 'db')).catch((e: unknown) => e);
    expect(isUserError(error) && error.code).toBe('UNAUTHENTICATED');
    expect((error as Error).message).toMatch(/"mallory".*unknown SQL user/);
  });

  it('uses CUBEJS_SQL_USER / CUBEJS_SQL_PASSWORD for that user only, with an empty context in production', async () => {
    const login = chooseSqlLogin({ devMode: false, sqlUser: 'bi', sqlPassword: 's3cret' });
    if (!login.enabled) throw new Error('unreachable');
    expect(await login.checkSqlAuth('bi', null, 'db')).toEqual({ password: 's3cret', securityContext: {} });
    expect(await login.checkSqlAuth('other', null, 'db')).toBeNull();
    expect(login.description).toMatch(/empty security context \(no group; set CUBEJS_SQL_SECURITY_CONTEXT\)/);
  });

  it('gives the CUBEJS_SQL_USER login CUBEJS_SQL_SECURITY_CONTEXT, else the development context in dev mode', async () => {
    const configured = chooseSqlLogin({ devMode: false, sqlUser: 'bi', sqlPassword: 's3cret', sqlSecurityContext: { groups: ['analista_marketing'] } });
    if (!configured.enabled) throw new Error('unreachable');
    expect(await configured.checkSqlAuth('bi', null, 'db')).toEqual({ password: 's3cret', securityContext: { groups: ['analista_marketing'] } });
    const dev = chooseSqlLogin({ devMode: true, sqlUser: 'bi', sqlPassword: 's3cret' });
    if (!dev.enabled) throw new Error('unreachable');
    expect(await dev.checkSqlAuth('bi', null, 'db')).toEqual({ password: 's3cret', securityContext: { groups: ['internal'] } });
  });

  it('refuses a user without a password (or the reverse) at startup', () => {
    expect(() => chooseSqlLogin({ devMode: true, sqlUser: 'bi' })).toThrow(/CUBEJS_SQL_USER and CUBEJS_SQL_PASSWORD go together/);
  });

  it('accepts anyone without a password request in dev mode with the development context, and stays off in production', async () => {
    const dev = chooseSqlLogin({ devMode: true });
    expect(dev).toMatchObject({ enabled: true, authMethod: 'trust', description: expect.stringMatching(/ANY user.*development security context/) });
    if (!dev.enabled) throw new Error('unreachable');
    expect(await dev.checkSqlAuth('anyone', null, 'db')).toEqual({ securityContext: { groups: ['internal'] } });
    expect(chooseSqlLogin({ devMode: false })).toMatchObject({ enabled: false, reason: expect.stringMatching(/CUBEJS_SQL_USER/) });
  });
});
