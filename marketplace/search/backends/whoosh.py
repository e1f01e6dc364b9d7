"""The embedded backend: a Whoosh index on disk (``SEARCH_INDEX_DIR``), safe for several processes.

Only the API shared by every Whoosh 2.7-compatible distribution is used. Reading keeps one
searcher per process and refreshes it when another writer committed. Facet counts, filters and
the total come from per-generation bitmaps (one byte per document, held in Python ints) so a
query runs the text matcher once, never twice, and counting a facet is an ``&`` and a
``bit_count``. Writes take the index lock with a timeout and retry; a write that still fails
raises, so the outbox keeps the event for a later drain.
"""

from __future__ import annotations

import html
import logging
import os
import re
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from whoosh import index as whoosh_index
from whoosh import writing
from whoosh.collectors import TopCollector
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.query import And, Every, Not, NumericRange, Or, Phrase, Prefix, Term
from whoosh.support.charset import accent_map

from marketplace.search.backends import Hit, SearchResult, SearchUnavailable
from marketplace.search.documents import ListingDocument, iter_documents, load_documents
from marketplace.search.query import FACETS, Clause, SearchQuery

log = logging.getLogger(__name__)

#: query-time boosts: title over summary over description and keywords
BOOSTS = {"title": 4.0, "summary": 2.0, "description": 1.0, "keywords": 1.0}
TEXT_FIELDS = tuple(BOOSTS)
#: facet name -> index field
FACET_FIELDS = {
    "fields": "fields",
    "trl": "trl",
    "opportunity_types": "opportunity_types",
    "ip_kinds": "ip_kinds",
    "universities": "university",
    "countries": "country",
}
_KEYWORD_FACETS = ("fields", "opportunity_types", "ip_kinds", "universities", "countries")

STEM = RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map) | StopFilter() | StemFilter()
FOLD = RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)


def make_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        version=STORED(),
        title=TEXT(analyzer=STEM, stored=True),
        summary=TEXT(analyzer=STEM, stored=True),
        description=TEXT(analyzer=STEM),
        keywords=TEXT(analyzer=STEM),
        #: unstemmed words of title, summary and keywords: the vocabulary for "did you mean"
        spell=TEXT(analyzer=FOLD, phrase=False),
        fields=KEYWORD(lowercase=False),
        opportunity_types=KEYWORD(lowercase=False),
        ip_kinds=KEYWORD(lowercase=False),
        university=ID(),
        country=ID(),
        express=ID(),
        trl=NUMERIC(int, sortable=True),
        published=NUMERIC(int, bits=64, sortable=True),
    )


def _epoch(value: datetime | None) -> int:
    return int(value.timestamp()) if value else 0


def to_fields(doc: ListingDocument) -> dict:
    """The Whoosh field values for a listing document."""
    keywords = " ".join(doc.keywords)
    return {
        "id": str(doc.id),
        "version": doc.version,
        "title": doc.title,
        "summary": doc.summary,
        "description": doc.description,
        "keywords": keywords,
        "spell": " ".join((doc.title, doc.summary, keywords)),
        "fields": " ".join(doc.fields),
        "opportunity_types": " ".join(doc.opportunity_types),
        "ip_kinds": " ".join(doc.ip_kinds),
        "university": str(doc.university_id),
        "country": doc.country,
        "express": "1" if doc.has_express_license else "0",
        "trl": doc.trl,
        "published": _epoch(doc.published_at),
    }


# ---- query building (shared with the benchmark's straightforward engine use) -------------------


def _stems(text: str) -> list[str]:
    return [t.text for t in STEM(text)]


def _fold(text: str) -> str:
    return text.lower().translate(accent_map)


def clause_query(clause: Clause):
    """The Whoosh query for one clause over every text field, with the boosts; None if only stop words."""
    if clause.kind == "prefix":
        prefix = _fold(clause.text)
        return Or([Prefix(f, prefix, boost=b) for f, b in BOOSTS.items()])
    words = _stems(clause.text)
    if not words:
        return None
    if len(words) == 1 and clause.kind == "term":
        return Or([Term(f, words[0], boost=b) for f, b in BOOSTS.items()])
    return Or([Phrase(f, words, boost=b) for f, b in BOOSTS.items()])


