"""Assertions and look-ups shared by the tests."""

from __future__ import annotations

import threading
from contextlib import contextmanager

import sqlalchemy as sa
from werkzeug.serving import make_server

from marketplace.extensions import db


def outbox(to: str | None = None, category: str | None = None):
    """Emails queued so far (newest last)."""
    from marketplace.notifications.models import OutboundEmail

    stmt = sa.select(OutboundEmail).order_by(OutboundEmail.id)
    if to:
        stmt = stmt.where(OutboundEmail.to_address == to)
    if category:
        stmt = stmt.where(OutboundEmail.category == category)
    return db.session.execute(stmt).scalars().all()


def token_from(email) -> str:
    """The secret token written on its own indented line of an email body."""
    for line in email.body.splitlines():
        if line.startswith("    ") and line.strip():
            return line.strip()
    raise AssertionError("no token in email")


def assert_problem(response, status: int, *fields: str):
    """The response is problem+json with ``status`` and names each of ``fields`` in ``errors``."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["status"] == status
    assert body["type"] and body["title"] and body["detail"]
    for field in fields:
        assert field in body.get("errors", {}), body
    return body


def outbox_events(listing_id: int | None = None) -> list[tuple[str, int]]:
    """``(topic, aggregate_id)`` of the outbox events written so far (about one listing), oldest first."""
    from marketplace.core.outbox import OutboxEvent

    stmt = sa.select(OutboxEvent.topic, OutboxEvent.aggregate_id).order_by(OutboxEvent.id)
    if listing_id is not None:
        stmt = stmt.where(OutboxEvent.aggregate_type == "listing", OutboxEvent.aggregate_id == listing_id)
    return [tuple(row) for row in db.session.execute(stmt).all()]


def at_once(*calls) -> list:
    """Run the calls (no-argument callables) in threads released together by a barrier; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        barrier.wait(timeout=30)
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@contextmanager
def served(app):
    """Serve ``app`` over HTTP on a free loopback port from a thread of this process; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
