/**
 * The dashboards' only way to their numbers: `@cubejs-client/core` over our REST API
 * (`/cubejs-api/v1/load`, "Continue wait" followed by the client), with the token the playground
 * keeps in localStorage, so the logged-in user's security context applies to every figure.
 *
 * The client's own transport always sends an `Authorization` header, which becomes the text
 * "undefined" when there is no token; dev mode needs none, so this transport sends the header only
 * when a token is set.
 */
import cube, { type CubeApi, type ITransport, type ITransportResponse, type Query, type ResultSet } from '@cubejs-client/core';

export const TOKEN_KEY = 'cubejsToken';

/** Where the REST API lives (written into the page by the server). */
export const REST_BASE = document.querySelector<HTMLMetaElement>('meta[name="rest-base-path"]')?.content || '/cubejs-api/v1';

export function currentToken(): string {
  return localStorage.getItem(TOKEN_KEY) ?? '';
}

/** GET `<apiUrl>/<method>?query=…` (POST when the URL would be too long), with the token when there is one. */
class TokenTransport implements ITransport<Response> {
  authorization: string | undefined;

  constructor(
    private readonly apiUrl: string,
    token: string,
  ) {
    this.authorization = token || undefined;
  }

  request(method: string, params: Record<string, unknown>): ITransportResponse<Response> {
    const { baseRequestId, signal, ...rest } = params;
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(rest)) {
      if (value !== undefined) search.set(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
    }
    let url = `${this.apiUrl}/${method}?${search}`;
    const post = url.length >= 2000;
    if (post) url = `${this.apiUrl}/${method}`;
    let span = 1;
    const send = (): Promise<Response> => {
      const headers: Record<string, string> = {};
      if (this.authorization) headers.authorization = this.authorization;
      if (typeof baseRequestId === 'string') headers['x-request-id'] = `${baseRequestId}-span-${span++}`;
      if (post) headers['content-type'] = 'application/json';
      return fetch(url, { method: post ? 'POST' : 'GET', headers, ...(post ? { body: JSON.stringify(rest) } : {}), ...(signal instanceof AbortSignal ? { signal } : {}) });
    };
    return {
      async subscribe(callback) {
        let result: Response | { error: string };
        try {
          result = await send();
        } catch (error) {
          result = { error: (error as Error).name === 'AbortError' ? 'aborted' : 'network Error' };
        }
        return callback(result, () => this.subscribe(callback));
      },
    };
  }
}

/** A client for the current token (a new one whenever the token changes). */
export function cubeApi(token = currentToken()): CubeApi {
  return cube(token, { apiUrl: REST_BASE, transport: new TokenTransport(REST_BASE, token) });
}

/** What the dashboards need of one `/load`: its rows and which rollup answered. */
export interface Loaded {
  readonly rows: readonly Record<string, unknown>[];
  readonly usedPreAggregations: readonly string[];
}

/** Loads several queries at once (one `/load` each, in parallel). */
export async function loadAll(api: CubeApi, queries: readonly Query[]): Promise<Loaded[]> {
  const sets = await Promise.all(queries.map((q) => api.load(q)));
  return sets.map((set: ResultSet) => {
    const serialized = set.serialize() as { loadResponse: { results?: { usedPreAggregations?: Record<string, unknown> }[]; usedPreAggregations?: Record<string, unknown> } };
    const used = serialized.loadResponse.results?.[0]?.usedPreAggregations ?? serialized.loadResponse.usedPreAggregations ?? {};
    return { rows: set.rawData() as Record<string, unknown>[], usedPreAggregations: Object.keys(used) };
  });
}
