"""A reporting world for the security tests: registry changes in Kota Semarang (33.74), Kabupaten
Malang (35.07) and Kota Banda Aceh (11.71), applied by reporting's consumer, and the reporting
subgraph (trusting the ``tokens`` fixture) with our gateway in front of it and the registry.

Counts depend on what other tests wrote to the session database; tests read the expected figures
as MINISTRY and compare, rather than hard-coding them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import text

from gateway.app import build_app as build_gateway
from gateway.limits import Limits
from services.reporting.consumer import catch_up_once
from siir.database import asyncpg_dsn, create_engine
from tests.conftest import GraphQLClient, ServerThread, Tokens
from services.registry import registrar
from services.registry.domain.classification import CapitalSource, Criteria, ProductionPattern, ProductionTechnology
from tests.reporting.registry_changes import ACTOR, ANYWHERE, REGENCIES, TODAY, RegistryChanges

SEMARANG = "33.74"
#: The product of the world's few IR (never one of the random changes' products).
RARE_PRODUCT = "Gula Semut"
MALANG = "35.07"
#: Villages other tests register into by name.
FIXED_VILLAGES = frozenset({"33.74.01.1001", "35.07.01.2001"})
SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"


@dataclass
class ReportingWorld:
    client: httpx.AsyncClient
    url: str  # the reporting subgraph's base URL
    tokens: Tokens
    semarang_ir: str  # an IR of Kota Semarang known to reporting
    malang_ir: str  # one of Kabupaten Malang
    few_villages: list[str]  # villages holding 0–3 IR between them (small counts for partners)

    def as_role(self, role: str, region: str | None = None, **claims: Any) -> GraphQLClient:
        return GraphQLClient(self.client, self.url + "/graphql", self.tokens.headers(role, region, **claims), self.tokens)

    async def export(self, path: str, role: str | None = None, region: str | None = None, **claims: Any) -> httpx.Response:
        headers = self.tokens.headers(role, region, **claims) if role else {}
        return await self.client.get(self.url + path, headers=headers)


@pytest.fixture(scope="module")
def reporting_subgraph(database_url: str, tokens: Tokens) -> Iterator[ServerThread]:
    from services.reporting.app import build_app

    with ServerThread(build_app(database_url, run_consumer=False, verifier=tokens.verifier)) as server:
        yield server


@pytest.fixture(scope="module")
async def reporting_world(database_url: str, reporting_subgraph: ServerThread, tokens: Tokens) -> AsyncIterator[ReportingWorld]:
    engine = create_engine(database_url, pool_size=2)
    try:
        changes = RegistryChanges(engine, seed=505)
        await changes.run(400)
        # Three more IR, each in a village of its regency that no random change uses: small counts.
        async with engine.connect() as connection:
            few = {}
            for regency in REGENCIES:
                rows = await connection.execute(text(
                    "SELECT code FROM registry.regions WHERE level = 4 AND code LIKE :p ORDER BY code DESC"), {"p": regency + ".%"})
                few[regency] = next(c for (c,) in rows if c not in changes.villages[regency] and c not in FIXED_VILLAGES)
        changes.villages = {regency: [village] for regency, village in few.items()}
        for _ in range(3):
            await changes.register()
        # ...making a product only they name, so every regency's needs table has an item of 1-4 IR
        # whatever other tests wrote into the session's database before.
        for pk in changes.log.ids[-3:]:
            async with engine.connect() as connection:
                version = await connection.scalar(text("SELECT version FROM registry.home_industries WHERE id = :id"), {"id": pk})
            await registrar.update(engine, pk, version, {"products": [{"name": RARE_PRODUCT}]}, ANYWHERE, ACTOR)
    finally:
        await engine.dispose()
    await catch_up_once(database_url, database_url)
    pg = await asyncpg.connect(**asyncpg_dsn(database_url))
    try:
        ids = {}
        for regency in (SEMARANG, MALANG):
            ids[regency] = str(await pg.fetchval(
                "SELECT id FROM reporting.home_industries WHERE village_code LIKE $1 ORDER BY id LIMIT 1", regency + ".%"))
    finally:
        await pg.close()
    async with httpx.AsyncClient(timeout=60) as client:
        yield ReportingWorld(client, reporting_subgraph.url, tokens, ids[SEMARANG], ids[MALANG], list(few.values()))


@pytest.fixture(scope="module")
async def gateway(registry_server: ServerThread, reporting_subgraph: ServerThread, tokens: Tokens) -> AsyncIterator[httpx.AsyncClient]:
    """Our gateway (in process, default limits) on the real registry and reporting subgraphs."""
    app = build_gateway(SUPERGRAPH.read_text(), verifier=tokens.verifier, limits=Limits(),
                        subgraph_urls={"registry": registry_server.url + "/graphql",
                                       "reporting": reporting_subgraph.url + "/graphql"})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway", timeout=60) as client:
        yield client
    await app.state.gateway.client.aclose()


@dataclass
class FacilitatorWorld:
    """Facilitators of Kota Semarang in the reporting world, as the registry assigned them and reporting
    learned them from the outbox (names from the registry's facilitator_registrar; dates Asia/Jakarta).

    - ``wulan``: the village ``own_village`` as a whole and the single IR ``single_ir`` (in
      ``single_village``, not hers otherwise) since 2020; ``moved_village`` from 2020 to 2024-12-31 (ended).
    - ``sari``: ``moved_village`` since 2025-01-01 (the re-assignment).
    - ``idle``: ``other_village`` from 2020 to 2023-12-31 only: no current assignment.
    ``other_village`` is no one's today.
    """

    subjects: dict[str, str]  # name -> login subject
    own_village: str
    own_ir: str  # an IR of own_village
    single_ir: str
    single_village: str
    neighbour_ir: str  # another IR of single_village (not hers)
    moved_village: str
    moved_ir: str
    other_village: str
    other_ir: str

    def caller(self, world: ReportingWorld, name: str) -> GraphQLClient:
        return world.as_role("FACILITATOR", SEMARANG, subject=self.subjects[name])


@pytest.fixture(scope="module")
async def facilitator_world(database_url: str, reporting_world: ReportingWorld) -> FacilitatorWorld:
    import secrets

    from services.registry import facilitator_registrar

    pg = await asyncpg.connect(**asyncpg_dsn(database_url))
    try:
        rows = await pg.fetch("SELECT id, village_code FROM reporting.home_industries"
                              " WHERE village_code LIKE $1 AND status = 'ACTIVE' ORDER BY id", SEMARANG + ".%")
    finally:
        await pg.close()
    by_village: dict[str, list[Any]] = {}
    for row in rows:
        by_village.setdefault(row["village_code"], []).append(row)
    # The single IR's village also holds an IR that is not hers.
    single_village = next(v for v, irs in by_village.items() if len(irs) >= 2)
    own, moved, other = [v for v in by_village if v != single_village][:3]
    single = by_village[single_village][0]
    engine = create_engine(database_url, pool_size=2)
    try:
        # Hand-over candidates in her village, as her single IR and in a village not hers (an assessment
        # past the small-enterprise thresholds), so her list has both kinds and the regency's has others.
        changes = RegistryChanges(engine, seed=606)
        await changes.prepare()

        def candidate(started: dt.date) -> tuple[Criteria, dict[str, object]]:
            top = lambda kind: list(kind)[2]  # noqa: E731 (level 3 of each criterion)
            return Criteria(worker_count=8, production_technology=top(ProductionTechnology), capital_source=top(CapitalSource),
                            capital_amount=60_000_000, business_started_on=started, production_pattern=top(ProductionPattern)), {
                "assessed_on": TODAY, "assets_excluding_land_and_buildings": None, "annual_turnover": 450_000_000,
                "assessor": "Pendamping Uji", "notes": None}

        for pk in (by_village[own][0]["id"], single["id"], by_village[other][0]["id"]):
            await registrar.record_assessment(engine, pk, candidate, changes.rule_set, changes.thresholds, ANYWHERE, ACTOR)
    except BaseException:
        await engine.dispose()
        raise
    tag = secrets.token_hex(4)
    subjects = {name: f"reporting-world-{tag}-{name}" for name in ("wulan", "sari", "idle", "unknown")}
    anywhere = lambda code: True  # noqa: E731 (the clerk of the regency office)
    try:
        async def engage(name: str, assignments: list[dict[str, Any]]) -> Any:
            values = {"regency_code": SEMARANG, "person_name": f"Pendamping {name}", "sex": "FEMALE", "organisation": None,
                      "phone": None, "email": None, "subject": subjects[name], "active_from": dt.date(2020, 1, 1),
                      "active_until": None}
            return await facilitator_registrar.register_facilitator(engine, values, assignments, ACTOR)

        since = {"active_from": dt.date(2020, 1, 1), "active_until": None}
        wulan = await engage("wulan", [{"village_code": own, **since}, {"home_industry_id": single["id"], **since},
                                       {"village_code": moved, **since}])
        idle = await engage("idle", [{"village_code": other, **since}])
        async with engine.connect() as connection:
            open_ones = (await connection.execute(text(
                "SELECT id, facilitator_id, village_code FROM registry.facilitator_assignments"
                " WHERE facilitator_id = ANY(:ids)"), {"ids": [wulan["id"], idle["id"]]})).all()
        for assignment in open_ones:  # the registry's endFacilitatorAssignment, as an office ends one
            if assignment.village_code == moved:
                await facilitator_registrar.end_assignment(engine, assignment.id, dt.date(2024, 12, 31), anywhere, ACTOR)
            elif assignment.facilitator_id == idle["id"]:
                await facilitator_registrar.end_assignment(engine, assignment.id, dt.date(2023, 12, 31), anywhere, ACTOR)
        await engage("sari", [{"village_code": moved, "active_from": dt.date(2025, 1, 1), "active_until": None}])
    finally:
        await engine.dispose()
    await catch_up_once(database_url, database_url)
    return FacilitatorWorld(
        subjects=subjects, own_village=own, own_ir=str(by_village[own][0]["id"]), single_ir=str(single["id"]),
        single_village=single_village,
        neighbour_ir=str(next(r["id"] for r in by_village[single_village] if r["id"] != single["id"])), moved_village=moved, moved_ir=str(by_village[moved][0]["id"]),
        other_village=other, other_ir=str(by_village[other][0]["id"]),
    )
