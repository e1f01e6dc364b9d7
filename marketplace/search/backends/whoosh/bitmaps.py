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
class SegmentMaps:
    """What one segment contributes, with segment-local docnums. Segments never change (deletions
    are applied through the live mask), so these are computed once per segment and process."""

    size: int
    maps: dict[str, dict[str, int]]
    trl: list[int]
    published: list[int]


def segment_maps(reader) -> SegmentMaps:
    size = reader.doc_count_all()
    maps: dict[str, dict[str, int]] = {}
    for facet in (*KEYWORD_FACETS, "express"):
        field = FACET_FIELDS.get(facet, facet)
        maps[facet] = {
            term: bytemap(reader.postings(field, term).all_ids(), size) for term in reader.field_terms(field)
        }
    trl = list(reader.column_reader("trl"))
    by_value: dict[int, list[int]] = {}
    for d, value in enumerate(trl):
        by_value.setdefault(value, []).append(d)
    maps["trl"] = {str(value): bytemap(ids, size) for value, ids in by_value.items()}
    return SegmentMaps(size, maps, trl, list(reader.column_reader("published")))


class Generation:
    """What one index generation answers without touching postings: live docs, value maps, orders."""

    def __init__(self, size: int, live: int, maps: dict[str, dict[str, int]], trl: list[int], published: list[int]):
        self.size = size
        self.live = live
        self.maps = maps
        self.trl = trl
        self.published = published
        self._orders: dict[str, list[int]] = {}

    def order(self, sort: str) -> list[int]:
        """Live docnums newest first (``newest``) or by TRL, highest first, then newest (``trl``)."""
        if sort not in self._orders:
            mask = self.live.to_bytes(self.size, "little")
            live = [d for d in range(self.size) if mask[d]]
            published, trl = self.published, self.trl
            if sort == "trl":
                self._orders[sort] = sorted(live, key=lambda d: (-trl[d], -published[d], -d))
            else:
                self._orders[sort] = sorted(live, key=lambda d: (-published[d], -d))
        return self._orders[sort]


def build_generation(searcher, cache: dict[str, SegmentMaps]) -> Generation:
    """Combine the segments' maps (computing only those of new segments) into the index's."""
    reader = searcher.reader()
    size = reader.doc_count_all()
    maps: dict[str, dict[str, int]] = {facet: {} for facet in (*FACETS, "express")}
    if size == 0:  # an empty index has no segments to read
        cache.clear()
        return Generation(0, 0, maps, [], [])
    trl = [0] * size
    published = [0] * size
    live = 0
    used: dict[str, SegmentMaps] = {}
    for leaf, offset in reader.leaf_readers():
        key = leaf.segment().segment_id()
        seg = used[key] = cache.get(key) or segment_maps(leaf)
        shift = 8 * offset
        for facet, values in seg.maps.items():
            combined = maps[facet]
            for value, mask in values.items():
                combined[value] = combined.get(value, 0) | (mask << shift)
        trl[offset : offset + seg.size] = seg.trl
        published[offset : offset + seg.size] = seg.published
        live |= bytemap(leaf.all_doc_ids(), seg.size) << shift
    cache.clear()
    cache.update(used)
    return Generation(size, live, maps, trl, published)
