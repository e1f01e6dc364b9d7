"""When the queue's storage is down, a request still succeeds: its outbox rows and queued emails
are in the database, and the periodic sweeps do the work once a worker runs again."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from marketplace import create_app
from marketplace.core.db import utcnow
from marketplace.core.outbox import pending_count
from marketplace.extensions import db
from marketplace.notifications.models import OutboundEmail
from tests.conftest import BrowserClient, app_config
from tests.jobs.test_worker import emails_in, found, log_in, statuses


def test_a_request_succeeds_with_the_queue_down_and_the_sweeps_catch_up(app, database_url, tmp_path, make_org,
                                                                     make_user, make_listing, admin):
    down = create_app(app_config(database_url, tmp_path) | {
        "JOBS_IMMEDIATE": False, "REDIS_URL": "redis://127.0.0.1:9/0",  # nothing listens there
        "SEARCH_INDEX_DIR": app.config["SEARCH_INDEX_DIR"], "EMAIL_FILES_DIR": app.config["EMAIL_FILES_DIR"],
    })
    down.test_client_class = BrowserClient
    uni = make_org("university")
    manager = make_user(uni, role="manager")
    listing = make_listing(uni, "in_review", title="Perovskite tandem cell")

    approved = log_in(down, admin).post(f"/api/v1/listings/{listing.id}/approve")

    assert approved.status_code == 200 and approved.json["status"] == "published"
    assert pending_count(db.session) == 1 and statuses() == ["queued"]
    # the queue is back: the sweeps find what the request recorded
    periodic = app.extensions["jobs"].periodic
    assert periodic["search-sync"].call_local() == "1 outbox event(s) processed, 0 failed"
    assert found(app.test_client(), "perovskite tandem") == [listing.id]
    assert periodic["emails-send"].call_local() == "0 email(s) sent, 0 failed"  # young: its own task may retry it
    db.session.execute(sa.update(OutboundEmail).values(created_at=utcnow() - timedelta(minutes=20)))
    db.session.commit()
    assert periodic["emails-send"].call_local() == "1 email(s) sent, 0 failed"
    [email] = emails_in(app.config["EMAIL_FILES_DIR"])
    assert email["To"] == manager.email
    with down.app_context():
        db.engine.dispose()
