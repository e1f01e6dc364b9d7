"""A writer for whole-index rebuilds: the segment Whoosh's own writer makes, byte for byte, faster.

Whoosh's writer puts every posting of a rebuild (about 200 a listing) into one pool that it
sorts, spills to disk in runs and merges back posting by posting, then hands them one at a time
to the field writer, which looks the document's field length up in a column file for each. For
a rebuild, where documents arrive in docnum order, two swaps through the writer's extension
points (its ``pool`` and its ``codec``) remove that work:

- ``GroupedPool`` files each posting under its term as it arrives, already in docnum order, so
  only the distinct terms get sorted; past a memory limit it spills its terms to a run, and
  since runs cover consecutive docnums, merging them is concatenating each term's parts;
- ``BulkCodec`` is the stock ``W3Codec`` whose field writer fills each term's postings blocks
  (128 postings) at once, with the field lengths read once per field.

``prepare_batch`` computes for a batch of documents what ``add_document`` computes before it
writes, grouped by term, in plain data that a worker process can compute and send
(``rebuild.py``); ``add_batch`` adds it, appending each term's part of the batch whole.

The blocks are written by Whoosh's own postings writer (whose buffers ``_fill_block`` sets as
its ``add_posting`` would) and the segment records the stock codec, so the index on disk is a
plain Whoosh 2.7 index. ``tests/search/test_whoosh_bulk.py`` checks that its files are identical
to the stock writer's, so a Whoosh release that changes those internals fails there.
"""

from __future__ import annotations

import pickle
from array import array
from collections import Counter
from heapq import merge
from itertools import groupby

from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter
from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint
from whoosh.util import random_name


#: estimated bytes a posting takes in the pool besides its value: docnum, weight, list slot, value object
_POSTING_BYTES = 4 + 8 + 8 + 33
#: and a term: its key, the dict slot, the tuple and its two arrays and list
_TERM_BYTES = 33 + 100 + 64 + 2 * 80 + 56


class GroupedPostings:
    """A pool's postings term by term, in Whoosh's order, for ``BulkFieldWriter``."""

    def __init__(self, pool: GroupedPool):
        self._pool = pool

    def terms(self):
        """Each term's postings: from memory, or merged from the runs the pool spilled."""
        pool = self._pool
        if not pool.runs:
            yield from _in_order(pool.fields)
            return
        pool.save()
        runs = [pool.read_run(name) for name in pool.runs]
        # runs hold consecutive docnum ranges: a term's postings are its runs' postings in run order
        for (fieldname, term), parts in groupby(merge(*runs, key=_term_key), key=_term_key):
            _, _, docnums, weights, values = next(parts)
            for _, _, more_docnums, more_weights, more_values in parts:
                docnums.extend(more_docnums)
                weights.extend(more_weights)
                values.extend(more_values)
            yield fieldname, term, docnums, weights, values


