"""Group 14, fetch merging: ``catalog``'s shelf holds books, a featured book and films, all
entities that ``reviews`` rates and (books) ``stock`` counts: the entity fetches of one step to
one subgraph are one request, and the two subgraphs are asked in parallel."""

from __future__ import annotations

LINK = ('extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\n')

RATINGS = {"b1": 4, "b2": 5, "f1": 3}


def _entity(typename: str, eid: str) -> dict:
    return {"__typename": typename, "id": eid}


catalog = (LINK + '''
type Query { shelf: Shelf }
type Shelf { books: [Book!]! featured: Book films: [Film!]! }
type Book @key(fields: "id") { id: ID! title: String }
type Film @key(fields: "id") { id: ID! title: String }
''', {"Query.shelf": lambda *_: {
    "books": [{**_entity("Book", "b1"), "title": "Ronggeng"}, {**_entity("Book", "b2"), "title": "Laskar"}],
    "featured": {**_entity("Book", "b2"), "title": "Laskar"},
    "films": [{**_entity("Film", "f1"), "title": "Pengabdi"}]}}, {})

reviews = (LINK + '''
type Book @key(fields: "id") { id: ID! rating: Int }
type Film @key(fields: "id") { id: ID! rating: Int }
''', {}, {"Book": lambda rep: {**rep, "rating": RATINGS.get(rep["id"])},
          "Film": lambda rep: {**rep, "rating": RATINGS.get(rep["id"])}})

stock = (LINK + '''
type Book @key(fields: "id") { id: ID! stock: Int }
''', {}, {"Book": lambda rep: {**rep, "stock": 10 if rep["id"] == "b1" else 0}})

SUBGRAPHS = {"catalog": catalog, "reviews": reviews, "stock": stock}
