"""The ``SearchBackend`` protocol and the configured backend (``SEARCH_BACKEND``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Protocol

from flask import current_app

from marketplace.search.query import SearchQuery


@dataclass
class Hit:
    listing_id: int
    score: float | None


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int
    #: ``{facet: {value: count}}`` (values as strings), counted with every filter but the facet's own
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    #: the query with misspelt words corrected, when some word matches nothing
    suggestion: str | None = None


class SearchUnavailable(RuntimeError):
    """The index could not be written (e.g. the writer lock stayed taken); the caller retries."""


class SearchBackend(Protocol):
    name: str

    def sync(self, session, listing_ids) -> None:
        """Make the index agree with the database for these listings (index published, drop others)."""

    def rebuild(self, session, batch_size: int, progress: Callable[[int], None]) -> int:
        """Rebuild the whole index from the database; returns how many listings it holds."""

    def clear(self, session) -> None:
        """Empty the index."""

    def indexed_versions(self, session) -> dict[int, int]:
        """``{listing_id: version}`` for every indexed listing."""

    def search(self, session, query: SearchQuery) -> SearchResult:
        """Run a search: one page of hits, the total, facet counts and a suggestion."""

    def matches(self, session, listing_id: int, queries: list[SearchQuery]) -> list[bool]:
        """For each query, whether it finds this (indexed) listing."""

    def highlight(self, session, query: SearchQuery, listings) -> dict[int, dict[str, str]]:
        """HTML snippets (escaped, matches in ``<mark>``) of title, summary or description, by listing id."""


def create_backend(app) -> SearchBackend:
    name = app.config.get("SEARCH_BACKEND", "whoosh")
    if name == "whoosh":
        from marketplace.search.backends.whoosh import WhooshBackend

        return WhooshBackend(
            app.config["SEARCH_INDEX_DIR"],
            write_timeout=float(app.config.get("SEARCH_WRITE_TIMEOUT", 10)),
        )
    if name == "postgres":
        from marketplace.search.backends.postgres import PostgresBackend

        return PostgresBackend()
    raise ValueError(f"Unknown SEARCH_BACKEND {name!r}: use 'whoosh' or 'postgres'.")


def get_backend(app=None) -> SearchBackend:
    """The app's backend, created once per process and per configured name."""
    app = app or current_app._get_current_object()
    backends = app.extensions.setdefault("search_backends", {})
    key = (app.config.get("SEARCH_BACKEND", "whoosh"), app.config.get("SEARCH_INDEX_DIR"))
    if key not in backends:
        backends[key] = create_backend(app)
    return backends[key]
