"""The fixture subgraphs of the differential suite: SDLs, data and resolvers.

One supergraph exercises every federation feature the gateway must plan:
products (root fields, compound nested key, @inaccessible, inputs), inventory (@requires,
errors, null propagation), shipping (key reached through another subgraph), reviews
(@provides, @shareable, @override, entities both ways), accounts (non-resolvable key,
interface and union members), media (interfaces/unions across subgraphs), ratings
(@interfaceObject), broken (HTTP 500) and slow (timeouts).
"""

from __future__ import annotations

import asyncio
from typing import Any

from graphql import GraphQLError

LINK = ('extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: '
        '["@key", "@shareable", "@external", "@requires", "@provides", "@override", '
        '"@inaccessible", "@tag", "@interfaceObject"])\n')

# Mutations append here so tests can check they ran strictly in order.
MUTATION_LOG: list[str] = []

PRODUCTS = [
    {"upc": "1", "sku": "S1", "pkg": {"id": "K1", "size": 1}, "name": "Table", "price": 100, "weight": 10,
     "category": "TOOLS", "secret": "s1", "tags": ["wood"]},
    {"upc": "2", "sku": "S2", "pkg": {"id": "K2", "size": 2}, "name": "Couch", "price": 1000, "weight": 50,
     "category": "TOOLS", "secret": "s2", "tags": ["soft"]},
    {"upc": "3", "sku": "S3", "pkg": {"id": "K1", "size": 1}, "name": "Chair", "price": 50, "weight": 5,
     "category": "FOOD", "secret": "s3", "tags": ["wood", "small"]},
    {"upc": "4", "sku": "S4", "pkg": {"id": "K3", "size": 3}, "name": "Lamp", "price": 20, "weight": 1,
     "category": "BOOKS", "secret": "s4", "tags": []},
]
USERS = [
    {"id": "u1", "username": "ada", "name": "Ada Lovelace", "nickname": "acct-ada", "birthYear": 1815, "fav": "2"},
    {"id": "u2", "username": "alan", "name": "Alan Turing", "nickname": "acct-alan", "birthYear": 1912, "fav": None},
]
REVIEWS = [
    {"id": "r1", "body": "Love it", "author": "u1", "upc": "1", "stars": 5},
    {"id": "r2", "body": "Too soft", "author": "u2", "upc": "2", "stars": 2},
    {"id": "r3", "body": "Sturdy", "author": "u1", "upc": "1", "stars": 4},
    {"id": "r4", "body": "Wobbly", "author": "u2", "upc": "3", "stars": 1},
]
MEDIA = [
    {"__typename": "Book", "id": "b1", "title": "Dune", "pages": 412},
    {"__typename": "Movie", "id": "m1", "title": "Alien", "minutes": 117},
    {"__typename": "Book", "id": "b2", "title": "Emma", "pages": 320},
]


def _product(p: dict[str, Any]) -> dict[str, Any]:
    return {"__typename": "Product", **p}


def _find_product(rep: dict[str, Any]) -> dict[str, Any] | None:
    for p in PRODUCTS:
        if ("upc" in rep and p["upc"] == rep["upc"]) or (
                "sku" in rep and p["sku"] == rep["sku"] and p["pkg"]["id"] == rep["pkg"]["id"]):
            return _product(p)
    return None


