"""Anonymous public reads are answered from a short-lived per-process cache with HTTP caching headers;
logged-in and bearer readers always get fresh answers; views are still counted on cache hits."""

from __future__ import annotations

import pytest

from marketplace.core import deferred, http_cache
from tests.core.test_reads_never_write import writes_recorded


@pytest.fixture
def public_cache(app):
    app.config["PUBLIC_CACHE_SECONDS"] = 60
    yield
    app.config["PUBLIC_CACHE_SECONDS"] = 0
    http_cache.clear(app)


@pytest.fixture
def listing(make_org, make_user, make_listing):
    uni = make_org("university")
    make_user(org=uni)
    return make_listing(uni, "published")


def test_an_anonymous_read_is_answered_from_the_cache_with_public_caching_headers(app, client, listing,
                                                                                  public_cache):
    path = f"/api/v1/listings/{listing.id}"
    first = client.get(path)
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "public, max-age=60"
    assert first.headers["Vary"] == "Authorization, Cookie"
    etag = first.headers["ETag"]
    from sqlalchemy import event

    from marketplace.extensions import db

    statements = []

    def listener(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        again = client.get(path)
        revalidated = client.get(path, headers={"If-None-Match": etag})
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert statements == []
    assert (again.status_code, again.data, again.headers["ETag"]) == (200, first.data, etag)
    assert (revalidated.status_code, revalidated.data) == (304, b"")


def test_views_answered_from_the_cache_are_still_counted(app, client, listing, public_cache):
    path = f"/api/v1/listings/{listing.id}"
    for agent in ("first browser", "second browser", "second browser", "third browser"):
        assert client.get(path, headers={"User-Agent": agent}).status_code == 200
    with writes_recorded() as writes:
        client.get(path, headers={"User-Agent": "fourth browser"})
    assert writes == []
    assert deferred.flush(app) == {"listing views": 4}


def test_logged_in_and_bearer_readers_never_get_a_cached_answer(app, client, listing, public_cache, login,
                                                                 make_user):
    from marketplace.extensions import db

    reader = login(make_user(kind="company"))
    token = reader.post("/api/v1/auth/tokens", json={"name": "t"}).json["token"]
    for path in (f"/api/v1/listings/{listing.id}", "/api/v1/listings", "/api/v1/search/listings?q=therapy"):
        assert client.get(path).status_code == 200
    listing.title = "A renamed therapy"
    db.session.commit()
    cached = client.get(f"/api/v1/listings/{listing.id}")
    assert cached.json["title"] != "A renamed therapy"  # up to PUBLIC_CACHE_SECONDS old, as documented
    fresh = reader.get(f"/api/v1/listings/{listing.id}")
    assert fresh.json["title"] == "A renamed therapy" and "public" not in fresh.headers["Cache-Control"]
    bearer = app.test_client().get(f"/api/v1/listings/{listing.id}", headers={"Authorization": f"Bearer {token}"})
    assert bearer.json["title"] == "A renamed therapy"
    assert reader.get("/api/v1/listings").json["items"][0]["title"] == "A renamed therapy"
    http_cache.clear(app)
    assert client.get(f"/api/v1/listings/{listing.id}").json["title"] == "A renamed therapy"


def test_answers_other_than_200_are_not_cached(app, client, make_org, make_listing, public_cache):
    from marketplace.extensions import db

    draft = make_listing(make_org("university"), "draft")
    assert client.get(f"/api/v1/listings/{draft.id}").status_code == 404
    draft.status = "published"
    db.session.commit()
    assert client.get(f"/api/v1/listings/{draft.id}").status_code == 200