def text_query(query: SearchQuery):
    """The free-text part of ``query`` as a Whoosh query (None when there is no text)."""
    if query.parsed.is_empty:
        return None
    musts, nots = [], []
    for group in query.parsed.groups:
        parts = [(c, clause_query(c)) for c in group]
        parts = [(c, q) for c, q in parts if q is not None]
        if not parts:
            continue
        if len(parts) == 1 and parts[0][0].negated:
            nots.append(parts[0][1])
        else:
            musts.append(parts[0][1] if len(parts) == 1 else Or([q for _, q in parts]))
    if not musts and not nots:
        return Term("id", "")  # only stop words: nothing matches
    positive = musts[0] if len(musts) == 1 else (And(musts) if musts else Every())
    return And([positive] + [Not(q) for q in nots]) if nots else positive


def filter_queries(query: SearchQuery) -> dict[str, object]:
    """Each active filter as a Whoosh query, by facet name."""

    def any_of(field, values):
        return Or([Term(field, str(v)) for v in values])

    out: dict[str, object] = {}
    if query.fields:
        out["fields"] = any_of("fields", query.fields)
    if query.trl_values:
        out["trl"] = NumericRange("trl", query.trl_values[0], query.trl_values[-1])
    if query.opportunity_types:
        out["opportunity_types"] = any_of("opportunity_types", query.opportunity_types)
    if query.ip_kinds:
        out["ip_kinds"] = any_of("ip_kinds", query.ip_kinds)
    if query.university_ids:
        out["universities"] = any_of("university", query.university_ids)
    if query.countries:
        out["countries"] = any_of("country", query.countries)
    if query.has_express_license is not None:
        out["express"] = Term("express", "1" if query.has_express_license else "0")
    if query.published_since is not None:
        out["published"] = NumericRange("published", _epoch(query.published_since), None)
    return out


# ---- highlighting -----------------------------------------------------------------------------


def highlight_terms(query: SearchQuery) -> tuple[frozenset[str], tuple[str, ...]]:
    """Stems and prefixes to mark: those of the positive clauses."""
    stems: set[str] = set()
    prefixes: list[str] = []
    for clause in query.parsed.clauses(positive_only=True):
        if clause.kind == "prefix":
            prefixes.append(_fold(clause.text))
        else:
            stems.update(_stems(clause.text))
    return frozenset(stems), tuple(prefixes)


def _candidates(stems: frozenset[str], prefixes: tuple[str, ...]) -> re.Pattern:
    """A cheap pre-filter over folded text: where a matching word may start.

    A stem is not always a prefix of its words (battery -> batteri), its first letters are.
    """
    starts = {stem[:-1] if len(stem) > 3 else stem for stem in stems} | set(prefixes)
    return re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, starts), key=len, reverse=True)) + ")")


def _marked_spans(text: str, stems: frozenset[str], prefixes: tuple[str, ...], offset: int = 0) -> list[tuple[int, int]]:
    spans = []
    for token in STEM(text, chars=True):
        if token.text in stems or (prefixes and _fold(text[token.startchar : token.endchar]).startswith(prefixes)):
            spans.append((token.startchar + offset, token.endchar + offset))
    return spans


