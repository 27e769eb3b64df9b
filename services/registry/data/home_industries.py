"""Reading and writing home industries (registry.home_industries)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, false, func, insert, literal, or_, select, text, true, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Select

from services.registry.data.tables import home_industries, home_industry_counts, home_industry_search, one_of
from services.registry.domain.access import RecordScope


@dataclass(frozen=True, slots=True)
class HomeIndustryQuery:
    """Which IR a list asks for; every part is optional and they combine with AND."""

    region_code: str | None = None
    ir_class: str | None = None
    status: str | None = None
    owner_sex: str | None = None
    owner_is_female_head_of_household: bool | None = None
    search: str | None = None


_SEARCH_TEXT = home_industries.c.business_name + literal(" ") + home_industries.c.owner_name


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


#: The province of an IR, as the (province, class, id) and (province, id) indexes spell it.
PROVINCE = func.left(home_industries.c.regency_code, 2)


def _in_region(query: Select[Any], code: str) -> Select[Any]:
    # A village code starts with its ancestors' codes: prefix match, served by the
    # text_pattern_ops index. The dot stops "33.7" from matching "33.74". A province or regency is
    # the equality its keyset index (…, id) is built on (migration 0005; the regency code is the
    # village code's first five characters, a CHECK), so a page walks that index in id order and
    # stops after its rows. Only the equality: with the prefix match as well the planner multiplies
    # the two selectivities, underestimates the rows and sorts the whole regency instead.
    depth = code.count(".")
    if depth == 3:
        return query.where(home_industries.c.village_code == code)
    if depth == 0 and len(code) == 2:
        return query.where(PROVINCE == code)
    if depth == 1 and len(code) == 5:
        return query.where(home_industries.c.regency_code == code)
    return query.where(home_industries.c.village_code.like(_escape_like(code) + ".%"))


def _eligible(rule: Any) -> Any:
    """One partner programme's eligibility rule (``EligibilityRule``) as a SQL condition."""
    column = home_industries.c
    conditions: list[Any] = [true()]
    if rule.classes:
        conditions.append(column.current_class.in_(sorted(str(getattr(c, "value", c)) for c in rule.classes)))
    for required, permit in (
        (rule.requires_nib, column.nib),
        (rule.requires_pirt, column.pirt_number),
        (rule.requires_halal_certificate, column.halal_certificate_number),
    ):
        if required:
            conditions.append(func.coalesce(permit, "") != "")
    if rule.statuses:
        conditions.append(column.status.in_(sorted(rule.statuses)))
    if rule.region_codes:
        conditions.append(
            or_(*(or_(column.village_code == code, column.village_code.like(_escape_like(code) + ".%"))
                  for code in rule.region_codes))
        )
    return and_(*conditions)


def scoped(query: Select[Any], scope: RecordScope) -> Select[Any]:
    """Only the IR the caller's scope reaches (``RecordScope.admits`` as SQL)."""
    if scope.region is not None:
        query = _in_region(query, scope.region)
    if scope.consented_only:
        query = query.where(home_industries.c.consent_to_share.is_(True))
    if scope.statuses is not None:
        query = query.where(home_industries.c.status.in_(sorted(scope.statuses)))
    if scope.eligibility is not None:
        query = query.where(or_(false(), *(_eligible(rule) for rule in scope.eligibility)))
    if scope.assigned_only:
        query = query.where(
            or_(
                home_industries.c.village_code.in_(sorted(scope.villages or ())),
                home_industries.c.id.in_(sorted(scope.home_industry_ids or ())),
            )
        )
    return query


def _filtered(query: Select[Any], spec: HomeIndustryQuery) -> Select[Any]:
    if spec.region_code is not None:
        query = _in_region(query, spec.region_code)
    if spec.ir_class is not None:
        query = query.where(home_industries.c.current_class == spec.ir_class)
    if spec.status is not None:
        query = query.where(home_industries.c.status == spec.status)
    if spec.owner_sex is not None:
        query = query.where(home_industries.c.owner_sex == spec.owner_sex)
    if spec.owner_is_female_head_of_household is not None:
        query = query.where(
            home_industries.c.owner_is_female_head_of_household == spec.owner_is_female_head_of_household
        )
    if spec.search:
        # ILIKE on the indexed expression lets pg_trgm's GIN index answer it.
        query = query.where(_SEARCH_TEXT.ilike("%" + _escape_like(spec.search) + "%"))
    return query


