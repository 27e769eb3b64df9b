"""A small registry world for the security tests: IR in two regencies, with and without consent.

Kota Semarang (33.74) holds a consenting IR and one whose owner refused sharing; Kabupaten Malang
(35.07) holds a consenting one. Records are registered by their own district office.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.conftest import GraphQLClient, ServerThread, Tokens
from tests.registry.test_registry_api import REGISTER, register_input

SEMARANG = "33.74"
MALANG = "35.07"
SEMARANG_VILLAGE = "33.74.01.1001"
MALANG_VILLAGE = "35.07.01.2001"
NIK_SEMARANG = "3374015507900001"
NIK_MALANG = "3507015507900003"
PHONE = "+6281234567890"


@dataclass
class World:
    own: dict[str, Any]  # Semarang, consented
    own_private: dict[str, Any]  # Semarang, no consent to share
    other: dict[str, Any]  # Malang, consented
    client: httpx.AsyncClient
    url: str
    tokens: Tokens

    def as_role(self, role: str, region: str | None = None, **claims: Any) -> GraphQLClient:
        return GraphQLClient(self.client, self.url, self.tokens.headers(role, region, **claims), self.tokens)


async def _register(office: GraphQLClient, **changes: Any) -> dict[str, Any]:
    body = await office(REGISTER, {"input": register_input(**changes)})
    assert "errors" not in body, body
    return body["data"]["registerHomeIndustry"]


@pytest.fixture(scope="module")
async def world(registry_server: ServerThread, tokens: Tokens) -> Any:
    async with httpx.AsyncClient(timeout=30) as client:
        url = registry_server.url + "/graphql"
        semarang = GraphQLClient(client, url, tokens.headers("DISTRICT_OFFICER", SEMARANG), tokens)
        malang = GraphQLClient(client, url, tokens.headers("DISTRICT_OFFICER", MALANG), tokens)
        common = {"address": "Jl. Pemuda No. 12", "location": {"latitude": -6.98312, "longitude": 110.41234}}
        own = await _register(semarang, businessName="Bakpia Rahasia Semarang", **common)
        own_private = await _register(
            semarang, businessName="Lumpia Rahasia Tertutup", consent={"granted": False}, **common
        )
        other = await _register(
            malang,
            villageCode=MALANG_VILLAGE,
            businessName="Keripik Apel Malang Rahasia",
            owner={"name": "Siti Aminah", "nik": NIK_MALANG, "phone": "0812-3456-7890"},
            **common,
        )
        yield World(own, own_private, other, client, url, tokens)
