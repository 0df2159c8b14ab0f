/**
 * Whole HTTP requests for the no-5xx fuzz suite: a route (REST load/sql/dry-run by GET or POST,
 * /meta, GraphQL by POST or GET), its parameters from the REST/GraphQL arbitraries, and the headers
 * a hostile or broken client sends: Authorization garbage and odd tokens, any Content-Type and
 * charset, Content-Encoding with a body that is (or is not) encoded that way.
 */
import zlib from 'node:zlib';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import type { RawRequest } from './raw-http.ts';
import { restParams, sometimes, type FuzzModel } from './fuzz-rest-arbitraries.ts';
import { graphqlBody, graphqlDocument, type FuzzGraphqlCube } from './fuzz-graphql-arbitraries.ts';

/** A signed HS256 token with `claims`, valid for an hour. */
export function signToken(secret: string, claims: Record<string, unknown>, exp = '1h'): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime(exp).sign(new TextEncoder().encode(secret));
}

/**
 * Authorization header values: `valid` first (the token the suite mostly sends), then valid tokens
 * with odd claims, and every way of being wrong.
 */
export async function authorizationValues(secret: string, valid: string): Promise<string[]> {
  const key = new TextEncoder().encode(secret);
  const sign = (claims: Record<string, unknown>, exp = '1h', signingKey = key) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime(exp).sign(signingKey);
  const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"user":"x"}').toString('base64url')}.`;
  return [
    valid,
    valid,
    valid,
    `Bearer ${valid}`,
    await sign({ roles: ['gerente_loja'], lojas: ['L002'] }),
    await sign({ groups: ['gerente_loja'], lojas: ['L002'] }),
    await sign({ groups: '' }),
    await sign({ groups: [{ $ne: 1 }], lojas: JSON.parse('{"__proto__": {"x": 1}}') as unknown }),
    await sign({ groups: ['analista_marketing'] }),
    await sign({ user: 'late' }, '-1h'),
    await sign({ user: 'x' }, '1h', new TextEncoder().encode('another-secret-0123456789abcdef-x')),
    unsigned,
    `${valid.slice(0, -3)}abc`,
    'Bearer',
    'Bearer ',
    'Basic dXNlcjpwYXNz',
    'null',
    '',
  ];
}

/** Header-safe text (printable ASCII). */
const headerText = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 });

const CONTENT_TYPES = [
  'application/json', 'application/json', 'application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16',
  'application/json; charset=latin1', 'application/json; charset=bogus', 'text/plain', 'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x', 'application/graphql', 'application/*', '*/*', 'application/vnd.api+json',
];
const ENCODINGS = ['gzip', 'deflate', 'br', 'identity', 'x-gzip', 'gzip, br', 'compress', 'GZIP', 'zstd'];

function encode(body: Buffer, encoding: string): Buffer {
  if (encoding.toLowerCase() === 'gzip' || encoding === 'x-gzip') return zlib.gzipSync(body);
  if (encoding === 'deflate') return zlib.deflateSync(body);
  if (encoding === 'br') return zlib.brotliCompressSync(body);
  return body;
}

/** Headers for a request with a body: content type, maybe an encoding (applied or not), auth. */
function bodyHeaders(auth: fc.Arbitrary<string | undefined>): fc.Arbitrary<{ headers: Record<string, string>; wrap: (body: Buffer) => Buffer }> {
  const contentType = fc.oneof({ weight: 40, arbitrary: fc.constant('application/json') }, { weight: 4, arbitrary: fc.constantFrom(...CONTENT_TYPES) }, { weight: 1, arbitrary: headerText }, { weight: 1, arbitrary: fc.constant(undefined) });
  const encoding = sometimes(fc.tuple(fc.oneof(fc.constantFrom(...ENCODINGS), headerText), fc.boolean()), 6);
  return fc.tuple(contentType, encoding, auth).map(([type, enc, authorization]) => {
    const headers: Record<string, string> = {};
    if (type !== undefined) headers['content-type'] = type;
    if (authorization !== undefined) headers.authorization = authorization;
    if (!enc) return { headers, wrap: (b: Buffer) => b };
    const [name, applied] = enc;
    headers['content-encoding'] = name;
    return { headers, wrap: (b: Buffer) => (applied ? encode(b, name) : b) };
  });
}

