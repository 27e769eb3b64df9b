"""The reporting subgraph's SDL as served (`_service { sdl }`), for schema/reporting.graphql."""

from __future__ import annotations

from services.reporting.graphql.schema import schema


def reporting_sdl() -> str:
    return schema.as_str().rstrip() + "\n"
