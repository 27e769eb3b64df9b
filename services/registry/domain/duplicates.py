"""When a registration is a duplicate, and what the caller may be told about the IR it duplicates.

Plain rules, no database: ``data/duplicates.py`` finds the owner's active IR, these decide.

- One NIK, one active IR (industri rumahan). An owner may hold a second one only when the caller
  says so explicitly, with a reason (the reason goes into the audit trail), and never two active IR
  whose business names are near-identical: that is the same business registered twice.
- The answer tells the caller only what its scope allows: the registration number of an IR in its
  scope; of one elsewhere only that it exists in another regency/city (no region code, no name).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: How a merged-away IR's closure reason starts (then the kept IR's registration number and the reason).
CLOSED_AS_DUPLICATE = "DUPLICATE of"

#: pg_trgm similarity from which two business names of one owner count as the same business.
#: "Keripik Tempe Bu Sri" / "Keripik Tempe Bu Sri 2" score 0.85; "Keripik Tempe Bu Sri" /
#: "Jahe Instan Bu Sri" 0.28.
NEAR_IDENTICAL_BUSINESS_NAME = 0.6


#: pg_trgm similarity from which two IR of one sub-district with similar owner AND business names are
#: listed as possible duplicates (both names must reach it; the pair's score is the lower of the two).
PROBABLE_NAME_SIMILARITY = 0.5

#: Why a pair is listed (``possibleDuplicates``).
SAME_PHONE = "SAME_PHONE"
SIMILAR_NAMES = "SIMILAR_NAMES"


@dataclass(frozen=True, slots=True)
class ActiveRegistration:
    """An active IR of the owner being registered, as the duplicate check sees it."""

    id: int
    registration_number: str
    regency_code: str
    business_name_similarity: float
    in_scope: bool


def _where(found: ActiveRegistration, regency_code: str) -> str:
    if found.in_scope:
        return f"registration number {found.registration_number}"
    if found.regency_code != regency_code:
        return "registered in another regency/city (terdaftar di kabupaten/kota lain)"
    return "registered outside your area"


def refusal(
    existing: Sequence[ActiveRegistration], regency_code: str, additional_reason: str | None, prefix: str = "input"
) -> tuple[str, str] | None:
    """(field, message) refusing the registration, or None when it may go ahead.

    ``regency_code`` is the new IR's regency; ``additional_reason`` the caller's reason for a
    second IR of the same owner (None: the caller did not say it is one); ``prefix`` the path of
    the registration's input (a row of an import names its own).
    """
    if not existing:
        return None
    first = min(existing, key=lambda found: (not found.in_scope, found.id))
    if additional_reason is None:
        return (
            f"{prefix}.owner.nik",
            f"this NIK already has an active IR ({_where(first, regency_code)}); to register another business "
            "of the same owner give additionalBusinessReason",
        )
    same = [found for found in existing if found.business_name_similarity >= NEAR_IDENTICAL_BUSINESS_NAME]
    if same:
        closest = max(same, key=lambda found: (found.in_scope, found.business_name_similarity))
        return (
            f"{prefix}.businessName",
            f"the owner already has an active IR with a near-identical business name ({_where(closest, regency_code)})",
        )
    return None

