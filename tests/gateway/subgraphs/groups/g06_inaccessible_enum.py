"""Group 6, @inaccessible enum values returned by a subgraph: ``Level.INTERNAL`` is hidden
from clients; a subgraph answering it must give the client null with an error, never the
hidden value."""

from __future__ import annotations

LINK = ('extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: '
        '["@key", "@inaccessible", "@shareable"])\n')

TEAMS = [{"__typename": "Team", "id": "t1", "level": "NATIONAL", "levels": ["NATIONAL", "PROVINCE"]},
         {"__typename": "Team", "id": "t2", "level": "INTERNAL", "levels": ["PROVINCE", "INTERNAL"]}]

teams = (LINK + '''
type Query { teams: [Team!]! }
enum Level { NATIONAL PROVINCE INTERNAL @inaccessible }
type Team @key(fields: "id") { id: ID! level: Level levels: [Level!] }
''', {"Query.teams": lambda *_: TEAMS}, {"Team": lambda rep: next((t for t in TEAMS if t["id"] == rep["id"]), None)})

SUBGRAPHS = {"teams": teams}
