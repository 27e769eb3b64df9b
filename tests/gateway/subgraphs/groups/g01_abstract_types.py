"""Group 1, abstract types: fragments on type conditions under @skip/@include, and several
parent types whose branches reach the same path (one entity fetch per subgraph and path)."""

from __future__ import annotations

from typing import Any

LINK = ('extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: '
        '["@key", "@shareable", "@external", "@requires", "@provides"])\n')

BOOKS = [{"id": "b1", "title": "Dune", "author": "p1", "score": 9}, {"id": "b2", "title": "Emma", "author": "p2", "score": 7}]
FILMS = [{"id": "f1", "title": "Alien", "director": "p1", "score": 8}]
PEOPLE = {"p1": "Ridley", "p2": "Jane"}


def _book(b: dict[str, Any]) -> dict[str, Any]:
    return {"__typename": "Book", "id": b["id"], "title": b["title"], "author": {"__typename": "Person", "id": b["author"]}}


def _film(f: dict[str, Any]) -> dict[str, Any]:
    return {"__typename": "Film", "id": f["id"], "title": f["title"],
            "director": {"__typename": "Person", "id": f["director"]}}


def _all() -> list[dict[str, Any]]:
    return [_book(BOOKS[0]), _film(FILMS[0]), _book(BOOKS[1])]


catalog = (LINK + '''
type Query { items: [Item!]! hits: [Hit!]! }
interface Item { id: ID! title: String }
type Book implements Item @key(fields: "id") { id: ID! title: String author: Person }
type Film implements Item @key(fields: "id") { id: ID! title: String director: Person }
type Person @key(fields: "id", resolvable: false) { id: ID! }
union Hit = Book | Film
''', {"Query.items": lambda *_: _all(), "Query.hits": lambda *_: _all()}, {})


def _score(rep: dict[str, Any]) -> dict[str, Any] | None:
    for item in BOOKS + FILMS:
        if item["id"] == rep["id"]:
            return {"__typename": rep["__typename"], "id": item["id"], "score": item["score"]}
    return None


reviews = (LINK + '''
type Book @key(fields: "id") { id: ID! score: Int }
type Film @key(fields: "id") { id: ID! score: Int }
''', {}, {"Book": _score, "Film": _score})

people = (LINK + '''
type Person @key(fields: "id") { id: ID! name: String }
''', {}, {"Person": lambda rep: {"__typename": "Person", "id": rep["id"], "name": PEOPLE.get(rep["id"])}})

SUBGRAPHS = {"catalog": catalog, "reviews": reviews, "people": people}
