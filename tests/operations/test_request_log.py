"""Access lines: one JSON line per request in every service, with the request id the gateway
echoes and passes on, the operation and the caller's role, and nothing personal."""

from __future__ import annotations

import re
from typing import Any

from tests.operations.conftest import Stack, wait_for
from tests.registry.test_registry_api import REGISTER, register_input

FIELDS = {"time", "level", "logger", "message", "service", "request_id", "method", "path", "operation", "role",
          "status", "outcome", "duration_ms"}


def _line(service: Any, request_id: str) -> dict[str, Any] | None:
    lines = wait_for(lambda: [line for line in service.access_lines() if line["request_id"] == request_id])
    assert len(lines) == 1, lines
    return lines[0]


def test_a_request_id_is_echoed_and_logged_by_the_gateway_and_the_subgraph(stack: Stack) -> None:
    response = stack.post("query Provinces { regions(level: PROVINCE) { nodes { code } } }",
                          headers={"X-Request-Id": "portal-7f3a.2:1"})
    assert response.status_code == 200 and "errors" not in response.json()
    assert response.headers["x-request-id"] == "portal-7f3a.2:1"

    gateway = _line(stack.gateway, "portal-7f3a.2:1")
    assert FIELDS <= gateway.keys()
    assert (gateway["service"], gateway["operation"], gateway["role"], gateway["status"], gateway["outcome"]) == \
        ("gateway", "Provinces", "MINISTRY", 200, "ok")
    assert gateway["method"] == "POST" and gateway["path"] == "/graphql" and gateway["duration_ms"] > 0
    # The registry's line for the fetch the gateway made carries the same id and the same caller's role.
    registry = _line(stack.registry, "portal-7f3a.2:1")
    assert (registry["service"], registry["role"], registry["status"]) == ("registry", "MINISTRY", 200)


def test_an_unsafe_request_id_is_replaced_with_a_generated_one(stack: Stack) -> None:
    for unsafe in ("has spaces", "x" * 129, "semi;colon", ""):
        response = stack.post("{ regions(level: PROVINCE) { nodes { code } } }", headers={"X-Request-Id": unsafe})
        generated = response.headers["x-request-id"]
        assert generated != unsafe and re.fullmatch(r"[0-9a-f]{32}", generated)
        assert _line(stack.gateway, generated)["status"] == 200
        assert _line(stack.registry, generated)  # passed on as generated
    # Without one, each request gets its own.
    first, second = (stack.post("{ regions(level: PROVINCE) { nodes { code } } }").headers["x-request-id"] for _ in range(2))
    assert first != second


def test_refusals_are_logged_with_their_status(stack: Stack) -> None:
    response = stack.post("{ regions(level: PROVINCE) { nodes { code } } }", headers={"Authorization": "Bearer nope",
                                                                             "X-Request-Id": "bad-token-1"})
    assert response.status_code == 401
    line = _line(stack.gateway, "bad-token-1")
    assert (line["status"], line["outcome"], line["role"]) == (401, "refused", None)


def test_no_personal_data_nor_credentials_reach_the_logs(stack: Stack) -> None:
    token = stack.tokens("DISTRICT_OFFICER", "33.74", subject="officer-budi.santoso@semarang.go.id")
    registration = register_input()
    owner = registration["owner"]
    response = stack.post(REGISTER, {"input": registration}, role="DISTRICT_OFFICER", region="33.74",
                          headers={"Authorization": f"Bearer {token}", "X-Request-Id": "register-1"})
    body = response.json()
    assert "errors" not in body, body
    assert body["data"]["registerHomeIndustry"]["owner"]["nik"] == owner["nik"]
    line = _line(stack.gateway, "register-1")
    assert (line["operation"], line["role"], line["outcome"]) == ("Register", "DISTRICT_OFFICER", "ok")
    assert _line(stack.registry, "register-1")

    logs = "\n".join(service.log.read_text() for service in (stack.gateway, stack.registry, stack.reporting))
    for secret in (owner["nik"], owner["name"], owner["phone"], "budi.santoso", token, token.split(".")[1]):
        assert secret not in logs


def test_the_text_format_keeps_the_same_fields_for_a_terminal() -> None:
    import logging

    from siir.observability.request import RequestNotes
    from siir.observability.request_log import ACCESS, PlainText, log_request

    lines: list[str] = []
    handler = logging.Handler()
    handler.setFormatter(PlainText())
    handler.emit = lambda record: lines.append(handler.format(record))  # type: ignore[method-assign]
    ACCESS.addHandler(handler)
    level = ACCESS.level
    ACCESS.setLevel(logging.INFO)
    try:
        notes = RequestNotes("abc-1", "POST", "/graphql", operation="Provinces", role="ANALYST")
        log_request("gateway", notes, 200, "ok", 0.0123)
    finally:
        ACCESS.removeHandler(handler)
        ACCESS.setLevel(level)
    (line,) = lines
    assert line.endswith("INFO siir.access POST /graphql 200 service=gateway request_id=abc-1 method=POST "
                         "path=/graphql operation=Provinces role=ANALYST status=200 outcome=ok duration_ms=12.3")
