"""Group 8, unreachable fields: ``Note.extra`` lives only in ``extras``, whose key on Note is
not resolvable, so no plan can fetch it for notes that ``notes`` returns. Composition refuses
such subgraphs (it checks satisfiability), so the test's supergraph is this composition with
extras' key turned non-resolvable afterwards (``UNREACHABLE_EDIT``), as a supergraph made by
another composer, or edited by hand, may be."""

from __future__ import annotations

LINK = ('extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: '
        '["@key", "@shareable", "@external", "@requires", "@provides"])\n')

NOTES = [{"__typename": "Note", "id": "n1", "text": "first"}, {"__typename": "Note", "id": "n2", "text": "second"}]

notes = (LINK + '''
type Query { notes: [Note!]! firstNote: Note }
type Note @key(fields: "id") { id: ID! text: String }
''', {"Query.notes": lambda *_: NOTES, "Query.firstNote": lambda *_: NOTES[0]},
    {"Note": lambda rep: next((n for n in NOTES if n["id"] == rep["id"]), None)})

extras = (LINK + '''
type Note @key(fields: "id") { id: ID! extra: String }
''', {}, {"Note": lambda rep: {"__typename": "Note", "id": rep["id"], "extra": f"extra-{rep['id']}"}})

SUBGRAPHS = {"notes": notes, "extras": extras}

# (text in the composed supergraph, replacement): extras can no longer resolve Note.
UNREACHABLE_EDIT = ('@join__type(graph: EXTRAS, key: "id")', '@join__type(graph: EXTRAS, key: "id", resolvable: false)')
