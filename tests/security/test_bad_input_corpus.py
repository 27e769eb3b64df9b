"""The bad-input corpus: malformed writes to every registrar, through the gateway.

Each case is a mutation a portal could send by mistake or on purpose (a NUL or control character in
text, a number or date out of range, an id beyond bigint, an empty required text…). Each must answer
its ``extensions.code`` naming the offending input in ``extensions.field``, and write nothing: every
registry table (the outbox and the audit trail included) is the same before and after, except the
one DENIED audit row the policy writes for a refusal.

Real parts: the registry subgraph and the gateway each a uvicorn server over HTTP, on the test
PostgreSQL database; the schema is the committed supergraph.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from gateway.app import build_app
from gateway.limits import Limits
from siir.database import asyncpg_dsn
from tests.conftest import ServerThread
from tests.registry.test_registry_api import register_input
from tests.security.registry_world import (
    SEMARANG,
    SEMARANG_VILLAGE,
    MALANG_VILLAGE,
    Network,
    World,
    network,  # noqa: F401 (fixture)
    world,  # noqa: F401 (fixture)
)

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"
TOMORROW = (dt.date.today() + dt.timedelta(days=2)).isoformat()  # after today in Asia/Jakarta too
BEYOND_BIGINT = "9223372036854775808"  # 2^63

OFFICE = ("DISTRICT_OFFICER", SEMARANG)
FACILITATOR = ("FACILITATOR", SEMARANG)
MINISTRY = ("MINISTRY", None)

REGISTER = "mutation($input: RegisterHomeIndustryInput!) { registerHomeIndustry(input: $input) { id } }"
UPDATE = "mutation($id: ID!, $v: Int!, $input: UpdateHomeIndustryInput!) { updateHomeIndustry(id: $id, expectedVersion: $v, input: $input) { id } }"
ASSESS = "mutation($id: ID!, $input: AssessmentInput!) { recordAssessment(homeIndustryId: $id, input: $input) { assessment { id } } }"
CLOSE = "mutation($id: ID!, $reason: String!, $on: Date) { closeHomeIndustry(id: $id, reason: $reason, closedOn: $on) { id } }"
GRADUATE = "mutation($id: ID!, $note: String, $on: Date) { graduateHomeIndustry(id: $id, note: $note, graduatedOn: $on) { id } }"
MERGE = "mutation($keep: ID!, $drop: ID!, $reason: String!) { mergeHomeIndustries(keep: $keep, drop: $drop, reason: $reason) { id } }"
TRANSFER = ("mutation($id: ID!, $village: String!, $reason: String!) { transferHomeIndustry(id: $id, expectedVersion: 1, "
            "villageCode: $village, reason: $reason) { id } }")
ACCEPT_TRANSFER = "mutation($id: ID!) { acceptHomeIndustryTransfer(id: $id, expectedVersion: 1) { id } }"
DECLINE_TRANSFER = ("mutation($id: ID!, $reason: String!) { declineHomeIndustryTransfer(id: $id, expectedVersion: 1, "
                    "reason: $reason) { id } }")
WITHDRAW_TRANSFER = "mutation($id: ID!, $reason: String) { withdrawHomeIndustryTransfer(id: $id, expectedVersion: 1, reason: $reason) { id } }"
REGISTER_FACILITATOR = "mutation($input: RegisterFacilitatorInput!) { registerFacilitator(input: $input) { id } }"
UPDATE_FACILITATOR = "mutation($id: ID!, $input: UpdateFacilitatorInput!) { updateFacilitator(id: $id, expectedVersion: 1, input: $input) { id } }"
ASSIGN = "mutation($id: ID!, $input: FacilitatorAssignmentInput!) { assignFacilitator(facilitatorId: $id, input: $input) { id } }"
END_ASSIGNMENT = "mutation($id: ID!, $on: Date) { endFacilitatorAssignment(id: $id, endedOn: $on) { id } }"
NOTE = "mutation($id: ID!, $input: MentoringNoteInput!) { recordMentoringNote(homeIndustryId: $id, input: $input) { id } }"
FORM_TEAM = "mutation($input: FormTeamInput!) { formTeam(input: $input) { id } }"
UPDATE_TEAM = "mutation($id: ID!, $input: UpdateTeamInput!) { updateTeam(id: $id, expectedVersion: 1, input: $input) { id } }"
APPOINT = "mutation($id: ID!, $input: TeamMemberInput!) { appointTeamMember(teamId: $id, input: $input) { id } }"
UPDATE_MEMBER = "mutation($id: ID!, $input: UpdateTeamMemberInput!) { updateTeamMember(id: $id, input: $input) { id } }"
REGISTER_PARTNER = "mutation($input: RegisterPartnerInput!) { registerPartner(input: $input) { id } }"
UPDATE_PARTNER = "mutation($id: ID!, $input: UpdatePartnerInput!) { updatePartner(id: $id, expectedVersion: 1, input: $input) { id } }"
ADD_PROGRAMME = "mutation($id: ID!, $input: PartnerProgrammeInput!) { addPartnerProgramme(partnerId: $id, input: $input) { id } }"
UPDATE_PROGRAMME = "mutation($id: ID!, $input: UpdatePartnerProgrammeInput!) { updatePartnerProgramme(id: $id, input: $input) { id } }"
INTERVENE = "mutation($id: ID!, $input: InterventionInput!) { recordIntervention(homeIndustryId: $id, input: $input) { id } }"
APPROVE_HAND_OVER = "mutation($y: Int!, $r: String!) { approveHandOver(year: $y, regionCode: $r) { year } }"
SYNC = "mutation($items: [OfflineWorkItem!]!) { syncOfflineWork(items: $items) { status } }"
UPDATE_INTERVENTION = "mutation($id: ID!, $input: UpdateInterventionInput!) { updateIntervention(id: $id, expectedVersion: 1, input: $input) { id } }"


def registration(**changes: Any) -> dict[str, Any]:
    return {"input": register_input(**changes)}


def with_owner(**changes: Any) -> dict[str, Any]:
    return registration(owner={**register_input()["owner"], **changes})


def with_assessment(**changes: Any) -> dict[str, Any]:
    return registration(firstAssessment={**register_input()["firstAssessment"], **changes})


def assessment(**changes: Any) -> dict[str, Any]:
    return {**register_input()["firstAssessment"], **changes}


def facilitator(**changes: Any) -> dict[str, Any]:
    return {"input": {"regencyCode": SEMARANG, "personName": "Dewi Pendamping", "activeFrom": "2022-01-01", **changes}}


DECREE = {"number": "050/1/2024", "date": "2024-01-02", "signedBy": "Walikota"}


def team(**changes: Any) -> dict[str, Any]:
    return {"input": {"level": "REGENCY", "regionCode": SEMARANG, "activeFrom": "2030-01-01", "decree": DECREE, **changes}}


def member(**changes: Any) -> dict[str, Any]:
    return {"personName": "Ani Anggota", "position": "MEMBER", "agency": "DP3A", **changes}


PROGRAMME = {"name": "Pelatihan", "activeFrom": "2024-01-01", "eligibility": {}}


def partner(**changes: Any) -> dict[str, Any]:
    return {"input": {"kind": "BANK", "name": "Bank Korpus", **changes}}


def intervention(**changes: Any) -> dict[str, Any]:
    return {"type": "TRAINING", "topic": "Pengemasan", "startedOn": "2024-02-01", **changes}


@dataclass(frozen=True)
class Case:
    name: str
    caller: tuple[str, str | None]
    query: str
    variables: Callable[["Ids"], dict[str, Any]]
    field: str | None
    code: str = "BAD_USER_INPUT"
    denied: int = 0  # DENIED audit rows the refusal writes


@dataclass(frozen=True)
class Ids:
    own: str
    facilitator: str
    team: str
    secretary: str
    partner: str
    intervention: str
    assignment: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def fixed(variables: dict[str, Any]) -> Callable[[Ids], dict[str, Any]]:
    return lambda ids: variables


CASES: list[Case] = [
    # registerHomeIndustry: text
    Case("business-name-nul", OFFICE, REGISTER, fixed(registration(businessName="Keripik\x00Tempe")), "input.businessName"),
    Case("business-name-bell", OFFICE, REGISTER, fixed(registration(businessName="Keripik\x07")), "input.businessName"),
    Case("business-name-newline", OFFICE, REGISTER, fixed(registration(businessName="Keripik\nTempe")), "input.businessName"),
    # The gateway's JSON parser refuses a lone surrogate (the subgraph's rules would: test_argument_rules.py).
    Case("business-name-lone-surrogate", OFFICE, REGISTER, fixed(registration(businessName="Keripik \ud800")), None, "BAD_REQUEST"),
    Case("business-name-10k", OFFICE, REGISTER, fixed(registration(businessName="K" * 10_000)), "input.businessName"),
    Case("business-name-blank", OFFICE, REGISTER, fixed(registration(businessName="   ")), "input.businessName"),
    Case("owner-name-c1-control", OFFICE, REGISTER, fixed(with_owner(name="Sri\x85Wahyuni")), "input.owner.name"),
    Case("owner-nik-nul", OFFICE, REGISTER, fixed(with_owner(nik="3374015507900001\x00")), "input.owner.nik"),
    Case("owner-phone-escape", OFFICE, REGISTER, fixed(with_owner(phone="0812\x1b[2J")), "input.owner.phone"),
    Case("address-escape-in-long-text", OFFICE, REGISTER, fixed(registration(address="Jl. Pemuda\x1b 1")), "input.address"),
    Case("address-too-long", OFFICE, REGISTER, fixed(registration(address="Jl. " * 1000)), "input.address"),
    Case("raw-material-nul", OFFICE, REGISTER, fixed(registration(products=[
        {"name": "keripik", "rawMaterials": ["tempe", "tepung\x00"]}])), "input.products[0].rawMaterials[1]"),
    Case("village-code-nul", OFFICE, REGISTER, fixed(registration(villageCode=SEMARANG_VILLAGE + "\x00")), "input.villageCode"),
    Case("village-code-empty", OFFICE, REGISTER, fixed(registration(villageCode="")), "input.villageCode"),
    Case("hope-delete-char", OFFICE, REGISTER, fixed(registration(hopes=["modal\x7f"])), "input.hopes[0]"),
    # registerHomeIndustry: numbers and dates
    Case("started-year-1", OFFICE, REGISTER, fixed(registration(businessStartedOn="0001-01-01")), "input.businessStartedOn"),
    Case("started-year-9999", OFFICE, REGISTER, fixed(registration(businessStartedOn="9999-12-31")), "input.businessStartedOn"),
    Case("started-before-1900", OFFICE, REGISTER, fixed(registration(businessStartedOn="1899-12-31")), "input.businessStartedOn"),
    Case("started-tomorrow", OFFICE, REGISTER, fixed(registration(businessStartedOn=TOMORROW)), "input.businessStartedOn"),
    Case("registered-year-1", OFFICE, REGISTER, fixed(registration(registeredOn="0001-01-01")), "input.registeredOn"),
    Case("consent-recorded-9999", OFFICE, REGISTER, fixed(registration(consent={"granted": True, "recordedOn": "9999-12-31"})),
         "input.consent.recordedOn"),
    Case("assessed-in-future", OFFICE, REGISTER, fixed(with_assessment(assessedOn=TOMORROW)), "input.firstAssessment.assessedOn"),
    Case("capital-beyond-bigint", OFFICE, REGISTER, fixed(with_assessment(capitalAmount="99999999999999999999999")),
         "input.firstAssessment.capitalAmount"),
    Case("capital-negative", OFFICE, REGISTER, fixed(with_assessment(capitalAmount=-1)), "input.firstAssessment.capitalAmount"),
    Case("workers-max-int", OFFICE, REGISTER, fixed(with_assessment(workerCount=2_147_483_647)), "input.firstAssessment.workerCount"),
    Case("weekly-hours-169", OFFICE, REGISTER, fixed(registration(workforce={"weeklyHours": 169})), "input.workforce.weeklyHours"),
    Case("latitude-91", OFFICE, REGISTER, fixed(registration(location={"latitude": 91, "longitude": 110.4})), "input.location.latitude"),
    Case("birth-year-1800", OFFICE, REGISTER, fixed(with_owner(birthYear=1800)), "input.owner.birthYear"),
    Case("assistance-year-99999", OFFICE, REGISTER, fixed(registration(assistanceReceived=[
        {"type": "TRAINING", "provider": "Dinas", "year": 99999}])), "input.assistanceReceived[0].year"),
    Case("income-beyond-bigint", OFFICE, REGISTER, fixed(registration(monthlyGrossIncome="18446744073709551616")),
         "input.monthlyGrossIncome"),
    # the scope is checked before the rest of the input, and its refusal logged
    Case("other-regency-village", OFFICE, REGISTER, fixed(registration(villageCode=MALANG_VILLAGE)), "input.villageCode",
         "FORBIDDEN", denied=1),
    # updateHomeIndustry
    Case("update-id-beyond-bigint", OFFICE, UPDATE, fixed({"id": BEYOND_BIGINT, "v": 1, "input": {"businessName": "X"}}), "id"),
    Case("update-id-negative", OFFICE, UPDATE, fixed({"id": "-1", "v": 1, "input": {"businessName": "X"}}), "id"),
    Case("update-id-nul", OFFICE, UPDATE, fixed({"id": "1\x00", "v": 1, "input": {"businessName": "X"}}), "id"),
    Case("update-name-nul", OFFICE, UPDATE, lambda ids: {"id": ids.own, "v": 1, "input": {"businessName": "A\x00"}},
         "input.businessName"),
    Case("update-constraint-control", OFFICE, UPDATE, lambda ids: {"id": ids.own, "v": 1, "input": {"constraints": ["ok", "x\x02"]}},
         "input.constraints[1]"),
    Case("update-started-9999", OFFICE, UPDATE, lambda ids: {"id": ids.own, "v": 1, "input": {"businessStartedOn": "9999-12-31"}},
         "input.businessStartedOn"),
    # recordAssessment
    Case("assess-id-nul", OFFICE, ASSESS, fixed({"id": "1\x00", "input": assessment()}), "homeIndustryId"),
    Case("assess-notes-nul", OFFICE, ASSESS, lambda ids: {"id": ids.own, "input": assessment(notes="baik\x00")}, "input.notes"),
    Case("assess-year-1", OFFICE, ASSESS, lambda ids: {"id": ids.own, "input": assessment(assessedOn="0001-01-01")}, "input.assessedOn"),
    Case("assess-facilitator-beyond-bigint", OFFICE, ASSESS,
         lambda ids: {"id": ids.own, "input": assessment(facilitatorId=BEYOND_BIGINT)}, "input.facilitatorId"),
    Case("assess-turnover-beyond-bigint", OFFICE, ASSESS,
         lambda ids: {"id": ids.own, "input": assessment(annualTurnover="10000000000000000000")}, "input.annualTurnover"),
    # closeHomeIndustry, graduateHomeIndustry
    Case("close-reason-empty", OFFICE, CLOSE, lambda ids: {"id": ids.own, "reason": ""}, "reason"),
    Case("close-reason-unit-separator", OFFICE, CLOSE, lambda ids: {"id": ids.own, "reason": "tutup\x1f"}, "reason"),
    Case("close-on-9999", OFFICE, CLOSE, lambda ids: {"id": ids.own, "reason": "tutup", "on": "9999-12-31"}, "closedOn"),
    Case("close-id-beyond-bigint", OFFICE, CLOSE, fixed({"id": "99999999999999999999999", "reason": "tutup"}), "id"),
    Case("graduate-note-nul", OFFICE, GRADUATE, lambda ids: {"id": ids.own, "note": "\x00"}, "note"),
    Case("graduate-on-year-1", OFFICE, GRADUATE, lambda ids: {"id": ids.own, "on": "0001-01-01"}, "graduatedOn"),
    # syncOfflineWork: a bad item is answered REFUSED in the item's result (tests/gateway/test_offline_sync_e2e.py);
    # a bad batch is the field's error.
    Case("sync-empty-batch", FACILITATOR, SYNC, fixed({"items": []}), "items"),
    Case("sync-batch-too-long", FACILITATOR, SYNC,
         fixed({"items": [{"clientId": f"00000000-0000-4000-8000-{n:012d}"} for n in range(51)]}), "items"),
    # mergeHomeIndustries
    Case("merge-same-ir", OFFICE, MERGE, lambda ids: {"keep": ids.own, "drop": ids.own, "reason": "ganda"}, "drop"),
    Case("merge-reason-empty", OFFICE, MERGE, lambda ids: {"keep": ids.own, "drop": "1", "reason": " "}, "reason"),
    Case("merge-reason-nul", OFFICE, MERGE, lambda ids: {"keep": ids.own, "drop": "1", "reason": "ganda\x00"}, "reason"),
    Case("merge-drop-beyond-bigint", OFFICE, MERGE,
         lambda ids: {"keep": ids.own, "drop": "99999999999999999999999", "reason": "ganda"}, "drop"),
    # transfers between regencies
    Case("transfer-village-nul", OFFICE, TRANSFER,
         lambda ids: {"id": ids.own, "village": "35.07.01.2001\x00", "reason": "pindah"}, "villageCode"),
    Case("transfer-village-empty", OFFICE, TRANSFER, lambda ids: {"id": ids.own, "village": "", "reason": "pindah"},
         "villageCode"),
    Case("transfer-reason-empty", OFFICE, TRANSFER,
         lambda ids: {"id": ids.own, "village": "35.07.01.2001", "reason": "  "}, "reason"),
    Case("transfer-reason-nul", OFFICE, TRANSFER,
         lambda ids: {"id": ids.own, "village": "35.07.01.2001", "reason": "pindah\x00"}, "reason"),
    Case("transfer-id-beyond-bigint", OFFICE, TRANSFER,
         fixed({"id": "99999999999999999999999", "village": "35.07.01.2001", "reason": "pindah"}), "id"),
    Case("accept-transfer-id-garbled", OFFICE, ACCEPT_TRANSFER, fixed({"id": "12x"}), "id"),
    Case("decline-transfer-reason-empty", OFFICE, DECLINE_TRANSFER, fixed({"id": "1", "reason": " "}), "reason"),
    Case("withdraw-transfer-reason-nul", OFFICE, WITHDRAW_TRANSFER, fixed({"id": "1", "reason": "tarik\x00"}), "reason"),
    # facilitators
    Case("facilitator-name-nul", OFFICE, REGISTER_FACILITATOR, fixed(facilitator(personName="Dewi\x00")), "input.personName"),
    Case("facilitator-regency-empty", OFFICE, REGISTER_FACILITATOR, fixed(facilitator(regencyCode="")), "input.regencyCode"),
    Case("facilitator-from-year-1", OFFICE, REGISTER_FACILITATOR, fixed(facilitator(activeFrom="0001-01-01")), "input.activeFrom"),
    Case("facilitator-email-control", OFFICE, REGISTER_FACILITATOR, fixed(facilitator(email="a\x0b@b.id")), "input.email"),
    Case("facilitator-assignment-village-nul", OFFICE, REGISTER_FACILITATOR,
         fixed(facilitator(assignments=[{"villageCode": SEMARANG_VILLAGE + "\x00"}])), "input.assignments[0].villageCode"),
    Case("update-facilitator-id-beyond-bigint", OFFICE, UPDATE_FACILITATOR, fixed({"id": BEYOND_BIGINT, "input": {"personName": "X"}}), "id"),
    Case("update-facilitator-subject-nul", OFFICE, UPDATE_FACILITATOR,
         lambda ids: {"id": ids.facilitator, "input": {"subject": "login\x00"}}, "input.subject"),
    Case("assign-village-nul", OFFICE, ASSIGN, lambda ids: {"id": ids.facilitator, "input": {"villageCode": "33.74\x00"}},
         "input.villageCode"),
    Case("assign-until-9999", OFFICE, ASSIGN,
         lambda ids: {"id": ids.facilitator, "input": {"villageCode": SEMARANG_VILLAGE, "activeUntil": "9999-12-31"}},
         "input.activeUntil"),
    Case("end-assignment-id-beyond-bigint", OFFICE, END_ASSIGNMENT, fixed({"id": BEYOND_BIGINT}), "id"),
    # mentoring notes
    Case("note-text-nul", FACILITATOR, NOTE,
         lambda ids: {"id": ids.own, "input": {"facilitatorId": ids.facilitator, "notedOn": "2024-01-02", "notes": "x\x00"}},
         "input.notes"),
    Case("note-in-future", FACILITATOR, NOTE,
         lambda ids: {"id": ids.own, "input": {"facilitatorId": ids.facilitator, "notedOn": TOMORROW, "notes": "ok"}},
         "input.notedOn"),
    Case("note-facilitator-nul", FACILITATOR, NOTE,
         lambda ids: {"id": ids.own, "input": {"facilitatorId": "1\x00", "notedOn": "2024-01-02", "notes": "ok"}},
         "input.facilitatorId"),
    # teams
    Case("team-decree-number-nul", OFFICE, FORM_TEAM, fixed(team(decree={**DECREE, "number": "050\x00"})), "input.decree.number"),
    Case("team-decree-date-year-1", OFFICE, FORM_TEAM, fixed(team(decree={**DECREE, "date": "0001-01-01"})), "input.decree.date"),
    Case("team-member-name-control", OFFICE, FORM_TEAM, fixed(team(members=[member(personName="Ani\x08")])),
         "input.members[0].personName"),
    Case("team-region-empty", OFFICE, FORM_TEAM, fixed(team(regionCode="")), "input.regionCode"),
    Case("update-team-name-nul", OFFICE, UPDATE_TEAM, lambda ids: {"id": ids.team, "input": {"name": "Tim\x00"}}, "input.name"),
    Case("appoint-team-id-beyond-bigint", OFFICE, APPOINT, fixed({"id": BEYOND_BIGINT, "input": member()}), "teamId"),
    Case("appoint-agency-nul", OFFICE, APPOINT, lambda ids: {"id": ids.team, "input": member(agency="DP3A\x00")}, "input.agency"),
    Case("update-member-email-nul", OFFICE, UPDATE_MEMBER, lambda ids: {"id": ids.secretary, "input": {"email": "a@b.id\x00"}},
         "input.email"),
    # partners and programmes
    Case("partner-name-nul", MINISTRY, REGISTER_PARTNER, fixed(partner(name="Bank\x00")), "input.name"),
    Case("partner-website-control", MINISTRY, REGISTER_PARTNER, fixed(partner(website="https://bank.id/\x0c")), "input.website"),
    Case("partner-programme-region-nul", MINISTRY, REGISTER_PARTNER,
         fixed(partner(programmes=[{**PROGRAMME, "eligibility": {"regionCodes": ["33\x00"]}}])),
         "input.programmes[0].eligibility.regionCodes[0]"),
    Case("partner-programme-from-year-1", MINISTRY, REGISTER_PARTNER,
         fixed(partner(programmes=[{**PROGRAMME, "activeFrom": "0001-01-01"}])), "input.programmes[0].activeFrom"),
    Case("update-partner-name-nul", MINISTRY, UPDATE_PARTNER, lambda ids: {"id": ids.partner, "input": {"name": "\x00"}}, "input.name"),
    Case("add-programme-partner-not-an-id", MINISTRY, ADD_PROGRAMME, fixed({"id": "abc", "input": PROGRAMME}), "partnerId"),
    Case("add-programme-description-nul", MINISTRY, ADD_PROGRAMME,
         lambda ids: {"id": ids.partner, "input": {**PROGRAMME, "description": "terbuka\x00"}}, "input.description"),
    Case("update-programme-id-beyond-bigint", MINISTRY, UPDATE_PROGRAMME, fixed({"id": BEYOND_BIGINT, "input": {"name": "X"}}), "id"),
    Case("update-programme-until-9999", MINISTRY, UPDATE_PROGRAMME, fixed({"id": "1", "input": {"activeUntil": "9999-12-31"}}),
         "input.activeUntil"),
    # interventions
    Case("intervention-topic-nul", OFFICE, INTERVENE, lambda ids: {"id": ids.own, "input": intervention(topic="A\x00")}, "input.topic"),
    Case("intervention-value-beyond-bigint", OFFICE, INTERVENE,
         lambda ids: {"id": ids.own, "input": intervention(value="10000000000000000000")}, "input.value"),
    Case("intervention-started-year-1", OFFICE, INTERVENE,
         lambda ids: {"id": ids.own, "input": intervention(startedOn="0001-01-01")}, "input.startedOn"),
    Case("intervention-id-beyond-bigint", OFFICE, INTERVENE, fixed({"id": BEYOND_BIGINT, "input": intervention()}), "homeIndustryId"),
    Case("update-intervention-notes-vertical-tab", OFFICE, UPDATE_INTERVENTION,
         lambda ids: {"id": ids.intervention, "input": {"outcomeNotes": "baik\x0b"}}, "input.outcomeNotes"),
    # the hand-over package's approval
    Case("approve-hand-over-year-9999", MINISTRY, APPROVE_HAND_OVER, fixed({"y": 9999, "r": "33.74"}), "year"),
    Case("approve-hand-over-a-village", MINISTRY, APPROVE_HAND_OVER, fixed({"y": 2025, "r": "33.74.01.1001"}), "regionCode"),
    Case("approve-hand-over-region-nul", MINISTRY, APPROVE_HAND_OVER, fixed({"y": 2025, "r": "33\x00"}), "regionCode"),
]


# -- the database before and after ---------------------------------------------------------------

async def snapshot(connection: asyncpg.Connection) -> dict[str, Any]:
    """Every registry table's rows (a digest), but the audit trail's by action, the region list's size and the
    change log's newest transaction (the registry prunes older entries in the background at any moment)."""
    tables = [r["table_name"] for r in await connection.fetch(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'registry' AND table_type = 'BASE TABLE' "
        "ORDER BY table_name")]
    found: dict[str, Any] = {}
    for table in tables:
        if table == "regions":  # 91,599 reference rows no mutation writes
            found[table] = await connection.fetchval("SELECT count(*) FROM registry.regions")
        elif table == "data_changes":
            found[table] = await connection.fetchval("SELECT max(xid)::text FROM registry.data_changes")
        elif table == "audit_events":
            found[table] = dict(await connection.fetch(
                "SELECT action, count(*) FROM registry.audit_events GROUP BY action"))
        else:
            found[table] = tuple(await connection.fetchrow(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM registry.{table} t"))
    return found


@pytest.fixture(scope="module")
def gateway_url(registry_server: ServerThread, tokens: Any) -> Iterator[str]:
    app = build_app(SUPERGRAPH.read_text(), subgraph_urls={"registry": registry_server.url + "/graphql"},
                    verifier=tokens.verifier, limits=Limits(rate_limit=10_000, rate_burst=10_000))
    with ServerThread(app) as server:
        yield server.url + "/graphql"


@pytest.fixture(scope="module")
async def ids(world: World, network: Network) -> Ids:
    return Ids(own=world.own["id"], facilitator=world.facilitators[SEMARANG], team=network.team,
               secretary=network.secretary, partner=world.partner, intervention=network.own_intervention)


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(**asyncpg_dsn(database_url))
    yield connection
    await connection.close()


def test_the_corpus_covers_every_mutation_of_the_registry() -> None:
    from services.registry.graphql.schema import schema

    covered = {case.query.split("{", 1)[1].split("(", 1)[0].strip() for case in CASES}
    assert len(CASES) >= 40
    assert covered == set(schema._schema.mutation_type.fields)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_a_malformed_write_is_refused_naming_the_field_and_writes_nothing(
    case: Case, ids: Ids, world: World, gateway_url: str, database: asyncpg.Connection,
) -> None:
    role, region = case.caller
    headers = world.tokens.headers(role, region, subject=f"corpus-{case.name}")
    if role == "FACILITATOR":
        headers = world.as_role(role, region).headers
    before = await snapshot(database)
    # Escaped JSON, as a browser sends it: "\\ud800" is a lone surrogate, which no UTF-8 encoder writes raw.
    body = json.dumps({"query": case.query, "variables": case.variables(ids)}, ensure_ascii=True)
    response = await world.client.post(gateway_url, content=body, headers={
        **headers, "accept": "application/json", "content-type": "application/json"})
    after = await snapshot(database)

    assert response.status_code < 500, response.text
    body = response.json()
    assert body.get("errors"), body
    [error] = body["errors"]
    assert error["extensions"]["code"] == case.code, body
    assert error["extensions"].get("field") == case.field, body
    assert not (body.get("data") or {}).get(error["path"][0] if error.get("path") else ""), body
    for text in ("Traceback", "asyncpg", "psycopg", "127.0.0.1", "Internal server error"):
        assert text not in response.text

    audit_before, audit_after = before.pop("audit_events"), after.pop("audit_events")
    # No write noted in the change log since (pruning may have removed older entries, the newest included).
    newest, _ = before.pop("data_changes"), after.pop("data_changes")
    assert await database.fetchval("SELECT count(*) FROM registry.data_changes WHERE xid > $1::text::xid8",
                                   newest or "0") == 0
    assert after == before, {t: (before[t], after[t]) for t in before if before[t] != after.get(t)}
    assert audit_after.get("DENIED", 0) - audit_before.get("DENIED", 0) == case.denied
    assert {k: v for k, v in audit_after.items() if k != "DENIED"} == {
        k: v for k, v in audit_before.items() if k != "DENIED"}