def _filter_products(_: Any, info: Any, filter: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for p in PRODUCTS:
        if filter.get("minPrice") is not None and p["price"] < filter["minPrice"]:
            continue
        if filter.get("tags") and not set(filter["tags"]) & set(p["tags"]):
            continue
        rng = filter.get("range")
        if rng and (p["price"] < rng.get("min", 0) or (rng.get("max") is not None and p["price"] > rng["max"])):
            continue
        out.append(_product(p))
    return out


def _add_product(_: Any, info: Any, upc: str, name: str) -> dict[str, Any]:
    MUTATION_LOG.append(f"products.addProduct:{upc}")
    return _product({**PRODUCTS[0], "upc": upc, "name": name})


products = (LINK + '''
type Query {
  topProducts(first: Int = 3): [Product!]!
  product(upc: String!): Product
  productsByFilter(filter: ProductFilter!): [Product!]!
}
type Mutation { addProduct(upc: String!, name: String!): Product! }
input ProductFilter { minPrice: Int tags: [String!] range: PriceRange }
input PriceRange { min: Int = 0 max: Int }
enum Category { BOOKS TOOLS FOOD }
type Product @key(fields: "upc") @key(fields: "sku pkg { id }") {
  upc: String!
  sku: String!
  pkg: Package!
  name: String @shareable
  price: Int
  weight: Int
  dimension(unit: String!): Int
  category: Category
  secret: String @inaccessible
}
type Package @shareable { id: ID! size: Int }
''', {
    "Query.topProducts": lambda _, info, first: [_product(p) for p in PRODUCTS[:first]],
    "Query.product": lambda _, info, upc: _find_product({"upc": upc}),
    "Query.productsByFilter": _filter_products,
    "Mutation.addProduct": _add_product,
    "Product.dimension": lambda p, info, unit: p["weight"] * (100 if unit == "cm" else 1),
}, {"Product": _find_product})


def _inventory_ref(rep: dict[str, Any]) -> dict[str, Any]:
    upc = rep["upc"]

    def flaky(info: Any) -> str:
        if upc == "3":
            raise GraphQLError(f"flaky failure for product {upc}")
        return f"ok-{upc}"

    def estimate(info: Any) -> int | None:
        if "price" not in rep or "weight" not in rep:
            raise GraphQLError("shippingEstimate needs price and weight")
        return rep["price"] // 10 + rep["weight"]

    def volume(info: Any) -> str:
        if "dimension" not in rep:
            raise GraphQLError("volumeNote needs dimension")
        return f"{rep['dimension']}cm3"

    def pack(info: Any) -> str:
        if not isinstance(rep.get("pkg"), dict) or "size" not in rep["pkg"]:
            raise GraphQLError("packNote needs pkg { size }")
        return f"size {rep['pkg']['size']}"

    def heavy(info: Any) -> bool:
        if "weight" not in rep:
            raise GraphQLError("heavy needs weight")
        return rep["weight"] > 9

    return {
        "__typename": "Product", "upc": upc, "packNote": pack, "heavy": heavy,
        "inStock": None if upc == "4" else upc != "2",
        "shippingEstimate": estimate,
        "volumeNote": volume,
        "stockNote": lambda info, lang: f"{lang}:{upc}",
        "flaky": flaky,
        "warehouse": {"code": None if upc == "2" else f"W{upc}", "city": "Jakarta"},
    }


inventory = (LINK + '''
type Product @key(fields: "upc") {
  upc: String!
  price: Int @external
  weight: Int @external
  dimension(unit: String!): Int @external
  inStock: Boolean!
  shippingEstimate: Int @requires(fields: "price weight")
  volumeNote: String @requires(fields: "dimension(unit: \\"cm\\")")
  stockNote(lang: String = "en"): String
  flaky: String
  warehouse: Warehouse
  pkg: Package! @external
  packNote: String @requires(fields: "pkg { size }")
  heavy: Boolean @requires(fields: "... on Product { weight }")
}
type Package @shareable { id: ID! size: Int }
type Warehouse { code: String! city: String }
''', {}, {"Product": _inventory_ref})


shipping = (LINK + '''
type Product @key(fields: "sku pkg { id }") {
  sku: String!
  pkg: Package!
  deliveryDays(zone: String = "local"): Int
}
type Package @shareable { id: ID! }
''', {}, {"Product": lambda rep: {
    "__typename": "Product", "sku": rep["sku"], "pkg": rep["pkg"],
    "deliveryDays": lambda info, zone: (2 if zone == "local" else 7) + int(rep["sku"][1:]),
}})


def _review(r: dict[str, Any]) -> dict[str, Any]:
    user = next(u for u in USERS if u["id"] == r["author"])
    product = next(p for p in PRODUCTS if p["upc"] == r["upc"])
    return {"__typename": "Review", "id": r["id"], "body": r["body"], "stars": r["stars"],
            # @provides: reviews can answer the author's username without a hop.
            "author": _reviews_user(user["id"], user["username"]),
            "product": _reviews_product(product["upc"])}


def _reviews_user(uid: str, username: str | None = None) -> dict[str, Any]:
    """A User as the reviews subgraph knows it (username only when @provides applies)."""
    user = {"__typename": "User", "id": uid, "nickname": f"rev-{uid}", "tier": f"rev-tier-{uid}",
            "badge": f"rev-badge-{uid}",
            "reviews": lambda info: [_review(r) for r in REVIEWS if r["author"] == uid]}
    if username is not None:
        user["username"] = username
    return user


def _reviews_product(upc: str) -> dict[str, Any]:
    """A Product as the reviews subgraph knows it."""
    return {"__typename": "Product", "upc": upc, "name": next(p["name"] for p in PRODUCTS if p["upc"] == upc),
            "reviews": lambda info: [_review(r) for r in REVIEWS if r["upc"] == upc]}


def _add_review(_: Any, info: Any, upc: str, body: str) -> dict[str, Any]:
    MUTATION_LOG.append(f"reviews.addReview:{body}")
    return _review({"id": f"new-{body}", "body": body, "author": "u1", "upc": upc, "stars": 3})


reviews = (LINK.replace("v2.3", "v2.7") + '''
type Query { latestReviews(limit: Int): [Review!]! review(id: ID!): Review }
type Mutation { addReview(upc: String!, body: String!): Review! }
type Review @key(fields: "id") {
  id: ID!
  body: String!
  stars: Int
  author: User! @provides(fields: "username")
  product: Product!
}
type User @key(fields: "id") {
  id: ID!
  username: String @external
  nickname: String @override(from: "accounts")
  tier: String @override(from: "accounts", label: "percent(100)")
  badge: String @override(from: "accounts", label: "percent(0)")
  reviews: [Review!]!
}
type Product @key(fields: "upc") {
  upc: String!
  name: String @shareable
  reviews: [Review!]!
}
type Book @key(fields: "id") { id: ID! reviewCount: Int }
''', {
    "Query.latestReviews": lambda _, info, limit=None: [_review(r) for r in REVIEWS[: limit or len(REVIEWS)]],
    "Query.review": lambda _, info, id: next((_review(r) for r in REVIEWS if r["id"] == id), None),
    "Mutation.addReview": _add_review,
}, {
    "Review": lambda rep: next((_review(r) for r in REVIEWS if r["id"] == rep["id"]), None),
    "User": lambda rep: _reviews_user(rep["id"]),
    "Product": lambda rep: _reviews_product(rep["upc"]),
    "Book": lambda rep: {"__typename": "Book", "id": rep["id"], "reviewCount": len(rep["id"]) * 7},
})


def _user(u: dict[str, Any]) -> dict[str, Any]:
    return {"__typename": "User", "id": u["id"], "username": u["username"], "name": u["name"],
            "nickname": u["nickname"], "birthYear": u["birthYear"],
            "tier": f"acct-tier-{u['id']}", "badge": f"acct-badge-{u['id']}",
            "favoriteProduct": {"__typename": "Product", "upc": u["fav"]} if u["fav"] else None}


def _set_name(_: Any, info: Any, id: str, name: str) -> dict[str, Any]:
    MUTATION_LOG.append(f"accounts.setName:{name}")
    return {**_user(next(u for u in USERS if u["id"] == id)), "name": name}


accounts = (LINK + '''
type Query {
  me: User
  users: [User!]!
  user(id: ID!): User
  node(id: ID!): Node
  search(term: String!): [SearchResult!]!
}
type Mutation { setName(id: ID!, name: String!): User }
interface Node { id: ID! }
union SearchResult = User
type User implements Node @key(fields: "id") {
  id: ID!
  username: String
  name: String
  nickname: String
  tier: String
  badge: String
  birthYear: Int
  favoriteProduct: Product
}
type Product @key(fields: "upc", resolvable: false) { upc: String! }
''', {
    "Query.me": lambda *_: _user(USERS[0]),
    "Query.users": lambda *_: [_user(u) for u in USERS],
    "Query.user": lambda _, info, id: next((_user(u) for u in USERS if u["id"] == id), None),
    "Query.node": lambda _, info, id: next((_user(u) for u in USERS if u["id"] == id), None),
    "Query.search": lambda _, info, term: [_user(u) for u in USERS if term in u["name"].lower()],
    "Mutation.setName": _set_name,
}, {"User": lambda rep: next((_user(u) for u in USERS if u["id"] == rep["id"]), None)})


media = (LINK + '''
type Query { media: [Media!]! searchMedia(term: String!): [SearchResult!]! }
interface Media @key(fields: "id") { id: ID! title: String! }
type Book implements Media @key(fields: "id") { id: ID! title: String! pages: Int }
type Movie implements Media @key(fields: "id") { id: ID! title: String! minutes: Int }
union SearchResult = Book | Movie
''', {
    "Query.media": lambda *_: list(MEDIA),
    "Query.searchMedia": lambda _, info, term: [m for m in MEDIA if term in m["title"].lower()],
}, {
    "Media": lambda rep: next((m for m in MEDIA if m["id"] == rep["id"]), None),
    "Book": lambda rep: next((m for m in MEDIA if m["id"] == rep["id"]), None),
    "Movie": lambda rep: next((m for m in MEDIA if m["id"] == rep["id"]), None),
})


def _popularity(media_id: str) -> int:
    return 10 * len(media_id) + ord(media_id[0]) % 7


ratings = (LINK + '''
type Query { topRated: [Media!]! }
type Media @key(fields: "id") @interfaceObject { id: ID! popularity: Int }
''', {
    # ratings only knows "Media": the gateway must find out which type each one is.
    "Query.topRated": lambda *_: [{"__typename": "Media", "id": i, "popularity": _popularity(i)} for i in ("m1", "b2")],
}, {"Media": lambda rep: {"__typename": "Media", "id": rep["id"], "popularity": _popularity(rep["id"])}})


broken = (LINK + '''
type Query { brokenField: String }
type Product @key(fields: "upc") { upc: String! brokenInfo: String brokenCode: String! }
''', {}, {})


async def _slow_info(obj: dict[str, Any], info: Any) -> str:
    await asyncio.sleep(3)
    return "too late"


slow = (LINK + '''
type Product @key(fields: "upc") { upc: String! slowInfo: String }
''', {"Product.slowInfo": _slow_info}, {"Product": lambda rep: {"__typename": "Product", "upc": rep["upc"]}})


SUBGRAPHS: dict[str, tuple[str, dict, dict]] = {
    "products": products, "inventory": inventory, "shipping": shipping, "reviews": reviews,
    "accounts": accounts, "media": media, "ratings": ratings, "broken": broken, "slow": slow,
}
# Subgraphs whose HTTP endpoint fails on purpose.
FAILING = {"broken"}
