"""Group 3, @shareable root fields whose selection spans subgraphs: ``viewer`` is a root field
of both ``profile`` and ``prefs``; Viewer and Account are value types (no key) whose fields
are split between them, so no entity fetch can join them: one root fetch per subgraph."""

from __future__ import annotations

LINK = ('extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: '
        '["@key", "@shareable", "@external", "@requires", "@provides"])\n')

profile = (LINK + '''
type Query { viewer: Viewer @shareable version: String }
type Viewer @shareable { id: ID! name: String account: Account }
type Account @shareable { id: ID! plan: String }
''', {"Query.viewer": lambda *_: {"id": "v1", "name": "Sri", "account": {"id": "a1", "plan": "gold"}},
      "Query.version": lambda *_: "p-1"}, {})

prefs = (LINK + '''
type Query { viewer: Viewer @shareable }
type Viewer @shareable { id: ID! theme: String account: Account }
type Account @shareable { id: ID! quota: Int }
''', {"Query.viewer": lambda *_: {"id": "v1", "theme": "dark", "account": {"id": "a1", "quota": 7}}}, {})

SUBGRAPHS = {"profile": profile, "prefs": prefs}
