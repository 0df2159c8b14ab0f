/**
 * Regression: `Content-Encoding: gzip` on a body that is not gzip made zlib's error reach the error
 * handler without a body-parser `type` and answer 500. Every body that cannot be read is the
 * caller's: 400 (MALFORMED_BODY) when it does not match its encoding, 415 (UNSUPPORTED_MEDIA_TYPE)
 * for an encoding or charset the server does not read; real gzip/deflate/br bodies are answered.
 * Raw requests over a real socket, so the headers reach the server exactly as written.
 */
import http from 'node:http';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusDatabase, queryDuckDb, startStack, type Stack } from '../../support/stack.ts';

let stack: Stack;
let duckdbPath: string;
beforeAll(async () => {
  duckdbPath = await corpusDatabase();
  stack = await startStack({ data: 'corpus', serve: { http: true } });
});
afterAll(async () => stack?.close());

const BODY = JSON.stringify({ query: { measures: ['ECommerce.count'] } });

function post(path: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; json: Record<string, unknown> }> {
  const url = new URL(path, stack.url);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-length': String(body.length), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('request bodies in a Content-Encoding', () => {
  it.each(['gzip', 'deflate', 'br'])('400 MALFORMED_BODY for a plain body declared %s', async (encoding) => {
    const res = await post('/cubejs-api/v1/load', { 'content-type': 'application/json', 'content-encoding': encoding }, Buffer.from(BODY));
    expect(res.status).toBe(400);
    expect(res.json.type).toBe('MALFORMED_BODY');
    expect(res.json.error).toMatch(/Content-Encoding/);
  });

  it('400 for a truncated gzip body', async () => {
    const gz = zlib.gzipSync(BODY);
    const res = await post('/cubejs-api/v1/load', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, gz.subarray(0, gz.length - 6));
    expect(res.status).toBe(400);
    expect(typeof res.json.error).toBe('string');
  });

  it.each([
    ['content-encoding', 'compress'],
    ['content-encoding', 'gzip, deflate'],
    ['content-type', 'application/json; charset=latin1'],
  ])('415 UNSUPPORTED_MEDIA_TYPE for %s: %s', async (header, value) => {
    const res = await post('/cubejs-api/v1/load', { 'content-type': 'application/json', [header]: value }, Buffer.from(BODY));
    expect(res.status).toBe(415);
    expect(res.json.type).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it.each([
    ['gzip', zlib.gzipSync],
    ['deflate', zlib.deflateSync],
    ['br', zlib.brotliCompressSync],
  ] as const)('answers a real %s body like the plain one', async (encoding, compress) => {
    const res = await post('/cubejs-api/v1/load', { 'content-type': 'application/json', 'content-encoding': encoding }, compress(Buffer.from(BODY)));
    expect(res.status).toBe(200);
    const [expected] = await queryDuckDb(duckdbPath, 'SELECT count(*)::INT AS n FROM ecommerce');
    expect(Number((res.json.data as Record<string, unknown>[])[0]!['ECommerce.count'])).toBe(expected!.n);
  });

  it('GraphQL bodies get a 4xx too', async () => {
    const res = await post('/cubejs-api/graphql', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, Buffer.from('{"query":"{ __typename }"}'));
    expect(res.status).toBe(400);
  });
});