#: The filter of a list, for other record lists (the re-assessment worklist).
filtered = _filtered


async def home_industries_by_ids(
    connection: AsyncConnection, ids: Sequence[int], scope: RecordScope | None = None
) -> dict[int, RowMapping]:
    """The IR with these ids, keyed by id; with a ``scope``, only those it reaches."""
    query = select(home_industries).where(one_of(home_industries.c.id, ids))
    if scope is not None:
        query = scoped(query, scope)
    result = await connection.execute(query)
    return {row["id"]: row for row in result.mappings()}


async def home_industry_by_registration_number(
    connection: AsyncConnection, number: str, scope: RecordScope
) -> RowMapping | None:
    # IR-33.74-000123 names its regency: that lets the (regency_code, registration_number) key answer.
    regency = number.split("-")[1] if number.count("-") == 2 else ""
    query = select(home_industries).where(
        home_industries.c.regency_code == regency, home_industries.c.registration_number == number
    )
    result = await connection.execute(scoped(query, scope))
    return result.mappings().first()


#: The survey's list and JSON columns, behind one HomeIndustry field each (GraphQL name), with the
#: empty value a row holds when that field is not selected. Decoding them (JSON, arrays) and building
#: their objects was most of a page's row cost; every other column is a cheap scalar and always read,
#: so scope checks, disclosure and the audit see whole values.
OPTIONAL_COLUMNS: dict[str, tuple[str, Any]] = {
    "products": ("products", ()),
    "workforce": ("workforce", {}),
    "assistanceReceived": ("assistance_received", ()),
    "infrastructure": ("infrastructure", ()),
    "marketingChannels": ("marketing_channels", ()),
    "constraints": ("constraints", ()),
    "hopes": ("hopes", ()),
}


def unread_columns(fields: set[str] | None) -> dict[str, Any]:
    """The optional columns a selection of HomeIndustry fields does not need (none when unknown)."""
    if fields is None:
        return {}
    return {column: empty for name, (column, empty) in OPTIONAL_COLUMNS.items() if name not in fields}


async def home_industry_page(
    connection: AsyncConnection,
    spec: HomeIndustryQuery,
    scope: RecordScope,
    *,
    first: int,
    after_id: int | None,
    unread: dict[str, Any] | None = None,
) -> list[Any]:
    """Up to ``first + 1`` IR after ``after_id`` in id order (the extra row says a next page exists).

    Columns named in ``unread`` (``unread_columns``) are not read; the rows hold their empty value.
    """
    columns = [column for column in home_industries.c if column.name not in (unread or {})]
    query = scoped(_filtered(select(*columns), spec), scope).order_by(home_industries.c.id).limit(first + 1)
    if after_id is not None:
        query = query.where(home_industries.c.id > after_id)
    result = await connection.execute(query)
    if unread:
        return [{**unread, **row} for row in result.mappings()]
    return list(result.mappings())


def _counted_region(spec: HomeIndustryQuery, scope: RecordScope) -> str | None:
    """The region whose maintained counters answer this count exactly, or None when they cannot.

    Counters exist per nation/province/regency/sub-district × class × status. Any other condition
    (owner's sex, KRTP, name search, a village, a partner's consent and eligibility, a facilitator's
    assignment) is not in them: such counts run over the rows instead (a village, a facilitator's
    assignment and a partner's reach are small; a name search counts its matches, cost declared in
    the schema).
    """
    if spec.owner_sex is not None or spec.owner_is_female_head_of_household is not None or spec.search:
        return None
    if scope.consented_only or scope.statuses is not None or scope.eligibility is not None or scope.assigned_only:
        return None
    # The filter lies inside the scope (``check_region_filter``): the narrower is the filter's.
    region = spec.region_code if spec.region_code is not None else scope.region
    if region is not None and region.count(".") >= 3:
        return None
    return region or ""


