"""The embedded backend: a Whoosh index on disk (``SEARCH_INDEX_DIR``), safe for several processes.

Only the API shared by every Whoosh 2.7-compatible distribution is used. Reading keeps one
searcher per process and replaces it when another writer committed. Facet counts, filters and
the total come from bitmaps (one byte per document, held in Python ints; cached per segment) so
a query runs the text matcher once, scored, never a second time to count, and counting a facet
is an ``&`` and a ``bit_count``. Writes take the index lock with a timeout and retry; a write that still fails
raises, so the outbox keeps the event for a later drain.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from typing import Callable

from whoosh import index as whoosh_index
from whoosh import writing
from whoosh.filedb.filestore import FileStorage
from whoosh.query import And, Term

from marketplace.search.backends import Hit, SearchResult, SearchUnavailable
from marketplace.search.backends.whoosh.analysis import fold_terms, stem_terms
from marketplace.search.backends.whoosh.bitmaps import Generation, MaskedTopCollector, build_generation, bytemap
from marketplace.search.backends.whoosh.bulk import rebuild_writer
from marketplace.search.backends.whoosh.highlight import highlight_listing, highlight_terms
from marketplace.search.backends.whoosh.prefixes import prefix_words
from marketplace.search.backends.whoosh.queries import filter_queries, fold_text, text_query
from marketplace.search.backends.whoosh.rebuild import add_listings
from marketplace.search.backends.whoosh.schema import TEXT_FIELDS, epoch, make_schema, to_fields
from marketplace.search.documents import load_documents, published_id_ranges
from marketplace.search.query import FACETS, SearchQuery

log = logging.getLogger(__name__)

#: listings from which a rebuild uses a worker process per core (below, starting them costs more)
PARALLEL_FROM = 5_000


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
        self._generation: Generation | None = None
        #: per-segment maps, reused while the segment lives
        self._segments: dict = {}

    # -- index and searcher

    def _index(self):
        if self._pid != os.getpid():  # forked: never share file handles with the parent
            self._pid, self._ix, self._searcher, self._generation = os.getpid(), None, None, None
            self._segments = {}
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

    def _bitmaps(self, searcher) -> Generation:
        if self._generation is None:
            self._generation = build_generation(searcher, self._segments)
        return self._generation

    # -- writing

    def _write(self, work: Callable, make_writer: Callable | None = None, **writer_args) -> None:
        """Run ``work(writer)`` and commit, retrying while another process holds the lock."""
        ix = self._index()
        make_writer = make_writer or (lambda ix, **args: ix.writer(**args))
        for attempt in range(1, self.write_attempts + 1):
            try:
                writer = make_writer(ix, timeout=self.write_timeout, **writer_args)
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

    def rebuild(
        self,
        session,
        batch_size: int,
        progress: Callable[[int], None],
        memory_mb: int = 2048,
        procs: int | None = None,
    ) -> int:
        """Replace the index with every published listing, in one segment, in one commit.

        The bulk writer (``bulk.py``) writes the segment Whoosh's writer would, without sorting,
        spilling and re-merging every posting; it keeps about ``memory_mb`` of postings in
        memory (roughly 1.5 GB for 100,000 listings) and spills to temporary files past that.
        With ``procs`` > 1 (by default, one per core for ``PARALLEL_FROM`` listings or more),
        ``procs - 1`` worker processes analyze listings for it (``rebuild.py``).
        """
        ranges = published_id_ranges(session, batch_size)
        if procs is None:
            procs = (os.cpu_count() or 1) if len(ranges) * batch_size >= PARALLEL_FROM else 1
        workers = min(procs - 1, len(ranges) - 1)
        count = 0

        def work(writer):
            nonlocal count
            count = add_listings(writer, session, ranges, workers, progress)
            return {"mergetype": writing.CLEAR}

        self._write(work, make_writer=rebuild_writer, limitmb=memory_mb)
        return count

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
                collector = MaskedTopCollector(
                    query.offset + query.page_size, allowed.to_bytes(gen.size, "little") if filters else None, seen
                )
                searcher.search_with_collector(tq, collector)
                matched = int.from_bytes(seen, "little") & gen.live
                scored = list(collector.results().items())[query.offset :]
            else:
                matched = bytemap(searcher.docs_for_query(tq), gen.size) & gen.live
            base = matched & allowed
            total = base.bit_count()
            facets = self._facets(gen, matched, filters) if query.with_facets else {}
            if scored is None:
                scored = self._ordered_page(gen, query, base, total)
            hits = [Hit(int(searcher.stored_fields(d)["id"]), score) for d, score in scored]
            needed = tq is not None and query.parsed.may_need_suggestion(total)
            suggestion = self._suggest(searcher, query) if needed else None
            return SearchResult(hits=hits, total=total, facets=facets, suggestion=suggestion)

    def _filter_maps(self, gen: Generation, query: SearchQuery) -> dict[str, int]:
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
                since = epoch(query.published_since)
                recent = []
                for d in gen.order("newest"):
                    if gen.published[d] < since:
                        break
                    recent.append(d)
                maps[facet] = bytemap(recent, gen.size)
            else:
                maps[facet] = union(facet, values)
        return maps

    def _facets(self, gen: Generation, matched: int, filters: dict[str, int]) -> dict[str, dict[str, int]]:
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

    def _ordered_page(self, gen: Generation, query: SearchQuery, base: int, total: int) -> list:
        """One page of ``base`` in newest or TRL order (precomputed per index generation)."""
        if total <= query.offset:
            return []
        mask = base.to_bytes(gen.size, "little")
        wanted = query.offset + query.page_size
        picked = []
        for d in gen.order(query.sort):
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
            for word in fold_terms(clause.text):
                stems = stem_terms(word)
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
        with self._lock:
            reader = self.searcher().reader()
            stems = highlight_terms(query, lambda prefix: prefix_words(reader, prefix, query.parsed.prefix_words))
        return {
            listing.id: highlight_listing(stems, listing.title, listing.summary, listing.description or "")
            for listing in listings
        }


def _replace_word(text: str, word: str, replacement: str) -> str:
    """Replace the first word of ``text`` that folds to ``word`` (keeping the rest as typed)."""
    for m in re.finditer(r"\w+", text):
        if fold_text(m.group()) == word:
            return text[: m.start()] + replacement + text[m.end() :]
    return text
