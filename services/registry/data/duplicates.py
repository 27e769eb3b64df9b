"""Finding an owner's active IR for the duplicate check (registry.home_industries)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from services.registry.data.tables import assessments as assessment_table
from services.registry.data.tables import interventions as intervention_table
from services.registry.data.tables import mentoring_notes as note_table


async def lock_owners(connection: AsyncConnection, niks: Sequence[str]) -> None:
    """Serialise registrations of these NIKs until the transaction ends (two clerks sending the same form
    at once: the second sees the first's IR instead of both passing the check). One statement, locks in
    the order of their keys, so two imports locking overlapping owners wait instead of deadlocking."""
    await connection.execute(
        text(
            "SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtextextended('registry.owner:' || n, 0) AS k "
            "FROM unnest(CAST(:niks AS text[])) AS n ORDER BY k) keys"
        ),
        {"niks": sorted(set(niks))},
    )


async def active_of_owners(
    connection: AsyncConnection, wanted: Sequence[tuple[str, str]]
) -> dict[int, list[RowMapping]]:
    """Each (NIK, business name)'s active IR of that owner (index home_industries_owner_nik), with their
    business name's trigram similarity to it, keyed by position in ``wanted``; each owner's IR in id order."""
    result = await connection.execute(
        text(
            "SELECT w.position - 1 AS position, h.id, h.registration_number, h.regency_code, h.village_code, h.status, "
            "h.consent_to_share, similarity(h.business_name, w.business_name) AS business_name_similarity "
            "FROM unnest(CAST(:niks AS text[]), CAST(:names AS text[])) WITH ORDINALITY AS w(nik, business_name, position) "
            "JOIN registry.home_industries h ON h.owner_nik = w.nik AND h.status = 'ACTIVE' "
            "ORDER BY w.position, h.id"
        ),
        {"niks": [nik for nik, _ in wanted], "names": [name for _, name in wanted]},
    )
    found: dict[int, list[RowMapping]] = {}
    for row in result.mappings():
        found.setdefault(row["position"], []).append(row)
    return found


async def name_similarities(connection: AsyncConnection, pairs: Sequence[tuple[str, str]]) -> list[float]:
    """pg_trgm's similarity of each pair of business names, in order (one statement)."""
    if not pairs:
        return []
    result = await connection.execute(
        text(
            "SELECT similarity(p.a, p.b) FROM unnest(CAST(:a AS text[]), CAST(:b AS text[])) WITH ORDINALITY AS p(a, b, n) "
            "ORDER BY p.n"
        ),
        {"a": [a for a, _ in pairs], "b": [b for _, b in pairs]},
    )
    return [float(value) for value in result.scalars()]


async def move_records(connection: AsyncConnection, drop_id: int, keep_id: int) -> dict[str, list[int]]:
    """Hand the dropped IR's assessments, interventions and mentoring notes to the kept one; the ids
    moved, per kind (one UPDATE each, inside the caller's transaction)."""
    moved: dict[str, list[int]] = {}
    for kind, table in (
        ("assessments", assessment_table), ("interventions", intervention_table), ("mentoringNotes", note_table)
    ):
        result = await connection.execute(
            update(table).where(table.c.home_industry_id == drop_id).values(home_industry_id=keep_id).returning(table.c.id)
        )
        moved[kind] = sorted(result.scalars().all())
    return moved


#: Pairs (first id < second id) of active IR of one regency/city that may be one business: the same
#: owner's phone, or owner and business names both trigram-similar within one sub-district. Each
#: side of the name pairs is found through the GIN trigram indexes (migration: duplicate detection),
#: the phone pairs through the (regency, phone) index: one regency's pairs, never a scan of the table.
_PAIRS = """
WITH candidates AS (
    SELECT a.id AS first_id, b.id AS second_id, 'SAME_PHONE' AS reason, 1.0::real AS score
    FROM registry.home_industries a
    JOIN registry.home_industries b
      ON b.regency_code = a.regency_code AND b.owner_phone = a.owner_phone AND b.id > a.id AND b.status = 'ACTIVE'
    WHERE a.regency_code = :regency AND a.status = 'ACTIVE' AND a.owner_phone IS NOT NULL
    UNION ALL
    SELECT a.id, b.id, 'SIMILAR_NAMES',
           least(similarity(a.owner_name, b.owner_name), similarity(a.business_name, b.business_name))
    FROM registry.home_industries a
    JOIN registry.home_industries b
      ON b.business_name % a.business_name AND b.id > a.id AND b.regency_code = a.regency_code
     AND left(b.village_code, 8) = left(a.village_code, 8) AND b.status = 'ACTIVE'
    WHERE a.regency_code = :regency AND a.status = 'ACTIVE'
      AND similarity(a.owner_name, b.owner_name) >= :threshold
      AND similarity(a.business_name, b.business_name) >= :threshold
)
SELECT first_id, second_id, array_agg(reason ORDER BY reason) AS reasons, max(score) AS score
FROM candidates
WHERE (first_id, second_id) > (:after_first, :after_second)
GROUP BY first_id, second_id
ORDER BY first_id, second_id
LIMIT :limit
"""


async def possible_duplicate_page(
    connection: AsyncConnection, regency_code: str, threshold: float, *, first: int, after: tuple[int, int] | None
) -> list[RowMapping]:
    """Up to ``first + 1`` pairs after the keyset ``after`` (the extra one says whether a next page exists)."""
    # set_limit: the % operator (and its GIN index) uses pg_trgm.similarity_threshold; local to the transaction.
    await connection.execute(text("SELECT set_config('pg_trgm.similarity_threshold', :t, true)"), {"t": str(threshold)})
    after_first, after_second = after or (0, 0)
    result = await connection.execute(
        text(_PAIRS),
        {"regency": regency_code, "threshold": threshold, "after_first": after_first, "after_second": after_second,
         "limit": first + 1},
    )
    return list(result.mappings().all())


async def count_possible_duplicates(connection: AsyncConnection, regency_code: str, threshold: float) -> int:
    """How many pairs the whole list holds (the same pairs, counted: it costs the whole list)."""
    await connection.execute(text("SELECT set_config('pg_trgm.similarity_threshold', :t, true)"), {"t": str(threshold)})
    result = await connection.execute(
        text(f"SELECT count(*) FROM ({_PAIRS}) pairs"),
        {"regency": regency_code, "threshold": threshold, "after_first": 0, "after_second": 0, "limit": None},
    )
    return int(result.scalar_one())
