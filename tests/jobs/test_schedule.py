"""The periodic jobs: each is idempotent, and two runs at once (two machines) run it once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.core.audit import AuditEvent
from marketplace.core.db import utcnow
from marketplace.extensions import db
from marketplace.ip.licenses.models import License
from marketplace.jobs.schedule import SCHEDULE
from marketplace.notifications.models import Notification, OutboundEmail


@pytest.fixture
def ended_license(make_org, make_user):
    """An active license whose term ended yesterday, between two organizations with a manager each."""
    university, company = make_org("university"), make_org("company")
    make_user(university), make_user(company)
    today = utcnow().date()
    license = License(licensor_id=university.id, licensee_id=company.id, source_type="offer", exclusivity="non_exclusive",
                      fields=["LS.THER"], territories=["WORLDWIDE"], start_date=today - timedelta(days=400),
                      end_date=today - timedelta(days=1), status="active", currency="USD")
    db.session.add(license)
    db.session.commit()
    return license


def counts() -> tuple[int, int, int]:
    db.session.rollback()
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model))
                 for model in (AuditEvent, Notification, OutboundEmail))


def test_every_periodic_job_can_run_again_without_doing_anything_twice(app, ended_license):
    periodic = app.extensions["jobs"].periodic
    assert set(periodic) == {job.name for job in SCHEDULE}
    first = {name: task.call_local() for name, task in periodic.items()}
    assert first["licenses-expire"] == "1 license(s) expired"
    after_first = counts()
    reminded = int(first["reminders-send"].split()[0])  # e.g. the ended license's royalty report
    # the audit event; both managers notified of the expiry, and anyone reminded
    assert after_first[0] >= 1 and after_first[1] == 2 + reminded
    second = {name: task.call_local() for name, task in periodic.items()}
    assert second["licenses-expire"] == "0 license(s) expired"
    assert second["reminders-send"] == "0 reminder(s) sent"
    assert counts() == after_first
    db.session.expire_all()
    assert db.session.get(License, ended_license.id).status == "expired"


def hold_write_lock(table: str):
    """A transaction that keeps writers (and on PostgreSQL, readers) of ``table`` waiting until closed."""
    conn = db.engine.connect()
    conn.begin()
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"DELETE FROM {table} WHERE id = -1")  # takes SQLite's write lock
    else:
        conn.exec_driver_sql(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
    return conn


def test_two_runs_of_a_periodic_job_at_once_run_it_once(queued_app, ended_license):
    """Both runs start together while the database keeps writers waiting: the one that takes the
    job's lock in the queue's storage waits and then does the work; the other (as if on another
    machine) finds the lock taken and skips at once."""
    jobs = queued_app.extensions["jobs"]
    expire = jobs.periodic["licenses-expire"]
    start, one_returned = threading.Barrier(2), threading.Event()
    outcomes = []

    def run():
        start.wait()
        outcomes.append(expire.call_local())
        one_returned.set()

    blocker = hold_write_lock("licenses")
    try:
        runs = [threading.Thread(target=run) for _ in range(2)]
        for thread in runs:
            thread.start()
        one_returned.wait(timeout=3)  # the skipped run returns while the database is still locked
    finally:
        blocker.rollback()
        blocker.close()
    for thread in runs:
        thread.join(timeout=30)
    assert sorted(outcomes, key=str) == ["1 license(s) expired", None]
    assert not jobs.huey.is_locked("licenses-expire")
    assert counts()[1] == 2  # each manager told once
