"""Views of a listing: counted without writing on the request path, once per viewer per window,
recorded by a flush off the request path, and reported exactly by the listing's stats."""

from __future__ import annotations

import time
import pytest

from marketplace import create_app
from marketplace.core import deferred
from marketplace.core.db import utcnow
from marketplace.extensions import db
from tests.conftest import BrowserClient

BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"}


@pytest.fixture
def published(make_listing, uni, manager):
    return make_listing(uni, "published")


@pytest.fixture
def tto_client(login, manager):
    return login(manager)


def views(tto_client, listing) -> tuple[int, int]:
    """(the listing's view_count, today's views in its stats) as its university sees them."""
    today = utcnow().date().isoformat()
    count = tto_client.get(f"/api/v1/listings/{listing.id}").json["view_count"]
    stats = tto_client.get(f"/api/v1/listings/{listing.id}/stats?from={today}&to={today}")
    assert stats.status_code == 200, stats.json
    return count, stats.json["views"]


def test_a_view_is_recorded_by_the_flush_not_by_the_read(app, client, published, tto_client):
    assert client.get(f"/api/v1/listings/{published.id}", headers=BROWSER).status_code == 200
    assert views(tto_client, published) == (0, 0)
    assert deferred.flush(app) == {"listing views": 1}
    assert views(tto_client, published) == (1, 1)
    assert deferred.flush(app) == {}
    assert views(tto_client, published) == (1, 1)


def test_a_viewer_reading_in_a_loop_counts_once_per_window(app, client, company_client, published, tto_client):
    for _ in range(25):
        client.get(f"/api/v1/listings/{published.id}", headers=BROWSER)
        client.get(f"/api/v1/listings/by-slug/{published.slug}", headers=BROWSER)
        company_client.get(f"/api/v1/listings/{published.id}", headers={"User-Agent": f"bot {_}"})
    deferred.flush(app)
    for _ in range(5):  # the same viewers again after the flush, in the same window
        client.get(f"/api/v1/listings/{published.id}", headers=BROWSER)
        company_client.get(f"/api/v1/listings/{published.id}")
    deferred.flush(app)
    assert views(tto_client, published) == (2, 2)


def test_anonymous_viewers_are_told_apart_by_address_and_browser_up_to_a_cap(app, client, published, tto_client):
    cap = app.config["VIEW_MAX_AGENTS_PER_ADDRESS"]
    for n in range(cap + 10):
        client.get(f"/api/v1/listings/{published.id}", headers={"User-Agent": f"agent {n}"})
    other_address = app.test_client()
    other_address.get(f"/api/v1/listings/{published.id}", headers=BROWSER,
                      environ_base={"REMOTE_ADDR": "203.0.113.9"})
    deferred.flush(app)
    assert views(tto_client, published) == (cap + 1, cap + 1)


def test_the_universitys_own_reads_and_admins_reads_are_not_counted(app, tto_client, admin_client, published):
    tto_client.get(f"/api/v1/listings/{published.id}")
    admin_client.get(f"/api/v1/listings/{published.id}")
    assert deferred.flush(app) == {}
    assert views(tto_client, published) == (0, 0)
    db.session.refresh(published)
    assert published.version == 1


def test_a_view_counted_in_another_worker_process_is_not_counted_twice(app, session_app, client, published,
                                                                       tto_client):
    """Each worker process has its own buffer; the database's unique key de-duplicates between them."""
    other_worker = create_app(dict(session_app.config))
    other_worker.test_client_class = BrowserClient
    for worker in (session_app, other_worker):
        with worker.app_context():
            response = worker.test_client().get(f"/api/v1/listings/{published.id}", headers=BROWSER)
            assert response.status_code == 200
    with other_worker.app_context():
        assert deferred.flush(other_worker) == {"listing views": 1}
    assert deferred.flush(app) == {"listing views": 0}
    assert views(tto_client, published) == (1, 1)


def test_the_background_flusher_records_views_within_its_interval(app, session_app, published, tto_client):
    worker = create_app({**session_app.config, "DEFERRED_FLUSH_SECONDS": 0.05})
    try:
        with worker.app_context():
            assert worker.test_client().get(f"/api/v1/listings/{published.id}", headers=BROWSER).status_code == 200
        deadline = time.monotonic() + 10
        while views(tto_client, published) != (1, 1) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert views(tto_client, published) == (1, 1)
    finally:
        deferred.stop(worker)
