"""A GET never writes to the database on the request path: bookkeeping (view counts, API tokens'
last use) is buffered in the process and flushed off the request path."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from marketplace.extensions import db

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|UPSERT|MERGE)\b", re.IGNORECASE)


@contextmanager
def writes_recorded():
    """The INSERT/UPDATE/DELETE statements any connection of the app runs inside the block."""
    statements: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        if WRITE.match(statement):
            statements.append(statement.split("\n")[0][:120])

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


@pytest.fixture
def reader_world(app, make_org, make_user, make_listing, login):
    """A published listing, a company user with a cookie client and a Bearer client, a notification."""
    from marketplace.notifications.models import Notification

    uni = make_org("university")
    make_user(org=uni)
    listing = make_listing(uni, "published")
    company_user = make_user(kind="company")
    cookie = login(company_user)
    token = cookie.post("/api/v1/auth/tokens", json={"name": "reader"}).json["token"]
    db.session.add(Notification(user_id=company_user.id, kind="test", title="Hello", body="A notice"))
    db.session.commit()
    bearer = app.test_client()
    bearer.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return listing, cookie, bearer


def _public_reads(listing) -> list[str]:
    return [
        f"/api/v1/listings/{listing.id}",
        f"/api/v1/listings/by-slug/{listing.slug}",
        "/api/v1/listings",
        "/api/v1/listings?page=2",
        "/api/v1/search/listings?q=therapy",
    ]


def test_public_and_authenticated_gets_execute_no_insert_update_or_delete(app, client, reader_world):
    listing, cookie, bearer = reader_world
    paths = _public_reads(listing) + ["/api/v1/auth/me", "/api/v1/notifications", "/api/v1/notifications/unread-count"]
    with writes_recorded() as writes:
        for path in _public_reads(listing):
            assert client.get(path).status_code == 200, path
        for caller in (cookie, bearer):
            for path in paths:
                assert caller.get(path).status_code == 200, path
    assert writes == []


def test_every_get_endpoint_without_parameters_executes_no_write(app, client, reader_world, admin_client):
    _listing, cookie, bearer = reader_world
    paths = sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith("/static")
    )
    assert len(paths) > 20
    with writes_recorded() as writes:
        for caller in (client, cookie, bearer, admin_client):
            for path in paths:
                assert caller.get(path).status_code < 500, path
    assert writes == []


def test_a_bearer_tokens_last_use_is_recorded_by_the_flush_not_by_the_request(app, reader_world):
    from marketplace.core import deferred

    _listing, cookie, bearer = reader_world
    assert bearer.get("/api/v1/auth/me").status_code == 200
    assert cookie.get("/api/v1/auth/tokens").json[0]["last_used_at"] is None
    deferred.flush(app)
    assert cookie.get("/api/v1/auth/tokens").json[0]["last_used_at"] is not None
