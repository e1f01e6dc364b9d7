"""Outbox consumers: keep the index in step with listings, then alert saved searches."""

from __future__ import annotations

from marketplace.core.outbox import register_consumer
from marketplace.search import alerts
from marketplace.search.backends import get_backend

LISTING_TOPICS = ("listing.published", "listing.unpublished", "listing.updated")


def index_listings(session, events) -> None:
    """Index or drop the listings the events are about (what to do is read from the database)."""
    ids = {e.aggregate_id for e in events if e.aggregate_type == "listing"}
    if ids:
        get_backend().sync(session, ids)


def alert_saved_searches(session, events) -> None:
    """Run the alert-enabled saved searches against each just-published listing."""
    ids = {e.aggregate_id for e in events if e.aggregate_type == "listing"}
    if ids:
        alerts.alert_on_published(session, ids)


def register() -> None:
    # Order matters: the alerts query the index the first consumer just updated.
    register_consumer("search.index", index_listings, LISTING_TOPICS)
    register_consumer("search.alerts", alert_saved_searches, ("listing.published",))
