"""Operations: request ids, one log line per request, Prometheus metrics and OpenTelemetry traces.

The three services use the same pieces through one ASGI middleware (``observed.Observed``); nothing
here imports a service. One concept per module: ``request_id`` (the X-Request-Id), ``request``
(what a request notes about itself as it runs), ``request_log`` (logging set-up and the access
line), ``metrics`` (the shared metrics and their listener), ``tracing`` (OpenTelemetry),
``graphql_notes`` (what a subgraph's GraphQL execution notes), ``observed`` (the middleware).
"""