def mark(text: str, stems: frozenset[str], prefixes: tuple[str, ...], window: int | None = None) -> str | None:
    """``text`` HTML-escaped with matching words in ``<mark>``; None when nothing matches.

    With ``window``, only an excerpt of about that many characters around the first match (only
    that excerpt is analysed, so long descriptions cost little).
    """
    if not text:
        return None
    candidates = _candidates(stems, prefixes)
    folded = _fold(text)
    if len(folded) != len(text):  # a folding that changes lengths: analyse everything
        folded = None
    start, end = 0, len(text)
    spans: list[tuple[int, int]] = []
    if window and len(text) > window and folded is not None:
        for found in candidates.finditer(folded):
            start = max(0, found.start() - window // 3)
            if start:
                space = text.find(" ", start, found.start())
                start = space + 1 if space >= 0 else start
            end = min(len(text), start + window)
            if end < len(text):
                space = text.rfind(" ", found.end(), end)
                end = space if space > found.end() else end
            spans = _marked_spans(text[start:end], stems, prefixes, offset=start)
            if spans:
                break
    elif folded is None or candidates.search(folded):
        spans = _marked_spans(text, stems, prefixes)
    if not spans:
        return None
    out = ["…" if start else ""]
    pos = start
    for s, e in spans:
        if s < pos or e > end:
            continue
        out.append(html.escape(text[pos:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        pos = e
    out.append(html.escape(text[pos:end]))
    out.append("…" if end < len(text) else "")
    return "".join(out)


def highlight_listing(query: SearchQuery, title: str, summary: str, description: str) -> dict[str, str]:
    """Title and summary with their matches marked; a description excerpt when the summary has none."""
    stems, prefixes = highlight_terms(query)
    if not stems and not prefixes:
        return {}
    out = {}
    if marked := mark(title, stems, prefixes):
        out["title"] = marked
    if marked := mark(summary, stems, prefixes):
        out["summary"] = marked
    elif marked := mark(description, stems, prefixes, window=240):
        out["description"] = marked
    return out


# ---- bitmaps ------------------------------------------------------------------------------------


class _MaskedTopCollector(TopCollector):
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


def _bytemap(docnums, size: int) -> int:
    """An int whose byte ``d`` (little-endian) is 1 for each docnum ``d``."""
    mask = bytearray(size)
    for d in docnums:
        mask[d] = 1
    return int.from_bytes(mask, "little")


@dataclass
class _Generation:
    """What one index generation answers without touching postings: live docs, value maps, orders."""

    size: int
    live: int
    maps: dict[str, dict[str, int]]
    #: docnums of live documents, newest first
    newest: list[int]
    #: docnums by TRL (highest first), then newest
    by_trl: list[int]
    published: list[int]


def _build_generation(searcher) -> _Generation:
    reader = searcher.reader()
    size = reader.doc_count_all()
    if size == 0:  # an empty index has no columns to read
        return _Generation(0, 0, {facet: {} for facet in (*FACETS, "express")}, [], [], [])
    live_ids = list(reader.all_doc_ids())
    live = _bytemap(live_ids, size)
    maps: dict[str, dict[str, int]] = {}
    for facet in _KEYWORD_FACETS:
        field = FACET_FIELDS[facet]
        maps[facet] = {
            term: _bytemap(reader.postings(field, term).all_ids(), size) for term in reader.field_terms(field)
        }
    maps["express"] = {
        term: _bytemap(reader.postings("express", term).all_ids(), size) for term in reader.field_terms("express")
    }
    trl = list(reader.column_reader("trl"))
    published = list(reader.column_reader("published"))
    by_value: dict[int, list[int]] = {}
    for d in live_ids:
        by_value.setdefault(trl[d], []).append(d)
    maps["trl"] = {str(value): _bytemap(ids, size) for value, ids in by_value.items()}
    newest = sorted(live_ids, key=lambda d: (-published[d], -d))
    by_trl = sorted(live_ids, key=lambda d: (-trl[d], -published[d], -d))
    return _Generation(size, live, maps, newest, by_trl, published)


# ---- the backend --------------------------------------------------------------------------------


class WhooshBackend:
    name = "whoosh"

    def __init__(self, index_dir: str, write_timeout: float = 10.0, write_attempts: int = 6):
        self.index_dir = index_dir
        self.write_timeout = write_timeout
        self.write_attempts = write_attempts
        self._lock = threading.RLock()
        self._pid = os.getpid()
        self._ix = None
        self._searcher = None
        self._generation: _Generation | None = None

    # -- index and searcher

    def _index(self):
        if self._pid != os.getpid():  # forked: never share file handles with the parent
            self._pid, self._ix, self._searcher, self._generation = os.getpid(), None, None, None
        if self._ix is None:
            os.makedirs(self.index_dir, exist_ok=True)
            storage = FileStorage(self.index_dir)
            lock = storage.lock("CREATE")
            deadline = time.monotonic() + self.write_timeout
            while not lock.acquire():
                if time.monotonic() > deadline:
                    raise SearchUnavailable("The search index is being created by another process.")
                time.sleep(0.05)
            try:
                if whoosh_index.exists_in(self.index_dir):
                    self._ix = whoosh_index.open_dir(self.index_dir)
                else:
                    self._ix = whoosh_index.create_in(self.index_dir, make_schema())
            finally:
                lock.release()
        return self._ix

    def searcher(self):
        """This process's searcher, reopened when the index changed since it was opened.

        Not ``Searcher.refresh()``: in whoosh-reloaded 2.7.5 a refreshed reader keeps the segments
        a merge or a clear removed (documents appear twice, deletions come back), so a changed
        index gets a new searcher and the old one is closed.
        """
        with self._lock:
            ix = self._index()
            if self._searcher is not None and not self._searcher.up_to_date():
                self._searcher.close()
                self._searcher = None
            if self._searcher is None:
                self._searcher = ix.searcher()
                self._generation = None
            return self._searcher

    def _bitmaps(self, searcher) -> _Generation:
        if self._generation is None:
            self._generation = _build_generation(searcher)
        return self._generation

    # -- writing

    def _write(self, work: Callable, **writer_args) -> None:
        """Run ``work(writer)`` and commit, retrying while another process holds the lock."""
        ix = self._index()
        for attempt in range(1, self.write_attempts + 1):
            try:
                writer = ix.writer(timeout=self.write_timeout, **writer_args)
            except whoosh_index.LockError:
                log.warning("search index locked (attempt %s of %s)", attempt, self.write_attempts)
                time.sleep(0.05 * attempt)
                continue
            try:
                commit_args = work(writer) or {}
            except BaseException:
                writer.cancel()
                raise
            writer.commit(**commit_args)
            return
        raise SearchUnavailable("The search index stayed locked; the change stays queued for a retry.")

    def sync(self, session, listing_ids) -> None:
        ids = set(listing_ids)
        docs = load_documents(session, ids)
        gone = ids - {d.id for d in docs}

        def work(writer):
            for doc in docs:
                writer.update_document(**to_fields(doc))
            for listing_id in gone:
                writer.delete_by_term("id", str(listing_id))

        self._write(work)

    def rebuild(self, session, batch_size: int, progress: Callable[[int], None], procs: int = 1) -> int:
        """Replace the index with every published listing, ending with one segment.

        One writer process builds one segment directly (on a two-core machine it beats
        several: the final merge of their segments costs more than the parallel analysis
        saves). With ``procs`` > 1, sub-writers each build a segment (``multisegment``) and
        a final ``optimize`` merges them, for machines with cores to spare.
        """
        count = 0

        def work(writer):
            nonlocal count
            for batch in iter_documents(session, batch_size):
                for doc in batch:
                    writer.add_document(**to_fields(doc))
                count += len(batch)
                progress(len(batch))
            return {"mergetype": writing.CLEAR}

        if procs > 1:
            self._write(work, procs=procs, multisegment=True, limitmb=1024)
            self.optimize()
        else:
            self._write(work, limitmb=1024)
        return count

    def optimize(self) -> None:
        """Merge every segment into one (spelling correction is much slower on many segments)."""
        self._write(lambda writer: {"optimize": True})

    def clear(self, session=None) -> None:
        self._write(lambda writer: {"mergetype": writing.CLEAR})

    def indexed_versions(self, session) -> dict[int, int]:
        with self._lock:
            searcher = self.searcher()
            return {int(f["id"]): f["version"] for f in searcher.all_stored_fields()}

    def doc_count(self) -> int:
        with self._lock:
            return self.searcher().doc_count()

    # -- reading

    def search(self, session, query: SearchQuery) -> SearchResult:
        with self._lock:
            searcher = self.searcher()
            gen = self._bitmaps(searcher)
            filters = self._filter_maps(gen, query)
            allowed = gen.live
            for mask in filters.values():
                allowed &= mask
            tq = text_query(query)
            scored = None
            if tq is None:
                matched = gen.live
            elif query.sort == "relevance":
                seen = bytearray(gen.size)
                collector = _MaskedTopCollector(
                    query.offset + query.page_size, allowed.to_bytes(gen.size, "little") if filters else None, seen
                )
                searcher.search_with_collector(tq, collector)
                matched = int.from_bytes(seen, "little") & gen.live
                scored = list(collector.results().items())[query.offset :]
            else:
                matched = _bytemap(searcher.docs_for_query(tq), gen.size) & gen.live
            base = matched & allowed
            total = base.bit_count()
            facets = self._facets(gen, matched, filters) if query.with_facets else {}
            if scored is None:
                scored = self._ordered_page(gen, query, base, total)
            hits = [Hit(int(searcher.stored_fields(d)["id"]), score) for d, score in scored]
            needed = tq is not None and query.parsed.may_need_suggestion(total)
            suggestion = self._suggest(searcher, query) if needed else None
            return SearchResult(hits=hits, total=total, facets=facets, suggestion=suggestion)

    def _filter_maps(self, gen: _Generation, query: SearchQuery) -> dict[str, int]:
        def union(facet, values):
            out = 0
            for value in values:
                out |= gen.maps[facet].get(str(value), 0)
            return out

        maps: dict[str, int] = {}
        for facet, values in query.active_filters().items():
            if facet == "express":
                maps[facet] = gen.maps["express"].get("1" if values else "0", 0)
            elif facet == "published":
                since = _epoch(query.published_since)
                maps[facet] = _bytemap((d for d in gen.newest if gen.published[d] >= since), gen.size)
            else:
                maps[facet] = union(facet, values)
        return maps

    def _facets(self, gen: _Generation, matched: int, filters: dict[str, int]) -> dict[str, dict[str, int]]:
        everything = matched
        for mask in filters.values():
            everything &= mask
        facets = {}
        for facet in FACETS:
            base = everything
            if facet in filters:  # counts reflect the other filters, not the facet's own
                base = matched
                for other, mask in filters.items():
                    if other != facet:
                        base &= mask
            counts = {}
            for value, mask in gen.maps[facet].items():
                n = (base & mask).bit_count()
                if n:
                    counts[value] = n
            facets[facet] = counts
        return facets

    def _ordered_page(self, gen: _Generation, query: SearchQuery, base: int, total: int) -> list:
        """One page of ``base`` in newest or TRL order (precomputed per index generation)."""
        if total <= query.offset:
            return []
        mask = base.to_bytes(gen.size, "little")
        wanted = query.offset + query.page_size
        picked = []
        for d in gen.by_trl if query.sort == "trl" else gen.newest:
            if mask[d]:
                picked.append(d)
                if len(picked) == wanted:
                    break
        return [(d, None) for d in picked[query.offset :]]

    def _suggest(self, searcher, query: SearchQuery) -> str | None:
        """The query with each word that matches nothing replaced by the closest indexed word."""
        corrector = None
        text = query.text
        changed = False
        for clause in query.parsed.clauses():
            if clause.kind != "term":
                continue
            for word in FOLD(clause.text):
                word = word.text
                stems = _stems(word)
                if not stems or any(searcher.doc_frequency(f, s) for f in TEXT_FIELDS for s in stems):
                    continue
                corrector = corrector or searcher.corrector("spell")
                suggestions = corrector.suggest(word, limit=1, maxdist=2, prefix=1)
                if suggestions and suggestions[0] != word:
                    text, changed = _replace_word(text, word, suggestions[0]), True
        return text if changed else None

    def matches(self, session, listing_id: int, queries: list[SearchQuery]) -> list[bool]:
        with self._lock:
            searcher = self.searcher()
            out = []
            for query in queries:
                parts = [Term("id", str(listing_id))]
                tq = text_query(query)
                if tq is not None:
                    parts.append(tq)
                parts.extend(filter_queries(query).values())
                out.append(any(True for _ in searcher.docs_for_query(And(parts))))
            return out

    def highlight(self, session, query: SearchQuery, listings) -> dict[int, dict[str, str]]:
        return {
            listing.id: highlight_listing(query, listing.title, listing.summary, listing.description or "")
            for listing in listings
        }


def _replace_word(text: str, word: str, replacement: str) -> str:
    """Replace the first word of ``text`` that folds to ``word`` (keeping the rest as typed)."""
    for m in re.finditer(r"\w+", text):
        if _fold(m.group()) == word:
            return text[: m.start()] + replacement + text[m.end() :]
    return text

