"""The registry's SDL as served (`_service { sdl }`), for schema/registry.graphql."""

from __future__ import annotations

from services.registry.graphql.schema import schema


def registry_sdl() -> str:
    return schema.as_str().rstrip() + "\n"
