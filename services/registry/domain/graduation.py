"""Graduation to small enterprise (Usaha Kecil): who is a candidate for hand-over.

The regulation points to UU 20/2008; PP 7/2021 raised the figures. Which thresholds apply is
configuration (``SIIR_GRADUATION_THRESHOLDS``), and each assessment records the ones it used.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.registry.domain.classification import IrClass


@dataclass(frozen=True, slots=True)
class GraduationThresholds:
    code: str
    assets_over: int
    turnover_over: int


def is_small_enterprise_candidate(
    ir_class: IrClass,
    assets_excluding_land_and_buildings: int | None,
    annual_turnover: int | None,
    thresholds: GraduationThresholds,
) -> bool:
    """An IR Maju past either threshold is a candidate; unknown figures never qualify."""
    if ir_class is not IrClass.MAJU:
        return False
    over_assets = assets_excluding_land_and_buildings is not None and (
        assets_excluding_land_and_buildings > thresholds.assets_over
    )
    over_turnover = annual_turnover is not None and annual_turnover > thresholds.turnover_over
    return over_assets or over_turnover