class GroupedPool:
    """Stands in for the writer's sorting pool when documents only get added, in docnum order.

    Past ``limitmb`` (estimated) it spills its terms to a run file in the writer's temporary
    storage; runs cover consecutive docnum ranges, so merging them only concatenates.
    """

    def __init__(self, tempstore=None, limitmb: float = 2048):
        self.fieldnames: set[str] = set()
        self.fields: dict[str, dict[bytes, tuple]] = {}
        self.runs: list[str] = []
        self._tempstore = tempstore
        self._limit = int(limitmb * 2**20)
        self._size = 0
        self._last_docnum = -1

    def add(self, item) -> None:
        """Add one posting ``(fieldname, term, docnum, weight, value)`` (the writer's interface)."""
        fieldname, term, docnum, weight, value = item
        if docnum < self._last_docnum:
            raise ValueError("GroupedPool takes postings in docnum order (a rebuild only adds documents)")
        self._last_docnum = docnum
        grouped = self._term(fieldname, term)
        grouped[0].append(docnum)
        grouped[1].append(weight)
        grouped[2].append(value)
        self._grew(_POSTING_BYTES + len(value))

    def add_batch(self, base: int, count: int, grouped: dict) -> None:
        """Add the postings of ``count`` documents numbered from ``base``, grouped as ``prepare_batch``
        groups them (docnums from 0): each term's part is appended whole."""
        if base <= self._last_docnum:
            raise ValueError("GroupedPool takes postings in docnum order (a rebuild only adds documents)")
        self._last_docnum = base + count - 1
        size = 0
        for fieldname, terms in grouped.items():
            for term, (docnums, weights, values) in terms.items():
                into = self._term(fieldname, term)
                into[0].extend(map(base.__add__, docnums) if base else docnums)
                into[1].extend(weights)
                into[2].extend(values)
                size += _POSTING_BYTES * len(docnums) + sum(map(len, values))
        self._grew(size)

    def _term(self, fieldname: str, term: bytes) -> tuple:
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        grouped = terms.get(term)
        if grouped is None:
            grouped = terms[term] = (array("I"), array("d"), [])
            self._size += _TERM_BYTES + len(term)
        return grouped

    def _grew(self, size: int) -> None:
        self._size += size
        if self._size > self._limit:
            self.save()

    def iter_postings(self) -> GroupedPostings:
        return GroupedPostings(self)

    def save(self) -> None:
        """Spill the terms held in memory to a new run."""
        if not self.fields:
            return
        if self._tempstore is None:
            raise ValueError("GroupedPool needs a temporary storage to spill to")
        name = f"{random_name()}.grouped"
        with self._tempstore.create_file(name).raw_file() as f:
            for record in _in_order(self.fields):
                pickle.dump(record, f, pickle.HIGHEST_PROTOCOL)
        self.runs.append(name)
        self.fields = {}
        self._size = 0

    def read_run(self, name: str):
        with self._tempstore.open_file(name).raw_file() as f:
            while True:
                try:
                    yield pickle.load(f)
                except EOFError:
                    break
        self._tempstore.delete_file(name)

    def cleanup(self) -> None:
        self.fields = {}
        for name in self.runs:
            if self._tempstore.file_exists(name):
                self._tempstore.delete_file(name)
        self.runs = []


def _in_order(fields):
    for fieldname in sorted(fields):
        terms = fields[fieldname]
        for term in sorted(terms):
            yield (fieldname, term, *terms[term])


def _term_key(record):
    return record[0], record[1]


class BulkFieldWriter(W3FieldWriter):
    """Writes grouped postings a block at a time; anything else the stock way."""

    def add_postings(self, schema, lengths, items):
        if not isinstance(items, GroupedPostings):
            return super().add_postings(schema, lengths, items)
        blocklimit = self._codec.blocklimit
        current = None
        for fieldname, term, docnums, weights, values in items.terms():
            if fieldname != current:
                if current is not None:
                    self.finish_field()
                current, fieldobj = fieldname, schema[fieldname]
                doclengths = _field_lengths(lengths, fieldname) if fieldobj.scorable else None
                self.start_field(fieldname, fieldobj)
            self.start_term(term)
            block = self._postwriter
            for start in range(0, len(docnums), blocklimit):
                if start:
                    block._write_block()
                end = start + blocklimit
                _fill_block(block, docnums[start:end], weights[start:end], values[start:end], doclengths)
            self.finish_term()
        if current is not None:
            self.finish_field()


def _fill_block(block, docnums, weights, values, doclengths) -> None:
    """Set a postings block's buffers and statistics as ``add_posting`` would, posting by posting."""
    block._ids = docnums
    block._weights = array("f", weights)
    block._values = [v for v in values if v]
    block._maxweight = max(0, max(weights))
    lengths = [n for n in map(doclengths.__getitem__, docnums) if n] if doclengths else None
    block._minlength = min(lengths) if lengths else None
    block._maxlength = max(lengths) if lengths else 0


def _field_lengths(per_doc_reader, fieldname: str) -> list[int] | None:
    """Every document's length in the field, read once (``None`` where lengths are not kept)."""
    if per_doc_reader is None:
        return None
    length = per_doc_reader.doc_field_length
    return [length(docnum, fieldname) or 0 for docnum in range(per_doc_reader.doc_count_all())]


