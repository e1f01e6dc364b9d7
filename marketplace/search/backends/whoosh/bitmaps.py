"""Per index generation bitmaps: one byte per document in a Python int, so a filter is an ``|``
of value maps, a facet count an ``&`` and a ``bit_count``; and the scored pass that fills them."""

from __future__ import annotations

from dataclasses import dataclass

from whoosh.collectors import TopCollector

from marketplace.search.backends.whoosh.schema import FACET_FIELDS, KEYWORD_FACETS
from marketplace.search.query import FACETS


class MaskedTopCollector(TopCollector):
    """The top N scored documents among the allowed ones, noting every matched document in ``seen``.

    One pass gives the page, the total and the facets' base set: no quality skipping and no
    matcher replacement, since both would skip documents that must be counted.
    """

    def __init__(self, limit: int, allowed: bytes | None, seen: bytearray):
        super().__init__(limit=limit, usequality=False, replace=0)
        self._allowed = allowed
        self._seen = seen

    def collect(self, sub_docnum):
        docnum = self.offset + sub_docnum
        self._seen[docnum] = 1
        if self._allowed is None or self._allowed[docnum]:
            return TopCollector.collect(self, sub_docnum)
        return None


def bytemap(docnums, size: int) -> int:
    """An int whose byte ``d`` (little-endian) is 1 for each docnum ``d``."""
    mask = bytearray(size)
    for d in docnums:
        mask[d] = 1
    return int.from_bytes(mask, "little")


@dataclass
class Generation:
    """What one index generation answers without touching postings: live docs, value maps, orders."""

    size: int
    live: int
    maps: dict[str, dict[str, int]]
    #: docnums of live documents, newest first
    newest: list[int]
    #: docnums by TRL (highest first), then newest
    by_trl: list[int]
    published: list[int]


def build_generation(searcher) -> Generation:
    reader = searcher.reader()
    size = reader.doc_count_all()
    if size == 0:  # an empty index has no columns to read
        return Generation(0, 0, {facet: {} for facet in (*FACETS, "express")}, [], [], [])
    live_ids = list(reader.all_doc_ids())
    live = bytemap(live_ids, size)
    maps: dict[str, dict[str, int]] = {}
    for facet in KEYWORD_FACETS:
        field = FACET_FIELDS[facet]
        maps[facet] = {
            term: bytemap(reader.postings(field, term).all_ids(), size) for term in reader.field_terms(field)
        }
    maps["express"] = {
        term: bytemap(reader.postings("express", term).all_ids(), size) for term in reader.field_terms("express")
    }
    trl = list(reader.column_reader("trl"))
    published = list(reader.column_reader("published"))
    by_value: dict[int, list[int]] = {}
    for d in live_ids:
        by_value.setdefault(trl[d], []).append(d)
    maps["trl"] = {str(value): bytemap(ids, size) for value, ids in by_value.items()}
    newest = sorted(live_ids, key=lambda d: (-published[d], -d))
    by_trl = sorted(live_ids, key=lambda d: (-trl[d], -published[d], -d))
    return Generation(size, live, maps, newest, by_trl, published)
