"""The GraphiQL page served on ``GET /graphql`` to browsers.

The page is public; the requests it sends need a bearer token: its headers editor starts with
one to fill in (``siir token`` prints one for the embedded default).
"""

GRAPHIQL_HTML = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>SIIR GraphQL gateway</title>
  <link rel="stylesheet" href="https://unpkg.com/graphiql@3/graphiql.min.css">
  <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script crossorigin src="https://unpkg.com/react@18/umd/react.production.min.js"></script>
  <script crossorigin src="https://unpkg.com/react-dom@18/umd/react-dom.production.min.js"></script>
  <script crossorigin src="https://unpkg.com/graphiql@3/graphiql.min.js"></script>
  <script>
    const fetcher = GraphiQL.createFetcher({ url: window.location.pathname });
    const defaultHeaders = JSON.stringify(
      { Authorization: "Bearer <the output of: ./siirw token --role MINISTRY --sub you>" }, null, 2);
    ReactDOM.createRoot(document.getElementById("graphiql")).render(
      React.createElement(GraphiQL, { fetcher, defaultHeaders, shouldPersistHeaders: true }));
  </script>
</body>
</html>
"""