class BulkCodec(W3Codec):
    """``W3Codec`` with the bulk field writer; its segments record the stock codec."""

    def __init__(self, blocklimit=128, compression=3, inlinelimit=1):
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)
        self.blocklimit = blocklimit
        self._stock = W3Codec(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def field_writer(self, storage, segment):
        return BulkFieldWriter(self, storage, segment)

    def new_segment(self, storage, indexname):
        return self._stock.new_segment(storage, indexname)


def prepare_batch(schema, batch: list[dict]) -> tuple[dict, list]:
    """What ``add_document(**fields)`` computes for each document of ``batch`` before it writes, as
    plain data that another process can compute: the postings grouped by field and term (docnums
    from 0, in batch order), and per document the per-document values ``(fieldname, stored
    value, length, column value)``."""
    grouped: dict[str, dict[bytes, tuple]] = {}
    documents = []
    for docnum, fields in enumerate(batch):
        boost = float(fields.get("_boost", 1.0))
        values = []
        for fieldname in sorted(name for name in fields if not name.startswith("_")):
            value = fields[fieldname]
            if value is None:
                continue
            field = schema[fieldname]
            if field.separate_spelling() or field.vector:
                raise ValueError(f"field {fieldname!r}: spelling words and vectors are not prepared")
            length = 0
            if field.indexed:
                fieldboost = float(fields.get(f"_{fieldname}_boost", boost))
                terms = grouped.setdefault(fieldname, {})
                for term, freq, weight, encoded in _index(field, value):
                    if field.scorable:
                        length += freq
                    postings = terms.get(term)
                    if postings is None:
                        postings = terms[term] = (array("I"), array("d"), [])
                    postings[0].append(docnum)
                    postings[1].append(weight * fieldboost)
                    postings[2].append(encoded)
            custom = fields.get(f"_stored_{fieldname}", value)
            stored = custom if field.stored else None
            column = field.column_type if custom is not None else None
            if stored is not None or length or column:
                values.append((fieldname, stored, length, field.to_column_value(custom) if column else None))
        documents.append(values)
    return grouped, documents


def _index(field, value):
    """``field.index(value)``; for analyzed text (a list of terms) in the positions or frequency
    format, the same postings computed without a token object per word."""
    kind = type(field.format)
    if not isinstance(value, list) or kind not in (Positions, Frequency):
        return field.index(value)
    boost = field.format.field_boost
    if kind is Frequency:
        return [(term.encode("utf-8"), n, float(n) * boost, pack_uint(n)) for term, n in Counter(value).items()]
    positions: dict[str, list[int]] = {}
    for position, term in enumerate(value):
        seen = positions.get(term)
        if seen is None:
            positions[term] = [position]
        else:
            seen.append(position)
    encode = field.format.encode
    return [(term.encode("utf-8"), len(p), float(len(p)) * boost, encode(p)) for term, p in positions.items()]


def add_batch(writer, prepared: tuple[dict, list]) -> None:
    """Add a batch of documents from ``prepare_batch``'s data, as ``add_document`` would have."""
    grouped, documents = prepared
    schema, perdoc = writer.schema, writer.perdocwriter
    base = writer.docnum
    for values in documents:
        perdoc.start_doc(writer.docnum)
        for fieldname, stored, length, column_value in values:
            field = schema[fieldname]
            perdoc.add_field(fieldname, field, stored, length)
            if column_value is not None:
                perdoc.add_column_value(fieldname, field.column_type, column_value)
        perdoc.finish_doc()
        writer.docnum += 1
    if documents:
        writer.pool.add_batch(base, len(documents), grouped)
        writer._added = True


def rebuild_writer(ix, limitmb: float = 2048, **writer_args):
    """A writer that replaces the whole index (commit it with ``mergetype=CLEAR``), keeping about
    ``limitmb`` of postings in memory before it spills them to its temporary storage."""
    writer = ix.writer(codec=BulkCodec(), **writer_args)
    writer.pool = GroupedPool(writer.temp_storage(), limitmb=limitmb)
    return writer

