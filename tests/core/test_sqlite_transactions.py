"""SQLite: a writing request that read first still gets the write lock when another connection
committed in between (it waits for the lock instead of failing with "database is locked")."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import Organization
from marketplace.extensions import db


@pytest.fixture
def on_sqlite(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite transaction modes")


def test_a_post_that_reads_then_writes_waits_for_a_concurrent_writer_instead_of_failing(app, on_sqlite, make_org):
    first, second = make_org("university").id, make_org("company").id
    db.session.commit()
    db.session.remove()
    engine = db.engine
    other_writer_done = threading.Event()
    errors = []

    def other_writer():
        try:
            with engine.begin() as conn:  # no request: a deferred transaction, as a CLI command
                conn.execute(sa.update(Organization).where(Organization.id == second).values(name="Renamed by B"))
        except sa.exc.OperationalError as exc:  # pragma: no cover - what the old deferred BEGIN caused
            errors.append(exc)
        finally:
            other_writer_done.set()

    with app.test_request_context("/api/v1/anything", method="POST"):
        db.session.get(Organization, first)  # the request reads first ...
        thread = threading.Thread(target=other_writer)
        thread.start()
        # ... the other connection waits for the lock the request took (deferred, it would commit now)
        assert not other_writer_done.wait(0.5)
        db.session.execute(sa.update(Organization).where(Organization.id == first).values(name="Renamed by A"))
        db.session.commit()  # ... then writes and commits without "database is locked"
        db.session.remove()
    thread.join(timeout=15)
    assert errors == []
    names = dict(db.session.execute(sa.select(Organization.id, Organization.name)).all())
    assert (names[first], names[second]) == ("Renamed by A", "Renamed by B")


def test_a_get_request_reads_without_taking_the_write_lock(app, on_sqlite, make_org):
    org = make_org("university").id
    db.session.commit()
    db.session.remove()
    with app.test_request_context("/api/v1/anything", method="GET"):
        db.session.get(Organization, org)
        with db.engine.begin() as conn:  # another writer is not kept waiting by a reader
            conn.execute(sa.update(Organization).where(Organization.id == org).values(name="Renamed"))
        db.session.remove()
    assert db.session.get(Organization, org).name == "Renamed"
