/**
 * Token verification and per-client limits on the HTTP APIs, with real parts: a JWKS served by a
 * local HTTP server (the identity provider's network boundary) next to the HS256 secret, audience
 * and issuer configured; REST and GraphQL rate and concurrency limits answering 429.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SemanticEngine } from '../../src/engine/engine-types.ts';
import { CONTEXTS, goldDatabaseFile, sign, SECRET } from './support/security-fixture.ts';
import { startStack, type Stack } from '../support/stack.ts';

const AUDIENCE = 'semantic-layer';
const ISSUER = 'https://idp.example.test';

let gold: string;
let jwks: http.Server;
let jwksFetches = 0;
let idpKey: CryptoKey;
let strangerKey: CryptoKey;
let idpPublicPem: string;
let stack: Stack;

beforeAll(async () => {
  gold = await goldDatabaseFile();
  const idp = await generateKeyPair('RS256', { extractable: true });
  idpKey = idp.privateKey;
  idpPublicPem = await exportSPKI(idp.publicKey);
  strangerKey = (await generateKeyPair('RS256')).privateKey;
  const publicJwk = { ...(await exportJWK(idp.publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' };
  jwks = http.createServer((_req, res) => {
    jwksFetches += 1;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
  stack = await startStack({ data: { duckdbPath: gold }, security: { secret: SECRET }, serve: { http: true }, env: { CUBEJS_JWK_URL: url, CUBEJS_JWT_AUDIENCE: AUDIENCE, CUBEJS_JWT_ISSUER: ISSUER } });
}, 120_000);
afterAll(async () => {
  await stack?.close();
  await new Promise((resolve) => jwks?.close(resolve));
});

async function rs256(claims: Record<string, unknown>, options: { key?: CryptoKey; kid?: string; edit?: (j: SignJWT) => SignJWT } = {}): Promise<string> {
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: options.kid ?? 'idp-1' }).setIssuedAt().setExpirationTime('5m').setAudience(AUDIENCE).setIssuer(ISSUER);
  if (options.edit) jwt = options.edit(jwt);
  return jwt.sign(options.key ?? idpKey);
}

const countQuery = { measures: ['fato_vendas.count'] };
const load = (app: Stack['server']['app'], token: string | undefined) => {
  const req = request(app).post('/cubejs-api/v1/load');
  return (token ? req.set('Authorization', `Bearer ${token}`) : req).send({ query: countQuery });
};

describe('JWKS (CUBEJS_JWK_URL) alongside HS256, with audience and issuer', () => {
  it('accepts a token signed by a key of the set, and applies its claims as the security context', async () => {
    const res = await load(stack.server.app, await rs256(CONTEXTS.managerL002));
    expect(res.status).toBe(200);
    const internal = await load(stack.server.app, await rs256(CONTEXTS.internal));
    expect(Number(res.body.data[0]['fato_vendas.count'])).toBeLessThan(Number(internal.body.data[0]['fato_vendas.count']));
  });

  it('still accepts HS256 tokens signed with CUBEJS_API_SECRET (with the configured aud/iss)', async () => {
    const res = await load(stack.server.app, await sign(CONTEXTS.internal, (j) => j.setAudience(AUDIENCE).setIssuer(ISSUER)));
    expect(res.status).toBe(200);
  });

  it('rejects with 403: another key under a known kid, an unknown kid, expired, not yet valid, wrong audience or issuer', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, RegExp][] = [
      [await rs256(CONTEXTS.internal, { key: strangerKey }), /signature verification failed/],
      [await rs256(CONTEXTS.internal, { key: strangerKey, kid: 'attacker-1' }), /no key of CUBEJS_JWK_URL matches/],
      [await rs256(CONTEXTS.internal, { edit: (j) => j.setExpirationTime(now - 30) }), /token expired/],
      [await rs256(CONTEXTS.internal, { edit: (j) => j.setNotBefore(now + 3600) }), /not valid yet/],
      [await rs256(CONTEXTS.internal, { edit: (j) => j.setAudience('another-api') }), /"aud"/],
      [await rs256(CONTEXTS.internal, { edit: (j) => j.setIssuer('https://evil.example') }), /"iss"/],
      [await sign(CONTEXTS.internal), /"aud"|"iss"/],
      [await sign(CONTEXTS.internal, (j) => j.setAudience(AUDIENCE).setIssuer(ISSUER), 'not-the-secret-not-the-secret-0000'), /signature verification failed/],
    ];
    for (const [token, message] of cases) {
      const res = await load(stack.server.app, token);
      expect(res.status, String(message)).toBe(403);
      expect(res.body.error).toMatch(message);
    }
  });

  it('rejects an HS256 token whose "secret" is the public key (algorithm confusion) and alg "none"', async () => {
    const confused = await new SignJWT({ ...CONTEXTS.internal }).setProtectedHeader({ alg: 'HS256', kid: 'idp-1' }).setAudience(AUDIENCE).setIssuer(ISSUER).setExpirationTime('5m')
      .sign(new TextEncoder().encode(idpPublicPem));
    expect((await load(stack.server.app, confused)).status).toBe(403);
    const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ aud: AUDIENCE, iss: ISSUER })).toString('base64url');
    expect((await load(stack.server.app, `${header}.${payload}.`)).status).toBe(403);
  });

  it('caches the key set: many verifications, one fetch', async () => {
    const before = jwksFetches;
    for (let i = 0; i < 5; i++) expect((await load(stack.server.app, await rs256({ sub: `u${i}`, groups: ['internal'] }))).status).toBe(200);
    expect(jwksFetches - before).toBe(0);
    expect(jwksFetches).toBeGreaterThanOrEqual(1);
  });
});

describe('per-client limits on REST and GraphQL (CUBEJS_CLIENT_*)', () => {
  it('answers 429 with Retry-After past CUBEJS_CLIENT_RATE_LIMIT, per verified client, REST and GraphQL alike', async () => {
    const limited = await startStack({ data: { duckdbPath: gold }, security: { secret: SECRET }, serve: { http: true }, env: { CUBEJS_CLIENT_RATE_LIMIT: '3', CUBEJS_CLIENT_RATE_WINDOW: '60s' } });
    try {
      const alice = await sign({ sub: 'alice', groups: ['internal'] });
      for (let i = 0; i < 3; i++) expect((await load(limited.server.app, alice)).status).toBe(200);
      const refused = await load(limited.server.app, alice);
      expect(refused.status).toBe(429);
      expect(refused.body.error).toMatch(/Too many requests.*CUBEJS_CLIENT_RATE_LIMIT/);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      const graphql = await request(limited.server.app).post('/cubejs-api/graphql').set('Authorization', alice).send({ query: '{ cube { fato_vendas { count } } }' });
      expect(graphql.status).toBe(429);
      expect(graphql.body.errors[0].extensions.code).toBe('TOO_MANY_REQUESTS');
      // Forged tokens claiming to be "bob" count against their address, not bob: bob keeps his budget.
      const bob = await sign({ sub: 'bob', groups: ['internal'] });
      const forgedBob = await sign({ sub: 'bob', groups: ['internal'] }, undefined, 'forged-secret-forged-secret-000000');
      const forged: number[] = [];
      for (let i = 0; i < 5; i++) forged.push((await load(limited.server.app, forgedBob)).status);
      expect(forged).toEqual([403, 403, 403, 429, 429]);
      expect((await load(limited.server.app, bob)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('answers 429 when a client already runs CUBEJS_CLIENT_MAX_CONCURRENT_QUERIES requests', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const wrap = (engine: SemanticEngine): SemanticEngine => ({ ...engine, load: async (q, ctx) => { await gate; return engine.load(q, ctx); } });
    const limited = await startStack({ data: { duckdbPath: gold }, security: { secret: SECRET }, serve: { http: true }, env: { CUBEJS_CLIENT_MAX_CONCURRENT_QUERIES: '1' }, wrapEngine: wrap });
    try {
      const carol = await sign({ sub: 'carol', groups: ['internal'] });
      const running = load(limited.server.app, carol).then((r) => r);
      await new Promise((r) => setTimeout(r, 200));
      const refused = await load(limited.server.app, carol);
      expect(refused.status).toBe(429);
      expect(refused.body.error).toMatch(/concurrent/);
      expect((await load(limited.server.app, await sign({ sub: 'dave', groups: ['internal'] })).timeout(200).catch(() => 'still waiting'))).toBe('still waiting');
      open();
      expect((await running).status).toBe(200);
      expect((await load(limited.server.app, carol)).status).toBe(200);
    } finally {
      open();
      await limited.close();
    }
  });
});

