"""Whoosh writes under a held lock: they wait, retry, and at worst stay queued in the outbox."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from marketplace.core.outbox import OutboxEvent
from marketplace.extensions import db
from tests.search.conftest import ids


def test_a_write_waits_for_the_lock_another_writer_holds(client, whoosh_backend, publish):
    holder = whoosh_backend._index().writer()
    threading.Timer(0.5, holder.cancel).start()  # another process finishing its commit
    listing = publish("Graphene ink")
    assert db.session.execute(sa.select(OutboxEvent.processed_at)).scalar_one() is not None
    assert ids(client.get("/api/v1/search/listings", query_string={"q": "graphene"})) == [listing.id]


def test_a_write_that_never_gets_the_lock_stays_queued_for_sync(app, client, whoosh_backend, publish, monkeypatch):
    monkeypatch.setattr(whoosh_backend, "write_timeout", 0.05)
    monkeypatch.setattr(whoosh_backend, "write_attempts", 2)
    holder = whoosh_backend._index().writer()
    try:
        listing = publish("Graphene ink")
        event = db.session.execute(sa.select(OutboxEvent)).scalar_one()
        assert event.processed_at is None and "stayed locked" in event.last_error
    finally:
        holder.cancel()
    assert app.test_cli_runner().invoke(args=["search", "sync"]).exit_code == 0
    assert ids(client.get("/api/v1/search/listings", query_string={"q": "graphene"})) == [listing.id]


def test_the_searcher_is_kept_until_the_index_changes(client, whoosh_backend, publish):
    publish("Graphene ink")
    client.get("/api/v1/search/listings", query_string={"q": "graphene"})
    first = whoosh_backend.searcher()
    client.get("/api/v1/search/listings", query_string={"q": "ink"})
    assert whoosh_backend.searcher() is first
    publish("Perovskite ink")
    assert whoosh_backend.searcher() is not first
    assert len(ids(client.get("/api/v1/search/listings", query_string={"q": "ink"}))) == 2
