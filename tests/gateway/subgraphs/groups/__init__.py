"""Fixture subgraph sets of the planner's feature groups (issue 12), one module per group.

Each module defines ``SUBGRAPHS`` (name → (SDL, resolvers, reference resolvers), as in
``gw_catalog``); ``GROUPS`` maps a group's name to them. ``gw_subgraph_server`` serves each at
``/<group>__<name>/graphql``.
"""

from __future__ import annotations

from importlib import import_module

NAMES = (
    "g01_abstract_types",
    "g02_response_names",
    "g03_shareable_roots",
    "g04_parent_entity",
    "g05_provides_abstract",
    "g06_inaccessible_enum",
    "g07_interface_object",
    "g08_unreachable",
    "g09_requires_chains",
    "g10_requires_inaccessible",
    "g11_narrower_types",
    "g12_alias_collisions",
    "g13_context_cost",
    "g14_fetch_merging",
)

GROUPS = {name: import_module(f"groups.{name}").SUBGRAPHS for name in NAMES}
