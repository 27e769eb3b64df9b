"""Disclosure control of partner-facing counts: the cell-key method, and what partners may ask.

The method (as the Australian Bureau of Statistics' TableBuilder and the cell-key method of the
Eurostat/ESS SDC handbook protect published tables):

- **Record key.** Every IR gets a record key, a 32-bit number fixed for that IR: the first four
  bytes of HMAC-SHA256 of its id under a random secret that the reporting database keeps
  (``reporting.disclosure_secret``, made by migration 0003, never shown to anyone). The consumer
  stores it in the projection when the IR first appears in the feed; a replay gives the same key.
- **Cell key.** A published count is a *cell*: a set of IR (a region's Maju IR led by women on a
  date, the moves Pemula → Berkembang of a period, the IR naming a product, ...). The rollups carry,
  next to each count, the sum of its IR's record keys (``key_sum``), maintained by the same add and
  subtract steps as the count, so any cell's key is the sum of the keys of exactly the IR in it.
- **Perturbation.** The published value is drawn from the row of the p-table (``p_table_row``) for
  the true count n, by the position the cell key (with the measure's name, hashed) picks in 0..99.
  So the same set of IR always gets the same published value, whichever query, date, level or
  export asks for it, and a set that differs by even one IR gets an unrelated draw.

The p-table (probabilities in hundredths): 0 stays 0; 1–4 become 0 or 5 (5 with probability n/5,
so the expectation is n); 5 → 0 (8), 5 (62), 6 (20), 7 (10); 6 → 5 (30), 6 (45), 7 (20), 8 (5);
7 and more → n−2 (10), n−1 (20), n (40), n+1 (20), n+2 (10). Every row has expectation n.

What it guarantees to a partner (whatever it asks, however often):
1. No published count is 1–4: partners see 0 or at least 5, in GraphQL and in exports alike.
2. Asking again never helps: the published value of a set of IR is a function of that set, so
   repeats, re-phrasings (another level, another report, the export) and aliases give the same
   number and cannot be averaged.
3. A published count says the true count only to within the counts whose p-table row can give it
   (``possible_counts``): a published 0 is a true 0–5, a 5 is 1–7, a 6 is 5–8, a 7 is 5–9, any
   m ≥ 8 is m−2..m+2. So for two published counts of nested cells (two dates around one
   registration, two periods, a total and one of its parts, a province and a regency) at least two
   true differences remain possible, unless the difference is 0: a difference of 1–4 is never
   determined by the two numbers.
4. Partners are also held to a coarse, fixed lattice of cells (``partner_as_of``,
   ``check_partner_period``, ``check_partner_region``): stocks at month ends of completed months,
   moves of whole completed months, regions down to the sub-district (the level the roles table
   gives partners). Inside a completed month the answers do not change from day to day, so
   "today against yesterday" has nothing to subtract.

What it does not guarantee:
- It is not differential privacy: the noise is bounded, so an attacker who combines very many
  overlapping cells (every regency of a province, month after month) narrows a small count
  further than one subtraction does; with bounded noise that can, with luck, pin one down. The
  lattice restriction keeps the number of distinct cells small; the guarantee above is for any one
  difference, not for every linear combination of every answer.
- Published tables are not additive: the parts do not sum exactly to the published total.
- A back-dated assessment or late registration changes a past month's cells (and so their draws).
- Zero is published as 0: a partner learns that a cell is empty (no IR is identified by that).
- Items of the needs analysis named by 1–4 IR are left out (free text may point at them), so an
  item's presence says at least 5 IR name it.
- Workers absorbed are counts of people perturbed with the same table, keyed on the active IR that
  employ them; they are null where a region has 1–4 active IR, so a partner learns that such a
  region has "1–4" (not how many) active IR.
- Other roles see exact figures: the method only protects what partners see.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable

from siir.errors import Forbidden, InvalidInput

#: The smallest non-zero count shown to partners.
MINIMUM_COUNT = 5
#: Record keys are 32-bit; a cell key is the sum of its IR's record keys modulo this.
KEY_RANGE = 2**32
#: The deepest region level partners read: the sub-district (kecamatan), as in the roles table.
PARTNER_DEEPEST_LEVEL = 3

#: Probabilities of the p-table in hundredths (they sum to 100 per row).
_SMALL_ROWS = {n: ((0, 100 - 20 * n), (5, 20 * n)) for n in range(1, MINIMUM_COUNT)}
_ROW_5 = ((0, 8), (5, 62), (6, 20), (7, 10))
_ROW_6 = ((5, 30), (6, 45), (7, 20), (8, 5))
_LARGE_ROW = ((-2, 10), (-1, 20), (0, 40), (1, 20), (2, 10))  # offsets from n, for n ≥ 7


def p_table_row(n: int) -> tuple[tuple[int, int], ...]:
    """The published values of a true count ``n`` with their probabilities (hundredths)."""
    if n <= 0:
        return ((0, 100),)
    if n < MINIMUM_COUNT:
        return _SMALL_ROWS[n]
    if n == 5:
        return _ROW_5
    if n == 6:
        return _ROW_6
    return tuple((n + offset, p) for offset, p in _LARGE_ROW)


def record_key(secret: bytes, home_industry_id: int) -> int:
    """An IR's record key: fixed for the IR, unpredictable without the secret."""
    digest = hmac.new(secret, str(home_industry_id).encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big")


def cell_key(record_keys: Iterable[int]) -> int:
    """The key of the cell holding exactly the IR with these record keys."""
    return sum(record_keys) % KEY_RANGE


def _position(key_sum: int, measure: str) -> int:
    """Where in 0..99 the cell key falls, for one measure (IR counted, or their workers)."""
    digest = hashlib.sha256(f"{measure}:{key_sum % KEY_RANGE}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100


def published(n: int, key_sum: int, measure: str = "IR") -> int:
    """What a partner is shown for a true count ``n`` of a cell whose record keys sum to ``key_sum``."""
    position = _position(key_sum, measure)
    for value, p in p_table_row(n):
        if position < p:
            return value
        position -= p
    raise AssertionError("a p-table row sums to 100")  # pragma: no cover


def possible_counts(shown: int) -> range:
    """The true counts whose p-table row can publish ``shown`` (what a partner can infer from it)."""
    found = [n for n in range(0, max(shown, MINIMUM_COUNT) + 3) if any(v == shown and p for v, p in p_table_row(n))]
    return range(found[0], found[-1] + 1) if found else range(0)


def is_small(n: int) -> bool:
    """A count that is never shown to partners as it is (1–4; zero is shown)."""
    return 0 < n < MINIMUM_COUNT


def sex_of(owner_sex: str) -> str:
    return "FEMALE" if owner_sex == "FEMALE" else "MALE"


# -- the lattice partners may ask for --------------------------------------------------------------


def _month_end(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def last_complete_month_end(today: dt.date) -> dt.date:
    """The last day of the month before ``today``'s."""
    return today.replace(day=1) - dt.timedelta(days=1)


def partner_as_of(asked: dt.date | None, today: dt.date) -> dt.date:
    """The date a partner's stock is taken on: the last month end on or before ``asked`` (default
    today) whose month is complete. The answer's ``asOf`` says which."""
    day = min(asked or today, last_complete_month_end(today))
    return day if day == _month_end(day) else day.replace(day=1) - dt.timedelta(days=1)


def check_partner_period(first: dt.date, last: dt.date, today: dt.date) -> None:
    """Partners read moves of whole, completed calendar months only."""
    if first.day != 1:
        raise InvalidInput("from", "partners read whole calendar months: from must be the first day of a month")
    if last != _month_end(last):
        raise InvalidInput("to", "partners read whole calendar months: to must be the last day of a month")
    if last > last_complete_month_end(today):
        raise InvalidInput("to", f"partners read completed months only: to must be {last_complete_month_end(today).isoformat()} "
                           "or earlier")


def check_partner_region(level: int, *, field: str | None = "regionCode") -> None:
    """Partners read regions down to the sub-district: a village (level 4) is FORBIDDEN. ``field`` is
    the input path that named the region (None when no argument did: a region entity's own field)."""
    if level > PARTNER_DEEPEST_LEVEL:
        raise Forbidden("partners read figures down to the sub-district (kecamatan), not for villages",
                        **({"field": field} if field else {}))
