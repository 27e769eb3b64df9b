"""Attacks on identity parsing, error hints and the cost estimate (issue 10, classes 4–6), each
asserting the exact denial, at the gateway and directly at each subgraph.

- Lenient identity: region and partner claims written with other scripts' digits (fullwidth,
  Arabic-Indic), with trailing whitespace or a trailing newline, are 401 UNAUTHENTICATED; two
  ``Authorization`` headers are 400 BAD_REQUEST (components disagree on which one counts).
- Suggestions: a misspelled enum value, input field, argument or field, in variables or in the
  document, never answers "Did you mean …" (it names schema elements the caller did not ask for).
- Cost: lists are counted at their declared maximum (``@listSize``), so an operation that would
  answer tens of thousands of fields is refused before any subgraph runs it; a page size above a
  list's maximum is BAD_USER_INPUT at the subgraph.

Real processes over real HTTP: the registry and reporting subgraphs (uvicorn threads) and our
gateway in front of them (in process, default limits).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest

from tests.conftest import GraphQLClient, ServerThread, Tokens
from tests.registry.test_registry_api import REGISTER, register_input
from tests.security.reporting_world import gateway, reporting_subgraph  # noqa: F401 (fixtures)

GQL = "application/graphql-response+json"
SEMARANG = "33.74"
TARGETS = ("gateway", "registry", "reporting")
#: A query each target answers to any authenticated caller.
HELLO = {"gateway": "{ reportingStatus { lagEvents } }", "registry": "{ regions { nodes { code } } }",
         "reporting": "{ reportingStatus { lagEvents } }"}


@pytest.fixture(scope="module")
async def an_ir(registry_server: ServerThread, tokens: Tokens) -> str:
    """An IR of Kota Semarang (its id), registered by its district office."""
    async with httpx.AsyncClient(timeout=30) as client:
        office = GraphQLClient(client, registry_server.url + "/graphql", tokens.headers("DISTRICT_OFFICER", SEMARANG), tokens)
        body = await office(REGISTER, {"input": register_input(businessName="Wingko Babat Uji Identitas")})
    assert "errors" not in body, body
    return str(body["data"]["registerHomeIndustry"]["id"])


@pytest.fixture(scope="module")
async def http(registry_server: ServerThread, reporting_subgraph: ServerThread,  # noqa: F811
               gateway: httpx.AsyncClient) -> AsyncIterator[dict[str, Any]]:  # noqa: F811
    async with httpx.AsyncClient(timeout=30) as client:
        yield {"gateway": (gateway, "/graphql"), "registry": (client, registry_server.url + "/graphql"),
               "reporting": (client, reporting_subgraph.url + "/graphql")}


async def _post(http: dict[str, Any], target: str, query: str, headers: Any,
                variables: dict[str, Any] | None = None) -> httpx.Response:
    client, url = http[target]
    if isinstance(headers, dict):
        headers = list(headers.items())
    return await client.post(url, json={"query": query, "variables": variables or {}},
                             headers=[("accept", GQL), *headers])


def _signed(tokens: Tokens, **claims: Any) -> str:
    """A correctly signed token whose claims ``issue_token`` would refuse to mint."""
    now = int(time.time())
    body = {"sub": "mallory", "iss": tokens.ISSUER, "aud": tokens.AUDIENCE, "iat": now, "exp": now + 600, **claims}
    return jwt.encode(body, tokens.key.private_key, algorithm=tokens.key.algorithm, headers={"kid": tokens.key.kid})


def _errors(response: httpx.Response, status: int, code: str) -> list[dict[str, Any]]:
    assert response.status_code == status, response.text[:500]
    body = response.json()
    assert not any((body.get("data") or {}).values()), body
    assert body["errors"] and {e["extensions"]["code"] for e in body["errors"]} == {code}, body
    return body["errors"]


def _no_hint(errors: list[dict[str, Any]]) -> None:
    for error in errors:
        assert "Did you mean" not in error["message"] and "did you mean" not in error["message"].lower(), error


# -- 6. lenient identity --------------------------------------------------------------------

LENIENT_CLAIMS = {
    "region-fullwidth-digits": {"role": "DISTRICT_OFFICER", "region": "３３.７４"},
    "region-arabic-indic-digits": {"role": "DISTRICT_OFFICER", "region": "٣٣.٧٤"},
    "region-trailing-newline": {"role": "DISTRICT_OFFICER", "region": "33.74\n"},
    "region-trailing-space": {"role": "PROVINCE_OFFICER", "region": "33 "},
    "partner-arabic-indic-digits": {"role": "PARTNER", "partner": "٦"},
    "partner-fullwidth-digits": {"role": "PARTNER", "partner": "６"},
    "partner-leading-space": {"role": "PARTNER", "partner": " 6"},
    "partner-not-an-id": {"role": "PARTNER", "partner": "bank-jateng"},
}


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("claims", list(LENIENT_CLAIMS.values()), ids=list(LENIENT_CLAIMS))
async def test_identity_claims_in_anything_but_ascii_digits_are_401(http: dict[str, Any], tokens: Tokens, target: str,
                                                                      claims: dict[str, str]) -> None:
    response = await _post(http, target, HELLO[target], {"authorization": f"Bearer {_signed(tokens, **claims)}"})
    _errors(response, 401, "UNAUTHENTICATED")
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("target", TARGETS)
async def test_two_authorization_headers_are_400(http: dict[str, Any], tokens: Tokens, target: str) -> None:
    # A district officer's token and a ministry token: which one would count is what the attacker plays on.
    two = [("authorization", tokens.headers("DISTRICT_OFFICER", SEMARANG)["Authorization"]),
           ("authorization", tokens.headers("MINISTRY")["Authorization"])]
    errors = _errors(await _post(http, target, HELLO[target], two), 400, "BAD_REQUEST")
    assert errors[0]["message"] == "send exactly one Authorization header"
    # The same token twice is refused as well: one header, not "the same one twice".
    same = tokens.headers("MINISTRY")["Authorization"]
    _errors(await _post(http, target, HELLO[target], [("authorization", same), ("authorization", same)]), 400, "BAD_REQUEST")
    # One header still works.
    assert (await _post(http, target, HELLO[target], tokens.headers("MINISTRY"))).status_code == 200


async def test_two_authorization_headers_are_400_on_the_gateways_exports(gateway: httpx.AsyncClient,  # noqa: F811
                                                                         tokens: Tokens) -> None:
    two = [("authorization", tokens.headers("MINISTRY")["Authorization"]),
           ("authorization", tokens.headers("DISTRICT_OFFICER", SEMARANG)["Authorization"])]
    response = await gateway.get("/exports/class-distribution.csv?regionCode=33", headers=two)
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_REQUEST"}


def _arabic_indic(digits: str) -> str:
    return digits.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))


async def test_ids_and_region_codes_in_other_scripts_digits_name_nothing(http: dict[str, Any], tokens: Tokens,
                                                                         an_ir: str) -> None:
    """int("١٢") is 12 and "٣٣".isdigit() is true: neither may name a record or a region."""
    officer = tokens.headers("DISTRICT_OFFICER", SEMARANG)
    refused = await _post(http, "registry", '{ homeIndustries(filter: { regionCode: "٣٣.٧٤" }) { totalCount } }', officer)
    assert refused.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "filter.regionCode"}
    refused = await _post(http, "registry", '{ teams(regionCode: "３３.７４") { nodes { name } } }', officer)
    assert refused.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "regionCode"}
    refused = await _post(http, "registry", f'mutation {{ updateHomeIndustry(id: "{_arabic_indic(an_ir)}", '
                                            'expectedVersion: 1, input: { address: "Jl. Lain 2" }) { id } }', officer)
    assert refused.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "id"}
    # The same IR by its ASCII id is found; by its id in Arabic-Indic digits it is not (null, like a missing one).
    found = await _post(http, "gateway", f'{{ homeIndustry(id: "{an_ir}") {{ id }} }}', officer)
    assert found.json() == {"data": {"homeIndustry": {"id": an_ir}}}
    missing = await _post(http, "gateway", f'{{ homeIndustry(id: "{_arabic_indic(an_ir)}") {{ id }} }}', officer)
    assert missing.status_code == 200 and missing.json() == {"data": {"homeIndustry": None}}


# -- 5. suggestions -------------------------------------------------------------------------

FILTERED = "query($f: HomeIndustryFilter) { homeIndustries(filter: $f, first: 1) { totalCount } }"


@pytest.mark.parametrize("target", ["gateway", "registry"])
@pytest.mark.parametrize("variables,needle", [
    ({"f": {"class": "BERKEMBNG"}}, "BERKEMBANG"),  # an enum value, one letter off
    ({"f": {"clas": "MAJU"}}, "'class'"),  # an input field, one letter off
    ({"f": {"regionCode": SEMARANG, "ownerIsFemaleHeadOfHousehld": True}}, "ownerIsFemaleHeadOfHousehold"),
], ids=["enum-value", "input-field", "input-field-long"])
async def test_variables_get_no_suggestions(http: dict[str, Any], tokens: Tokens, target: str,
                                            variables: dict[str, Any], needle: str) -> None:
    response = await _post(http, target, FILTERED, tokens.headers("DISTRICT_OFFICER", SEMARANG), variables)
    assert response.status_code in (200, 400), response.text
    body = response.json()
    assert not any((body.get("data") or {}).values()) and body["errors"], body
    assert {e["extensions"]["code"] for e in body["errors"]} == {"BAD_USER_INPUT"}, body
    _no_hint(body["errors"])
    assert needle not in response.text  # the right name is never given away


@pytest.mark.parametrize("target,query,needle", [
    ("gateway", '{ homeIndustries(filter: { class: BERKEMBNG }) { totalCount } }', "BERKEMBANG"),
    ("registry", '{ homeIndustries(filter: { class: BERKEMBNG }) { totalCount } }', "BERKEMBANG"),
    ("gateway", '{ homeIndustries(filter: { clas: MAJU }) { totalCount } }', "'class'"),
    ("registry", '{ homeIndustries(filter: { clas: MAJU }) { totalCount } }', "'class'"),
    ("registry", '{ homeIndustris(first: 1) { totalCount } }', "homeIndustries"),
    ("reporting", '{ classDistribution(regionCod: "33", groupByChildren: false) { asOf } }', "regionCode"),
    ("reporting", '{ reportingStatu { lagEvents } }', "reportingStatus"),
], ids=["gateway-enum", "registry-enum", "gateway-input-field", "registry-input-field", "registry-field",
        "reporting-argument", "reporting-field"])
async def test_documents_get_no_suggestions(http: dict[str, Any], tokens: Tokens, target: str, query: str,
                                            needle: str) -> None:
    response = await _post(http, target, query, tokens.headers("MINISTRY"))
    body = response.json()
    assert not any((body.get("data") or {}).values()) and body["errors"], body
    assert {e["extensions"]["code"] for e in body["errors"]} == {"GRAPHQL_VALIDATION_FAILED"}, body
    _no_hint(body["errors"])
    assert needle not in response.text


# -- 4. the cost estimate is an upper bound -------------------------------------------------

async def test_nested_lists_are_counted_at_their_maximum(http: dict[str, Any], tokens: Tokens) -> None:
    """Estimated at about 10 items a list before, this answered 40,000+ fields: every facilitator of a
    province, each with her IR and their assessments. Now it is refused before any subgraph runs it."""
    query = ('{ facilitators(regionCode: "33", first: 500) { nodes { personName homeIndustries(first: 500) { '
             'nodes { registrationNumber assessments(first: 100) { assessedOn score class } } } } } }')
    errors = _errors(await _post(http, "gateway", query, tokens.headers("PROVINCE_OFFICER", "33")), 400,
                     "COST_LIMIT_EXCEEDED")
    assert errors[0]["message"].startswith("The operation's estimated cost is ")
    # The same lists at their default page sizes are still too much for a whole province at once:
    # 500 facilitators is the largest page of the root list.
    defaults = '{ facilitators(regionCode: "33", first: 500) { nodes { personName homeIndustries { nodes { registrationNumber } } } } }'
    _errors(await _post(http, "gateway", defaults, tokens.headers("PROVINCE_OFFICER", "33")), 400, "COST_LIMIT_EXCEEDED")


async def test_a_page_size_from_a_variable_is_counted_per_request(http: dict[str, Any], tokens: Tokens) -> None:
    query = ("query($n: Int!) { homeIndustries(first: 50) { edges { node { registrationNumber "
             "assessments(first: $n) { score } } } } }")
    officer = tokens.headers("DISTRICT_OFFICER", SEMARANG)
    _errors(await _post(http, "gateway", query, officer, {"n": 100}), 400, "COST_LIMIT_EXCEEDED")
    served = await _post(http, "gateway", query, officer, {"n": 2})
    assert served.status_code == 200 and "errors" not in served.json(), served.text


@pytest.mark.parametrize("target", ["gateway", "registry"])
async def test_a_page_size_above_a_lists_maximum_is_bad_user_input(http: dict[str, Any], tokens: Tokens,
                                                                   target: str, an_ir: str) -> None:
    query = f'{{ homeIndustry(id: "{an_ir}") {{ id assessments(first: 101) {{ score }} }} }}'
    response = await _post(http, target, query, tokens.headers("DISTRICT_OFFICER", SEMARANG))
    body = response.json()
    assert body["data"] == {"homeIndustry": None}, body  # the IR's non-null list failed: the IR is null
    # (through the gateway, the error also names the subgraph: extensions.serviceName)
    assert [({k: v for k, v in e["extensions"].items() if k != "serviceName"}, e["message"], e["path"])
            for e in body["errors"]] == [
        ({"code": "BAD_USER_INPUT", "field": "first"}, "first: must be between 0 and 100", ["homeIndustry", "assessments"])]
    allowed = await _post(http, target, query.replace("101", "100"), tokens.headers("DISTRICT_OFFICER", SEMARANG))
    assert "errors" not in allowed.json() and allowed.json()["data"]["homeIndustry"]["assessments"], allowed.text


async def test_a_refused_branch_does_not_break_a_sibling_waiting_on_the_same_load(http: dict[str, Any], tokens: Tokens,
                                                                                  an_ir: str) -> None:
    """Found by the widest-operation test: the province's facilitators are FORBIDDEN to a district
    officer, and graphql-core then cancels the sibling branches still waiting, which used to cancel
    the shared DataLoader batch under them (a 500). Now: the refusal, and the rest answered."""
    # Both branches load the province's children (one shared future); the first branch is refused.
    query = ('{ region(code: "33.74") { code parent { children { nodes { code } } facilitators { nodes { id } } } '
             'province: parent { code children { nodes { code } } } } }')
    for target in ("registry", "gateway"):
        response = await _post(http, target, query, tokens.headers("DISTRICT_OFFICER", SEMARANG))
        assert response.status_code == 200, response.text[:300]
        body = response.json()
        region = body["data"]["region"]
        # Partial results: only the refused field is null, its parent and its sibling stand.
        assert region["code"] == "33.74" and region["parent"]["facilitators"] is None, body
        assert "33.74" in {c["code"] for c in region["parent"]["children"]["nodes"]}
        assert region["province"]["code"] == "33" and "33.74" in {c["code"] for c in region["province"]["children"]["nodes"]}
        assert [e["path"] for e in body["errors"]] == [["region", "parent", "facilitators"]], body
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
