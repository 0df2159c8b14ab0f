/**
 * Requests to a listening stack's HTTP APIs (support/stack.ts with `serve: { http: true }`), for
 * suites that compare what GraphQL and REST answer for the same query.
 */

/** POSTs a GraphQL request; returns the HTTP status and the parsed body. */
export async function postGraphql(
  url: string,
  body: { query: string; variables?: Record<string, unknown>; operationName?: string },
  headers: Record<string, string> = {},
): Promise<{ status: number; body: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] } }> {
  const res = await fetch(`${url}/cubejs-api/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as never };
}

/** Runs a query through REST `/load` over HTTP and returns its rows (Cube's flat `cube.member` keys). */
export async function loadRest(url: string, query: object): Promise<Record<string, unknown>[]> {
  const res = await fetch(`${url}/cubejs-api/v1/load`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const body = (await res.json()) as { data?: Record<string, unknown>[]; error?: string };
  if (res.status !== 200 || !body.data) throw new Error(`REST ${res.status}: ${JSON.stringify(body)}`);
  return body.data;
}
