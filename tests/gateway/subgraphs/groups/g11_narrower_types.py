"""Group 11, field types narrower in one subgraph (``@join__field(type:)``): ``Shelf.top`` is a
Media (Book or Film) in the supergraph and in ``media``, but ``shelf`` declares it a Book (the
only kind it shelves) and ``Shelf.pick`` a non-null ``String!`` where ``media`` says ``String``.
A fragment on Film can never match in ``shelf``: it must not be sent there (``shelf`` would
refuse the whole operation)."""

from __future__ import annotations

from typing import Any

LINK = ('extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: '
        '["@key", "@shareable", "@external", "@requires", "@provides"])\n')

MEDIA = {"b1": ("Book", "Dune"), "f1": ("Film", "Alien")}


def _media(mid: str) -> dict[str, Any]:
    return {"__typename": MEDIA[mid][0], "id": mid, "title": MEDIA[mid][1]}


shelf = (LINK + '''
type Query { shelf: Shelf }
type Shelf @key(fields: "id") { id: ID! top: Book @shareable pick: String! @shareable }
type Book @key(fields: "id") { id: ID! title: String @shareable }
''', {"Query.shelf": lambda *_: {"__typename": "Shelf", "id": "s1", "top": _media("b1"), "pick": "Dune"}},
    {"Shelf": lambda rep: {"__typename": "Shelf", "id": rep["id"], "top": _media("b1"), "pick": "Dune"},
     "Book": lambda rep: _media(rep["id"]) if rep["id"] in MEDIA else None})

media = (LINK + '''
type Query { shelves: [Shelf!]! }
type Shelf @key(fields: "id") { id: ID! top: Media @shareable pick: String @shareable }
interface Media { id: ID! title: String }
type Book implements Media @key(fields: "id") { id: ID! title: String @shareable }
type Film implements Media @key(fields: "id") { id: ID! title: String year: Int }
''', {"Query.shelves": lambda *_: [{"__typename": "Shelf", "id": "s1", "top": _media("b1"), "pick": "Dune"},
                                   {"__typename": "Shelf", "id": "s2", "top": _media("f1"), "pick": None}]},
    {"Shelf": lambda rep: None, "Book": lambda rep: _media(rep["id"]) if rep["id"] in MEDIA else None,
     "Film": lambda rep: {**_media(rep["id"]), "year": 1979} if rep["id"] in MEDIA else None})

SUBGRAPHS = {"shelf": shelf, "media": media}
