/**
 * GraphiQL for dev mode. The page loads GraphiQL from its CDN build in the browser; the
 * server itself needs no extra package, and production mode never serves it.
 */
export function renderGraphiql(endpoint: string): string {
  const url = JSON.stringify(endpoint || '/cubejs-api/graphql');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>GraphiQL · semantic layer</title>
  <link rel="stylesheet" href="https://unpkg.com/graphiql@3.8.3/graphiql.min.css" />
  <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script crossorigin src="https://unpkg.com/react@18.3.1/umd/react.production.min.js"></script>
  <script crossorigin src="https://unpkg.com/react-dom@18.3.1/umd/react-dom.production.min.js"></script>
  <script crossorigin src="https://unpkg.com/graphiql@3.8.3/graphiql.min.js"></script>
  <script>
    const fetcher = GraphiQL.createFetcher({ url: ${url}, headers: { Authorization: localStorage.getItem('cubejsToken') || '' } });
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, { fetcher, defaultQuery: '{\\n  cube(limit: 10) {\\n  }\\n}\\n' })
    );
  </script>
</body>
</html>`;
}
