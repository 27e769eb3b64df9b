"""The reporting subgraph: a read model of the registry's outbox feed (projections, rollups, exports)."""
