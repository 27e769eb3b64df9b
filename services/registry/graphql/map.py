"""``homeIndustryMap``: the IR of a region as a GeoJSON FeatureCollection, at the precision the
caller's role may see of their locations (services/registry/domain/maps.py says how)."""

from __future__ import annotations

import json
from enum import Enum
from typing import Annotated, Any

import strawberry
from sqlalchemy.engine import RowMapping

from services.registry.data import home_industries as home_industry_data
from services.registry.data.audit import HOME_INDUSTRY, Record
from services.registry.domain import access, maps
from services.registry.graphql.context import RegistryInfo
from services.registry.graphql.home_industry import Location
from siir import identifiers
from siir.errors import InvalidInput
from siir.policy import Disclosure


@strawberry.enum(description="How precisely a map places IR (ketelitian peta), by the caller's role.")
class MapPrecision(Enum):
    EXACT = strawberry.enum_value(
        "EXACT", description="One point per IR at its stored coordinates (the regency/city office, the IR's facilitator).")
    GRID_CELL = strawberry.enum_value(
        "GRID_CELL", description="One point per 0.1° grid cell (about 11 km) with its IR count, at the generalised "
        "coordinates the `location` field gives the same caller (the ministry, a province); cells of 1–4 IR left out.")
    SUB_DISTRICT = strawberry.enum_value(
        "SUB_DISTRICT", description="One feature per sub-district (kecamatan) with its IR count and no geometry "
        "(partners); sub-districts of 1–4 IR left out.")


@strawberry.type(description="IR of a region on a map (peta IR), at the precision your role may see.")
class HomeIndustryMap:
    precision: MapPrecision = strawberry.field(description="How precisely the features place IR.")
    region_code: str = strawberry.field(description="The region asked for (Kemendagri code).")
    feature_count: int = strawberry.field(description="How many features `geoJson` holds.")
    suppressed: int = strawberry.field(
        description="Aggregated features left out because they hold 1–4 IR (no count of 1–4 is shown)."
    )
    without_location: int = strawberry.field(description="IR of the region with no stored coordinates (not on the map).")
    geo_json: str = strawberry.field(
        description="The features as a GeoJSON FeatureCollection (RFC 7946, longitude first), as JSON text. "
        "Each feature's properties: `count`, `classes` (IR per class); EXACT adds `id`, `registrationNumber`, "
        "`class`; GRID_CELL adds `cellDegrees`; SUB_DISTRICT has `regionCode` and `regionName` and a null "
        "geometry (SIIR holds no boundaries: join the code to your own boundary layer)."
    )


def _located(row: RowMapping) -> maps.Located:
    return maps.Located(id=row["id"], registration_number=row["registration_number"],
                        current_class=row["current_class"], sub_district_code=row["village_code"].rsplit(".", 1)[0],
                        latitude=row["latitude"], longitude=row["longitude"])


def _location(item: maps.Located) -> Location:
    return Location(latitude=item.latitude, longitude=item.longitude, exact=True)  # type: ignore[arg-type]


async def home_industry_map(info: RegistryInfo, region_code: str) -> HomeIndustryMap:
    # Imported here: the policy imports the graphql package's types indirectly.
    from services.registry.policy import POLICY

    code = region_code.strip()
    if not identifiers.is_code_prefix(code):
        raise InvalidInput("regionCode", "is not a Kemendagri region code")
    scope = await info.context.record_scope()
    access.check_region_filter(scope, code, "regionCode")
    region = await info.context.loaders.region.load(code)
    if region is None:
        raise InvalidInput("regionCode", f"no region has the code {code}")
    # The location field's own disclosure for this role and its own masker: one mechanism.
    rule = POLICY.rule("HomeIndustry.location")
    assert rule is not None and rule.mask is not None
    disclosure = rule.decision(info.context.identity.role)
    async with info.context.connect() as connection:
        rows = await home_industry_data.located_home_industries(connection, code, scope)
    if len(rows) > home_industry_data.MAP_MAX_ROWS:
        raise InvalidInput("regionCode", f"holds more than {home_industry_data.MAP_MAX_ROWS} IR in your scope: "
                           "choose a smaller region")
    located = [_located(row) for row in rows]
    try:
        if disclosure is Disclosure.FULL:
            answer = maps.exact(located)
        elif disclosure is Disclosure.GENERALISED:
            answer = maps.grid_cells(located, POLICY.maskers[rule.mask], _location)
        else:  # WITHHELD: partners reach the sub-district only (the policy's HomeIndustry.subDistrict)
            answer = maps.sub_districts(located)
    except maps.TooManyFeatures as error:
        raise InvalidInput("regionCode", str(error)) from None
    _note_reads(info, rows, answer, disclosure)
    names: dict[str, str] = {}
    codes = sorted({f.sub_district_code for f in answer.features if f.sub_district_code})
    if codes:
        names = {row["code"]: row["name"]
                 for row in await info.context.loaders.region.load_many(codes) if row is not None}
    return HomeIndustryMap(
        precision=MapPrecision(answer.precision.value),
        region_code=code,
        feature_count=len(answer.features),
        suppressed=answer.suppressed,
        without_location=answer.without_location,
        geo_json=json.dumps(maps.geojson(answer, names), ensure_ascii=False, separators=(",", ":")),
    )


def _note_reads(info: RegistryInfo, rows: Any, answer: maps.MapAnswer, disclosure: Disclosure) -> None:
    """Coordinates given out, exact or generalised, are personal reads, audited like the field's."""
    if disclosure not in (Disclosure.FULL, Disclosure.GENERALISED) or not answer.features:
        return
    for row in rows:
        if row["latitude"] is not None and row["longitude"] is not None:
            record = Record(HOME_INDUSTRY, row["id"], row["regency_code"], row["id"])
            info.context.reads.note(record, access.LOCATION, disclosure.value)


@strawberry.type
class MapQuery:
    @strawberry.federation.field(
        description="The IR of a region (your scope) as a GeoJSON map layer, at the precision your role may see "
        "of their locations: exact for the regency/city office and the IR's facilitator, 0.1° grid cells for "
        "the ministry and provinces, sub-district counts for partners; refused to analysts. At most 5,000 "
        "features: a larger region is refused (BAD_USER_INPUT on regionCode), choose a smaller one.",
    )
    async def home_industry_map(
        self, info: RegistryInfo,
        region_code: Annotated[str, strawberry.argument(
            description="Kemendagri code of the region to map (a province, regency/city, sub-district or village in "
                        "your scope).")],
    ) -> HomeIndustryMap:
        return await home_industry_map(info, region_code)
