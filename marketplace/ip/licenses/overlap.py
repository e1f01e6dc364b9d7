"""Pure functions deciding whether two sets of license terms overlap.

- Terms are closed date ranges; a missing end means the license runs until terminated.
- Fields of use are taxonomy codes; a parent field overlaps each of its children.
- Territories are ISO 3166 alpha-2 codes, ``EU`` (its member states) or ``WORLDWIDE``
  (which overlaps every territory).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from marketplace.core import taxonomy

WORLDWIDE = "WORLDWIDE"
EU_MEMBERS = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
)
REGIONS = {"EU": EU_MEMBERS}
EXCLUSIVE_KINDS = frozenset({"exclusive", "sole"})


def terms_overlap(a_start: date, a_end: date | None, b_start: date, b_end: date | None) -> bool:
    """Two closed date ranges overlap (``None`` as end is open-ended)."""
    return (b_end is None or a_start <= b_end) and (a_end is None or b_start <= a_end)


def _countries(territories: Iterable[str]) -> set[str] | None:
    """The countries named, with regions expanded; ``None`` for worldwide."""
    out: set[str] = set()
    for code in territories:
        if code == WORLDWIDE:
            return None
        out |= REGIONS.get(code, {code})
    return out


def territories_overlap(a: Iterable[str], b: Iterable[str]) -> bool:
    a_set, b_set = _countries(a), _countries(b)
    if a_set is None:
        return bool(b_set is None or b_set)
    if b_set is None:
        return bool(a_set)
    return bool(a_set & b_set)


def shared_territories(a: Iterable[str], b: Iterable[str]) -> list[str]:
    """The territories both cover, for messages (``WORLDWIDE`` when both are worldwide)."""
    a_set, b_set = _countries(a), _countries(b)
    if a_set is None and b_set is None:
        return [WORLDWIDE]
    if a_set is None:
        return sorted(b_set)
    if b_set is None:
        return sorted(a_set)
    return sorted(a_set & b_set)


def fields_overlap(a: Iterable[str], b: Iterable[str]) -> bool:
    return taxonomy.overlaps(a, b)


def shared_fields(a: Iterable[str], b: Iterable[str]) -> list[str]:
    """The fields both cover, a parent standing for its children when both cover it whole."""
    common = taxonomy.expand(a) & taxonomy.expand(b)
    fields = taxonomy.technology_fields()
    return sorted(
        code for code in common if not (code in fields and fields[code].parent in common)
    )


def exclusivity_clashes(a: str, b: str) -> bool:
    """Two grants clash when either of them is exclusive or sole."""
    return a in EXCLUSIVE_KINDS or b in EXCLUSIVE_KINDS