def _searched_region(spec: HomeIndustryQuery, scope: RecordScope) -> str | None:
    """The region of a name search that ``home_industry_search`` alone can count ('' the nation), or None.

    It holds each IR's village and names only: a search within a region and the caller's region
    scope, nothing else (a class, status, owner's sex, KRTP or a narrower scope count over the IR rows).
    """
    if not spec.search or spec.ir_class is not None or spec.status is not None or spec.owner_sex is not None \
            or spec.owner_is_female_head_of_household is not None:
        return None
    if scope.consented_only or scope.statuses is not None or scope.eligibility is not None or scope.assigned_only:
        return None
    return spec.region_code if spec.region_code is not None else (scope.region or "")


def _count_names(region: str, search: str) -> Select[Any]:
    """A name search's count over the narrow table (migration 0016): ``lower(…) LIKE lower(…)`` is what
    PostgreSQL's ILIKE does on UTF-8, so it matches exactly what the list's ILIKE matches."""
    names = home_industry_search.c
    query = select(func.count()).select_from(home_industry_search).where(
        names.search_text.like(func.lower("%" + _escape_like(search) + "%"))
    )
    if region.count(".") == 3:
        return query.where(names.village_code == region)
    if region:
        return query.where(names.village_code.like(_escape_like(region) + ".%"))
    return query


async def count_home_industries(connection: AsyncConnection, spec: HomeIndustryQuery, scope: RecordScope) -> int:
    """How many IR match, exactly, as of the connection's snapshot (counters when they can answer, the
    narrow name table for a name search)."""
    searched = _searched_region(spec, scope)
    if searched is not None:
        return int((await connection.execute(_count_names(searched, spec.search or ""))).scalar_one())
    region = _counted_region(spec, scope)
    if region is not None:
        counts = home_industry_counts.c
        query = select(func.coalesce(func.sum(counts.n), 0)).where(counts.region_code == region)
        if spec.ir_class is not None:
            query = query.where(counts.ir_class == spec.ir_class)
        if spec.status is not None:
            query = query.where(counts.status == spec.status)
        return int((await connection.execute(query)).scalar_one())
    result = await connection.execute(
        scoped(_filtered(select(func.count()).select_from(home_industries), spec), scope)
    )
    return int(result.scalar_one())


async def next_registration_sequence(connection: AsyncConnection, regency_code: str) -> int:
    """The regency's next running number; the row lock serialises concurrent registrations."""
    result = await connection.execute(
        text(
            "INSERT INTO registry.registration_counters AS c (regency_code, last_number) VALUES (:r, 1) "
            "ON CONFLICT (regency_code) DO UPDATE SET last_number = c.last_number + 1 RETURNING last_number"
        ),
        {"r": regency_code},
    )
    return int(result.scalar_one())


async def lock_registration_sequences(connection: AsyncConnection, regency_codes: Sequence[str]) -> dict[str, int]:
    """Each regency's last running number, its counter locked until the transaction ends (one
    statement, in code order so two imports wait rather than deadlock). A regency without a counter
    gets one at 0: no number is used until ``set_registration_sequences``, so numbers stay gap-free."""
    result = await connection.execute(
        text(
            "INSERT INTO registry.registration_counters AS c (regency_code, last_number) "
            "SELECT r, 0 FROM unnest(CAST(:r AS text[])) AS r ORDER BY r "
            "ON CONFLICT (regency_code) DO UPDATE SET last_number = c.last_number RETURNING regency_code, last_number"
        ),
        {"r": sorted(set(regency_codes))},
    )
    return {row.regency_code: int(row.last_number) for row in result}


async def registration_sequences(connection: AsyncConnection, regency_codes: Sequence[str]) -> dict[str, int]:
    """Each regency's last running number as it stands (no lock: for a dry run), 0 for none yet."""
    result = await connection.execute(
        text("SELECT regency_code, last_number FROM registry.registration_counters WHERE regency_code = ANY(CAST(:r AS text[]))"),
        {"r": sorted(set(regency_codes))},
    )
    found = {row.regency_code: int(row.last_number) for row in result}
    return {code: found.get(code, 0) for code in regency_codes}


