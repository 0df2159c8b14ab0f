/**
 * Reads Cube's request parameters the way Cube's gateway accepts them: `GET ?query=<json>` or
 * `POST {"query": {...}}` (the query may also arrive as a JSON string), plus `queryType`
 * (`multi` from @cubejs-client/core ≥ 0.30 asks for the `results[]` response). @cubejs-client/core
 * switches from GET to POST once the URL passes 2,000 characters, so both carry the same shapes.
 */
import type { IncomingMessage } from 'node:http';
import { parse as parseQueryString } from 'node:querystring';
import { UserError } from '../../errors/user-error.ts';

const RAW_BODY = Symbol('rawBody');

/** A request as the REST routes read it: node's own (the `/load` hot route) or express's; `body` once the JSON parser ran. */
export type RestRequest = IncomingMessage & { body?: unknown };

/**
 * The JSON body parser's `verify` hook (server.ts): keeps the body's bytes, as read (after any
 * content encoding), with the charset they are decoded with, so `requestText` can key a POST by
 * what was sent. Holding the parser's own Buffer costs nothing per request.
 */
export function keepRawBody(req: IncomingMessage, _res: unknown, body: Buffer, encoding: string): void {
  (req as IncomingMessage & { [RAW_BODY]?: { body: Buffer; encoding: string } })[RAW_BODY] = { body, encoding };
}

/**
 * The request's parameters as sent, as one text: `GET ` and the URL's query string, or `POST `,
 * the body's charset and its bytes (each byte one character). Equal texts read as equal
 * parameters (`readRawParams` depends on nothing else), so it keys what is computed from them
 * (reuse/checked-texts.ts). Undefined when there is nothing to key (no query string; a POST body
 * the JSON parser did not read).
 */
export function requestText(req: RestRequest): string | undefined {
  if (paramsInUrl(req)) {
    const query = queryStringOf(req);
    return query === undefined ? undefined : `GET ${query}`;
  }
  const raw = (req as RestRequest & { [RAW_BODY]?: { body: Buffer; encoding: string } })[RAW_BODY];
  return raw ? `POST ${raw.encoding}\n${raw.body.toString('latin1')}` : undefined;
}

/** The raw parameters of one REST call, before the query's shape is checked. */
export interface RestParams {
  readonly query: unknown;
  readonly queryType?: string;
}

export function readParams(req: RestRequest): RestParams {
  const { query, queryType } = readRawParams(req);
  return { query: parseQuery(query), queryType };
}

/**
 * The parameters before the query text is parsed: `query` is the text as sent (`?query=`, or a
 * POST body's string), or the POST body's already-parsed value. `parseQuery` reads it.
 */
export function readRawParams(req: RestRequest): RestParams {
  const isGet = paramsInUrl(req);
  const source = isGet ? queryParams(req) : bodyObject(req.body);
  // Only a query string repeats a key; a POST body's `query` may be an array of queries (blending).
  const query = isGet ? single(source.query) : source.query;
  const queryType = isGet ? single(source.queryType) : source.queryType;
  return { query, queryType: typeof queryType === 'string' ? queryType : undefined };
}

/** A GET, and a HEAD (a GET whose body node leaves unsent), carries its parameters in the query string. */
function paramsInUrl(req: IncomingMessage): boolean {
  return req.method === 'GET' || req.method === 'HEAD';
}

/**
 * The query string's parameters as express's default ('simple') query parser reads them —
 * `node:querystring` over the text after `?` — so a route that answers without express reads
 * the same values (a repeated key gives an array).
 */
function queryParams(req: IncomingMessage): Record<string, unknown> {
  const query = queryStringOf(req);
  return query === undefined ? {} : parseQueryString(query);
}

/** The URL's text after `?` as sent (undecoded), or undefined when there is none. */
function queryStringOf(req: IncomingMessage): string | undefined {
  const url = req.url ?? '';
  const at = url.indexOf('?');
  return at < 0 ? undefined : url.slice(at + 1);
}

function bodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new UserError('QUERY_INVALID', 'Request body must be a JSON object like {"query": {...}}');
  }
  return body as Record<string, unknown>;
}

/** Express parses `?query=a&query=b` as an array: take the first, as URLSearchParams.get does. */
function single(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}

/** The query parameter's value: a text is parsed as JSON; absent or empty is QUERY_INVALID. */
export function parseQuery(raw: unknown): unknown {
  if (raw === undefined || raw === null || raw === '') {
    throw new UserError('QUERY_INVALID', 'Query param is required', { hint: 'pass the query as ?query=<json> or POST {"query": {...}}' });
  }
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch (error) {
    throw new UserError('MALFORMED_JSON', `Query param "query" is not valid JSON: ${(error as Error).message}`);
  }
}
