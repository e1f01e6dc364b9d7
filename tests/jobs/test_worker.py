"""A request records its work and returns; a real worker process (``huey_consumer``), on SQLite
storage or on Redis, does it: the approved listing becomes searchable and its email is delivered."""

from __future__ import annotations

from email import message_from_bytes
from pathlib import Path

import sqlalchemy as sa

from marketplace.core.outbox import pending_count
from marketplace.extensions import db
from marketplace.notifications.models import OutboundEmail
from tests.conftest import PASSWORD
from tests.jobs.conftest import wait_for

SEARCH = "/api/v1/search/listings"


def log_in(app, user):
    client = app.test_client()
    assert client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}).status_code == 200
    return client


def found(client, words: str) -> list[int]:
    return [hit["listing"]["id"] for hit in client.get(SEARCH, query_string={"q": words}).json["items"]]


def statuses() -> list[str]:
    db.session.rollback()  # a fresh snapshot
    return db.session.scalars(sa.select(OutboundEmail.status)).all()


def emails_in(folder: str) -> list:
    return [message_from_bytes(path.read_bytes()) for path in sorted(Path(folder).glob("*.eml"))]


def test_a_worker_process_does_the_work_an_approval_hands_over(queued_app, start_worker, make_org, make_user,
                                                             make_listing, admin):
    uni = make_org("university")
    manager = make_user(uni, role="manager")
    listing = make_listing(uni, "in_review", title="Quantum dot solar ink")
    admin_client, anonymous = log_in(queued_app, admin), queued_app.test_client()

    approved = admin_client.post(f"/api/v1/listings/{listing.id}/approve")
    assert approved.status_code == 200 and approved.json["status"] == "published"
    # the request only recorded the work: nothing is indexed or sent until a worker runs
    assert found(anonymous, "quantum solar ink") == []
    assert pending_count(db.session) == 1
    assert statuses() == ["queued"]
    assert emails_in(queued_app.config["EMAIL_FILES_DIR"]) == []

    start_worker()

    assert wait_for(lambda: found(anonymous, "quantum solar ink")) == [listing.id]
    [email] = wait_for(lambda: emails_in(queued_app.config["EMAIL_FILES_DIR"]))
    assert email["To"] == manager.email and "published" in email["Subject"].lower()
    assert wait_for(lambda: statuses() == ["sent"])  # the file is written just before the row commits
    assert pending_count(db.session) == 0