async def set_registration_sequences(connection: AsyncConnection, last_numbers: dict[str, int]) -> None:
    """Move counters locked by ``lock_registration_sequences`` to the last numbers used."""
    if not last_numbers:
        return
    codes = sorted(last_numbers)
    await connection.execute(
        text(
            "UPDATE registry.registration_counters c SET last_number = v.n "
            "FROM unnest(CAST(:r AS text[]), CAST(:n AS integer[])) AS v(r, n) WHERE c.regency_code = v.r"
        ),
        {"r": codes, "n": [last_numbers[code] for code in codes]},
    )


async def reserve_home_industry_ids(connection: AsyncConnection, count: int) -> list[int]:
    """``count`` new IR ids, ascending: rows inserted with them keep the order they were given in,
    even when they go in several statements (one per set of columns given)."""
    result = await connection.execute(
        text("SELECT nextval(pg_get_serial_sequence('registry.home_industries', 'id')) FROM generate_series(1, :n)"),
        {"n": count},
    )
    return sorted(int(value) for value in result.scalars())


async def insert_home_industries(connection: AsyncConnection, rows: Sequence[dict[str, Any]]) -> dict[int, RowMapping]:
    """Insert IR rows that carry their ``id`` (``reserve_home_industry_ids``); the stored rows by id.

    One multi-row INSERT per distinct set of columns: a column a row leaves out keeps the table's
    default, which a value in the same statement could not."""
    shapes: dict[frozenset[str], list[dict[str, Any]]] = {}
    for row in rows:
        shapes.setdefault(frozenset(row), []).append(row)
    stored: dict[int, RowMapping] = {}
    for shape in shapes.values():
        result = await connection.execute(insert(home_industries).returning(home_industries), shape)
        stored.update((row["id"], row) for row in result.mappings())
    return stored


async def update_home_industry(
    connection: AsyncConnection,
    home_industry_id: int,
    expected_version: int | None,
    values: dict[str, Any],
    *,
    bump_version: bool = True,
) -> RowMapping | None:
    """Apply ``values`` and bump the version; None when the row is missing or the version moved on.

    Under READ COMMITTED a concurrent writer of the same row waits for the first to commit, then
    re-checks ``version``: of two updates expecting the same version exactly one succeeds.
    Derived columns (the current class after an assessment) change without ``bump_version``:
    they are not the record a clerk edits, so they must not make her edit conflict.
    """
    if bump_version:
        values = {**values, "version": home_industries.c.version + 1}
    query = (
        update(home_industries)
        .where(home_industries.c.id == home_industry_id)
        .values(**values, updated_at=func.now())
        .returning(home_industries)
    )
    if expected_version is not None:
        query = query.where(home_industries.c.version == expected_version)
    result = await connection.execute(query)
    return result.mappings().first()


async def lock_home_industry(connection: AsyncConnection, home_industry_id: int) -> RowMapping | None:
    """Read an IR and hold its row lock until the transaction ends."""
    result = await connection.execute(
        select(home_industries).where(home_industries.c.id == home_industry_id).with_for_update()
    )
    return result.mappings().first()


#: A map reads at most this many IR in one answer (a larger region is refused: choose a smaller one).
MAP_MAX_ROWS = 200_000


async def located_home_industries(
    connection: AsyncConnection, region_code: str, scope: RecordScope
) -> Sequence[RowMapping]:
    """The IR of a region within the scope, with what a map shows of them (MAP_MAX_ROWS + 1 at most)."""
    column = home_industries.c
    query = select(column.id, column.registration_number, column.current_class, column.village_code,
                   column.regency_code, column.latitude, column.longitude)
    query = scoped(_in_region(query, region_code), scope).order_by(column.id).limit(MAP_MAX_ROWS + 1)
    return (await connection.execute(query)).mappings().all()
