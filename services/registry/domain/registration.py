"""Registration numbers: unique within a regency/city, readable on a paper form."""

from __future__ import annotations


def registration_number(regency_code: str, sequence: int) -> str:
    """``IR-33.74-000123``: the regency's code and its running number of registered IR."""
    return f"IR-{regency_code}-{sequence:06d}"


def regency_of(village_code: str) -> str:
    """The regency/city code a village code sits in (its first two segments)."""
    return ".".join(village_code.split(".")[:2])
