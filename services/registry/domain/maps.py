"""IR on a map, at the precision each role may see (issue 15): plain rules, no database.

How much of an IR's location a role is given is the policy's ``HomeIndustry.location`` entry
(services/registry/policy.py), applied here exactly as on the field, with the policy's own masker:

- FULL (the regency/city office, the IR's facilitator): one point per IR, its stored coordinates.
- GENERALISED (the ministry, a province): the masker cuts each coordinate to one decimal, so every
  IR falls in a 0.1° grid cell named by its generalised corner, the very value the ``location``
  field gives the same caller. The map shows one point per cell with its count, never a single
  IR's point, and a cell of 1–4 IR is left out (counted in ``suppressed``), as no aggregate count
  of 1–4 is published (services/reporting/domain/disclosure.py).
- WITHHELD (a partner: sub-district only): no coordinates at all; one feature per sub-district with
  the count of the IR she may see there, 1–4 left out likewise. Sub-districts have no stored
  geometry (the regions table holds codes and names only), so these features carry none: a client
  joins them on the code to its own boundary layer.
- An ANALYST is refused by the policy before this runs (aggregates only, in reporting).
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

#: Aggregated features of fewer IR than this are left out (no count of 1–4 is shown).
SMALLEST_SHOWN_COUNT = 5
#: A map answers at most this many features; a larger region is refused (choose a smaller one).
MAX_FEATURES = 5000
#: The generalised grid: the policy's coordinate masker keeps one decimal.
CELL_DEGREES = 0.1


class Precision(enum.StrEnum):
    EXACT = "EXACT"
    GRID_CELL = "GRID_CELL"
    SUB_DISTRICT = "SUB_DISTRICT"


@dataclass(frozen=True, slots=True)
class Located:
    """One IR with what a map may need of it."""

    id: int
    registration_number: str
    current_class: str | None
    sub_district_code: str
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True, slots=True)
class Feature:
    count: int
    latitude: float | None = None
    longitude: float | None = None
    home_industry: Located | None = None
    sub_district_code: str | None = None
    classes: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class MapAnswer:
    precision: Precision
    features: list[Feature]
    #: Aggregated features left out for their small count (their IR are not counted anywhere else).
    suppressed: int
    #: IR in the region with no stored coordinates (EXACT and GRID_CELL only).
    without_location: int


class TooManyFeatures(ValueError):
    def __init__(self, count: int) -> None:
        super().__init__(f"the region has {count} map features, more than the {MAX_FEATURES} a map shows: "
                         "choose a smaller region")
        self.count = count


def _classes(items: Iterable[Located]) -> tuple[tuple[str, int], ...]:
    counted = Counter(item.current_class or "UNASSESSED" for item in items)
    return tuple(sorted(counted.items()))


def _bounded(features: list[Feature]) -> list[Feature]:
    if len(features) > MAX_FEATURES:
        raise TooManyFeatures(len(features))
    return features


def exact(rows: list[Located]) -> MapAnswer:
    located = [row for row in rows if row.latitude is not None and row.longitude is not None]
    features = [Feature(count=1, latitude=row.latitude, longitude=row.longitude, home_industry=row,
                        classes=_classes([row])) for row in located]
    return MapAnswer(Precision.EXACT, _bounded(features), 0, len(rows) - len(located))


def grid_cells(rows: list[Located], generalise: Callable[[Any], Any], location_of: Callable[[Located], Any]) -> MapAnswer:
    """One feature per generalised location; ``generalise`` is the policy's location masker."""
    cells: dict[tuple[float, float], list[Located]] = {}
    without = 0
    for row in rows:
        if row.latitude is None or row.longitude is None:
            without += 1
            continue
        cut = generalise(location_of(row))
        cells.setdefault((cut.latitude, cut.longitude), []).append(row)
    return _aggregated(Precision.GRID_CELL, [
        Feature(count=len(members), latitude=lat, longitude=lon, classes=_classes(members))
        for (lat, lon), members in sorted(cells.items())
    ], without)


def sub_districts(rows: list[Located]) -> MapAnswer:
    groups: dict[str, list[Located]] = {}
    for row in rows:
        groups.setdefault(row.sub_district_code, []).append(row)
    return _aggregated(Precision.SUB_DISTRICT, [
        Feature(count=len(members), sub_district_code=code, classes=_classes(members))
        for code, members in sorted(groups.items())
    ], 0)


def _aggregated(precision: Precision, features: list[Feature], without: int) -> MapAnswer:
    shown = [feature for feature in features if feature.count >= SMALLEST_SHOWN_COUNT]
    return MapAnswer(precision, _bounded(shown), len(features) - len(shown), without)


def geojson(answer: MapAnswer, names: dict[str, str]) -> dict[str, Any]:
    """The answer as a GeoJSON FeatureCollection (RFC 7946: longitude first)."""
    features = []
    for feature in answer.features:
        geometry = None
        if feature.latitude is not None and feature.longitude is not None:
            geometry = {"type": "Point", "coordinates": [feature.longitude, feature.latitude]}
        properties: dict[str, Any] = {"count": feature.count, "classes": dict(feature.classes)}
        if feature.home_industry is not None:
            properties |= {"id": str(feature.home_industry.id),
                           "registrationNumber": feature.home_industry.registration_number,
                           "class": feature.home_industry.current_class}
        if answer.precision is Precision.GRID_CELL:
            properties["cellDegrees"] = CELL_DEGREES
        if feature.sub_district_code is not None:
            properties |= {"regionCode": feature.sub_district_code, "regionName": names.get(feature.sub_district_code)}
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return {"type": "FeatureCollection", "features": features,
            "properties": {"precision": answer.precision.value, "suppressed": answer.suppressed,
                           "withoutLocation": answer.without_location}}
