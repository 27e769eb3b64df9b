"""Group 5, @provides on interface- and union-typed fields: Book and Film are entities of
``catalog`` (which owns ``title`` and ``year``). ``shelf`` answers ``featured`` (an interface
list) providing both titles, and ``picks`` (a union list) providing only the Book's title;
``shelf`` and ``kiosk`` both answer the @shareable ``search``, ``shelf`` providing the Book's
title, ``kiosk`` the Film's.
The planner must take a provided field from the providing fetch, go to ``catalog`` for any
field the @provides does not cover, and pick the subgraph whose @provides covers the
selection of a @shareable field."""

from __future__ import annotations

from typing import Any

LINK = ('extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: '
        '["@key", "@shareable", "@external", "@requires", "@provides"])\n')

MEDIA = {"b1": ("Book", "Dune", 1965), "b2": ("Book", "Emma", 1815), "f1": ("Film", "Alien", 1979)}


def _media(mid: str, *fields: str) -> dict[str, Any]:
    kind, title, year = MEDIA[mid]
    out: dict[str, Any] = {"__typename": kind, "id": mid}
    if "title" in fields:
        out["title"] = title
    if "year" in fields:
        out["year"] = year
    return out


catalog = (LINK + '''
interface Media { id: ID! }
type Book implements Media @key(fields: "id") { id: ID! title: String @shareable year: Int }
type Film implements Media @key(fields: "id") { id: ID! title: String @shareable year: Int }
''', {}, {"Book": lambda rep: _media(rep["id"], "title", "year"), "Film": lambda rep: _media(rep["id"], "title", "year")})

shelf = (LINK + '''
type Query {
  featured: [Media!]! @provides(fields: "... on Book { title } ... on Film { title }")
  picks: [Pick!]! @provides(fields: "... on Book { title }")
  search: [Media!]! @shareable @provides(fields: "... on Book { title }")
}
interface Media { id: ID! }
union Pick = Book | Film
type Book implements Media @key(fields: "id") { id: ID! title: String @external }
type Film implements Media @key(fields: "id") { id: ID! title: String @external }
''', {"Query.featured": lambda *_: [_media(m, "title") for m in MEDIA],
      "Query.picks": lambda *_: [_media("f1"), _media("b1", "title")],
      "Query.search": lambda *_: [_media(m, "title") if MEDIA[m][0] == "Book" else _media(m) for m in MEDIA]},
    {"Book": lambda rep: _media(rep["id"]), "Film": lambda rep: _media(rep["id"])})

kiosk = (LINK + '''
type Query {
  search: [Media!]! @shareable @provides(fields: "... on Film { title }")
}
interface Media { id: ID! }
type Book implements Media @key(fields: "id") { id: ID! }
type Film implements Media @key(fields: "id") { id: ID! title: String @external }
''', {"Query.search": lambda *_: [_media(m, "title") if MEDIA[m][0] == "Film" else _media(m) for m in MEDIA]},
    {"Book": lambda rep: _media(rep["id"]), "Film": lambda rep: _media(rep["id"])})

SUBGRAPHS = {"catalog": catalog, "shelf": shelf, "kiosk": kiosk}
