/**
 * The offline GraphiQL page: GraphiQL and its styles come from the playground bundle (a lazily
 * loaded chunk), never from a CDN. The endpoint is written into the page by the server; the token
 * is the one the playground keeps in localStorage.
 */
import { lazy, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { TOKEN_KEY } from './api/rest-client.ts';

const endpoint = document.querySelector<HTMLMetaElement>('meta[name="graphql-endpoint"]')?.content || '/cubejs-api/graphql';

const fetcher = async (params: unknown): Promise<unknown> => {
  const token = localStorage.getItem(TOKEN_KEY) ?? '';
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) },
    body: JSON.stringify(params),
  });
  return response.json();
};

const GraphiqlApp = lazy(async () => {
  const [{ GraphiQL }] = await Promise.all([import('graphiql'), import('graphiql/style.css')]);
  return {
    default: () => <GraphiQL fetcher={fetcher} defaultQuery={'{\n  cube(limit: 10) {\n  }\n}\n'} />,
  };
});

const root = document.getElementById('graphiql')!;
root.style.height = '100vh';
document.body.style.margin = '0';
createRoot(root).render(
  <Suspense fallback={<p>Loading GraphiQL…</p>}>
    <GraphiqlApp />
  </Suspense>,
);
