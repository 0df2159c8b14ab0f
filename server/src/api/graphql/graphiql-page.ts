/**
 * GraphiQL for dev mode, from the playground bundle (GraphiQL, React and the styles are bundled
 * at build time and served by this server: it works offline, nothing comes from a CDN).
 * Production mode never serves it.
 */
import { bundlePage, missingBundlePage } from '../playground/create-playground-routes.ts';

export function renderGraphiql(endpoint: string): string {
  const url = endpoint || '/cubejs-api/graphql';
  return bundlePage('graphiql.html', { 'graphql-endpoint': url }) ?? missingBundlePage('GraphiQL', url);
}
