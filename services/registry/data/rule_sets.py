"""Reading the classification rule sets and graduation thresholds (versioned data)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.registry.domain.classification import RuleSet
from services.registry.domain.graduation import GraduationThresholds


async def load_rule_set(connection: AsyncConnection, code: str) -> RuleSet:
    """The newest version of a rule set."""
    row = (
        await connection.execute(
            text(
                "SELECT code, version, definition FROM registry.rule_sets WHERE code = :code "
                "ORDER BY version DESC LIMIT 1"
            ),
            {"code": code},
        )
    ).mappings().first()
    if row is None:
        raise LookupError(f"rule set {code!r} is not in registry.rule_sets")
    return RuleSet.from_definition(row["code"], row["version"], row["definition"])


async def load_graduation_thresholds(connection: AsyncConnection, code: str) -> GraduationThresholds:
    row = (
        await connection.execute(
            text("SELECT code, assets_over, turnover_over FROM registry.graduation_thresholds WHERE code = :code"),
            {"code": code},
        )
    ).mappings().first()
    if row is None:
        raise LookupError(f"graduation thresholds {code!r} are not in registry.graduation_thresholds")
    return GraduationThresholds(row["code"], row["assets_over"], row["turnover_over"])