/** Query-string text: JSON-encoded properly, or raw with stray `%` escapes and repeated keys. */
function queryString(params: Record<string, unknown>): fc.Arbitrary<string> {
  const proper = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString();
  const raw = fc.string({ unit: fc.constantFrom(...'%0aF{}[]":,=&?+query'.split('')), maxLength: 30 });
  return fc.oneof({ weight: 6, arbitrary: fc.constant(proper) }, { weight: 1, arbitrary: raw.map((r) => `query=${r}`) }, { weight: 1, arbitrary: raw.map((r) => `${proper}&query=${r}`) });
}

/** Any request the suite sends, labelled for the failure report. */
export function fuzzRequest(model: FuzzModel, cubes: readonly FuzzGraphqlCube[], auths: readonly string[]): fc.Arbitrary<RawRequest> {
  // Mostly the plain valid token (auths[0]), so most requests reach the engine.
  const auth = fc.oneof(
    { weight: 24, arbitrary: fc.constant(auths[0]) },
    { weight: 4, arbitrary: fc.constantFrom(...auths) },
    { weight: 1, arbitrary: headerText },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
  const endpoint = fc.constantFrom('load', 'load', 'load', 'sql', 'dry-run');
  const restGet = fc.tuple(endpoint, restParams(model).chain(queryString), auth).map(([e, qs, authorization]): RawRequest => ({
    method: 'GET', path: `/cubejs-api/v1/${e}?${qs}`, headers: authorization === undefined ? {} : { authorization },
  }));
  const restPost = fc.tuple(endpoint, fc.oneof({ weight: 9, arbitrary: restParams(model).map((p) => JSON.stringify(p)) }, { weight: 1, arbitrary: fc.string({ maxLength: 30 }) }), bodyHeaders(auth)).map(
    ([e, text, { headers, wrap }]): RawRequest => ({ method: 'POST', path: `/cubejs-api/v1/${e}`, headers, body: wrap(Buffer.from(text, 'utf8')) }),
  );
  const meta = fc.tuple(fc.constantFrom('', '?extended', '?extended=false', '?extended=%', '?extended=1&extended=2', '?x=%E0%A4%A'), auth).map(([qs, authorization]): RawRequest => ({
    method: 'GET', path: `/cubejs-api/v1/meta${qs}`, headers: authorization === undefined ? {} : { authorization },
  }));
  const graphqlPost = fc.tuple(fc.oneof({ weight: 9, arbitrary: graphqlBody(cubes).map((b) => JSON.stringify(b) ?? 'null') }, { weight: 1, arbitrary: fc.string({ maxLength: 30 }) }), bodyHeaders(auth)).map(
    ([text, { headers, wrap }]): RawRequest => ({ method: 'POST', path: '/cubejs-api/graphql', headers, body: wrap(Buffer.from(text, 'utf8')) }),
  );
  const graphqlGet = fc.tuple(graphqlDocument(cubes), sometimes(fc.jsonValue({ maxDepth: 1 }).map((v) => JSON.stringify(v) ?? ''), 3), auth).map(([query, variables, authorization]): RawRequest => ({
    method: 'GET',
    path: `/cubejs-api/graphql?${new URLSearchParams({ query, ...(variables === null ? {} : { variables }) })}`,
    headers: { accept: 'application/json', ...(authorization === undefined ? {} : { authorization }) },
  }));
  return fc.oneof(
    { weight: 5, arbitrary: restPost },
    { weight: 3, arbitrary: restGet },
    { weight: 1, arbitrary: meta },
    { weight: 4, arbitrary: graphqlPost },
    { weight: 1, arbitrary: graphqlGet },
  );
}
