"""The embedded default under concurrency: 16 writers and 64 readers through a real threaded HTTP
server on the test database (a SQLite file by default) get no error: writes wait for the lock,
reads never take it."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections import Counter

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from marketplace.deals.inquiries.models import InquiryMessage
from marketplace.extensions import db
from marketplace.listings.models import Listing

WRITERS = 16
READERS = 64
WRITES_EACH = 4
READS_EACH = 6


@pytest.fixture
def served(session_app, app):
    server = make_server("127.0.0.1", 0, session_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


def _call(base: str, method: str, path: str, token: str | None = None, body: dict | None = None,
          agent: str = "reader") -> int:
    headers = {"User-Agent": agent, "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _token(client) -> str:
    return client.post("/api/v1/auth/tokens", json={"name": "load"}).json["token"]


def test_sixteen_writers_and_sixty_four_readers_at_once_get_no_error(served, make_org, make_user, make_listing,
                                                                      login):
    uni = make_org("university")
    staff = make_user(org=uni)
    listings = [make_listing(uni, "published") for _ in range(3)]
    staff_token = _token(login(staff))
    buyer = login(make_user(kind="company"))
    buyer_token = _token(buyer)
    inquiry = buyer.post("/api/v1/inquiries", json={"listing_id": listings[0].id, "subject": "Terms?",
                                                     "message": "What would a license cost?"}).json
    reads = [f"/api/v1/listings/{listings[1].id}", "/api/v1/listings", "/api/v1/search/listings?q=therapy",
             f"/api/v1/listings/by-slug/{listings[2].slug}"]
    barrier = threading.Barrier(WRITERS + READERS)
    statuses: Counter = Counter()
    lock = threading.Lock()

    def record(kind: str, status: int) -> None:
        with lock:
            statuses[(kind, status)] += 1

    def writer(n: int) -> None:
        barrier.wait(timeout=60)
        for i in range(WRITES_EACH):
            if n % 2:
                status = _call(served, "POST", "/api/v1/listings", staff_token, {
                    "title": f"Draft {n}-{i}", "summary": "Written under load.", "trl": 3,
                    "development_stage": "prototype", "fields": ["LS.THER"], "opportunity_types": ["license"],
                })
            else:
                status = _call(served, "POST", f"/api/v1/inquiries/{inquiry['id']}/messages", buyer_token,
                               {"body": f"Message {n}-{i}"})
            record("write", status)

    def reader(n: int) -> None:
        barrier.wait(timeout=60)
        for i in range(READS_EACH):
            record("read", _call(served, "GET", reads[(n + i) % len(reads)], agent=f"reader {n}"))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    threads += [threading.Thread(target=reader, args=(n,)) for n in range(READERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    db.session.rollback()  # the test's own snapshot predates the load
    assert dict(statuses) == {("write", 201): WRITERS * WRITES_EACH, ("read", 200): READERS * READS_EACH}
    drafts = db.session.execute(sa.select(sa.func.count()).where(Listing.status == "draft")).scalar_one()
    messages = db.session.execute(sa.select(sa.func.count()).select_from(InquiryMessage)).scalar_one()
    assert (drafts, messages) == (WRITERS // 2 * WRITES_EACH, 1 + WRITERS // 2 * WRITES_EACH)
