"""Index sync through the outbox: drained after commit, failures kept for retry, CLI commands."""

from __future__ import annotations

import sqlalchemy as sa

from marketplace.core import outbox
from marketplace.core.outbox import OutboxEvent, emit
from marketplace.core.transaction import commit
from marketplace.extensions import db
from marketplace.search.backends import get_backend
from tests.search.conftest import ids

URL = "/api/v1/search/listings"


def pending():
    return (
        db.session.execute(sa.select(OutboxEvent).where(OutboxEvent.processed_at.is_(None)).order_by(OutboxEvent.id))
        .scalars()
        .all()
    )


def test_events_are_drained_after_commit(search_backend, publish):
    listing = publish("Graphene ink")
    event = db.session.execute(sa.select(OutboxEvent)).scalar_one()
    assert event.processed_at is not None and event.attempts == 1 and event.last_error is None
    assert listing.id in search_backend.indexed_versions(db.session)


def test_events_of_a_rolled_back_transaction_are_never_drained(search_backend, publish):
    listing = publish("Graphene ink", status="draft")
    listing.status = "published"
    emit(db.session, "listing.published", "listing", listing.id)
    db.session.rollback()
    assert pending() == [] and search_backend.indexed_versions(db.session) == {}


def test_a_failing_consumer_leaves_the_event_pending_and_sync_retries_it(
    app, client, search_backend, publish, monkeypatch
):
    calls = []

    def broken(session, events):
        calls.append([e.aggregate_id for e in events])
        raise RuntimeError("index unavailable")

    monkeypatch.setattr(outbox, "_consumers", [outbox.Consumer("broken", broken)] + outbox.consumers())
    listing = publish("Graphene ink")
    [event] = pending()
    assert event.attempts == 1 and "index unavailable" in event.last_error
    assert ids(client.get(URL, query_string={"q": "graphene"})) == []
    monkeypatch.undo()
    result = app.test_cli_runner().invoke(args=["search", "sync"])
    assert result.exit_code == 0 and "1 events processed, 0 failed, 0 pending" in result.output
    assert pending() == []
    assert ids(client.get(URL, query_string={"q": "graphene"})) == [listing.id]


def test_one_bad_event_does_not_hold_back_the_others(search_backend, publish, monkeypatch):
    good = publish("Graphene ink", status="draft")
    bad = publish("Perovskite ink", status="draft")
    bad_id = bad.id  # the consumer runs in the worker's session, not the test's

    def picky(session, events):
        if any(e.aggregate_id == bad_id for e in events):
            raise ValueError("cannot index this one")

    monkeypatch.setattr(outbox, "_consumers", outbox.consumers() + [outbox.Consumer("picky", picky)])
    for listing in (good, bad):
        listing.status = "published"
        emit(db.session, "listing.published", "listing", listing.id)
    commit()
    [left] = pending()
    assert left.aggregate_id == bad.id and left.attempts == 1 and "cannot index" in left.last_error
    assert good.id in search_backend.indexed_versions(db.session)


def test_sync_reports_events_that_still_fail(app, search_backend, publish, monkeypatch):
    def broken(session, events):
        raise RuntimeError("still down")

    monkeypatch.setattr(outbox, "_consumers", [outbox.Consumer("broken", broken)])
    publish("Graphene ink")
    result = app.test_cli_runner().invoke(args=["search", "sync"])
    assert result.exit_code == 1 and "0 events processed, 1 failed, 1 pending" in result.output
    assert "still down" in result.output
    assert pending()[0].attempts == 2


def test_check_reports_drift_and_reindex_rebuilds_from_the_database(app, client, search_backend, publish):
    runner = app.test_cli_runner()
    indexed = publish("Graphene ink")
    stale = publish("Perovskite ink")
    missing = publish("Quantum dots", status="draft")
    gone = publish("Solid state battery")
    missing.status = "published"  # published behind the outbox's back
    stale.title, stale.version = "Perovskite paint", stale.version + 1
    gone.status = "archived"
    db.session.commit()
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1
    assert "3 published listings, 3 indexed." in result.output
    assert f"1 missing: {missing.id}" in result.output
    assert f"1 stale: {stale.id}" in result.output
    assert f"1 not published but indexed: {gone.id}" in result.output
    result = runner.invoke(args=["search", "reindex", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert "Indexing listings" in result.output and "Indexed 3 listings" in result.output
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 0 and "in step" in result.output
    assert sorted(ids(client.get(URL))) == sorted([indexed.id, stale.id, missing.id])
    assert ids(client.get(URL, query_string={"q": "paint"})) == [stale.id]


def test_check_fix_resyncs_the_drifted_listings(app, search_backend, publish):
    listing = publish("Graphene ink")
    listing.title, listing.version = "Graphene paint", listing.version + 1
    db.session.commit()
    runner = app.test_cli_runner()
    assert "Re-synced 1 listings" in runner.invoke(args=["search", "check", "--fix"]).output
    assert runner.invoke(args=["search", "check"]).exit_code == 0


def test_unknown_backend_name_is_a_clear_error(app):
    import pytest

    app.config["SEARCH_BACKEND"] = "elastic"
    try:
        with pytest.raises(ValueError, match="Unknown SEARCH_BACKEND"):
            get_backend(app)
    finally:
        app.config["SEARCH_BACKEND"] = "whoosh"


def test_seed_demo_brings_the_index_in_step(app, search_backend, publish):
    listing = publish("Graphene ink", status="draft")
    listing.status = "published"
    db.session.commit()
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    assert listing.id in search_backend.indexed_versions(db.session)
    assert app.test_cli_runner().invoke(args=["search", "check"]).exit_code == 0
