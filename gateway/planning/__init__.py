"""The query planner in stages, one module each (see ``gateway.planner.Planner``):

1. ``normalise``: the client's operation with fragments inlined, literal ``@skip``/``@include``
   resolved and type conditions that can never match pruned;
2. ``fetch_graph``: a graph of fetches over the supergraph (which subgraph resolves what, the
   keys and ``@requires`` fields each entity fetch needs from its parents);
3. ``optimise``: fetches ordered into stages (independent ones in parallel), entity fetches to
   one subgraph in one stage merged into one request, empty fetches dropped;
4. ``emit``: each fetch's subgraph operation built as a graphql-core AST and printed once,
   as the plain ``QueryPlan`` values the executor runs.

Every stage is a pure function of the supergraph model and its input.
"""
