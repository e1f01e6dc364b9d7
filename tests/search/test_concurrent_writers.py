"""Several processes (gunicorn workers) publishing at once lose no index update (whoosh)."""

from __future__ import annotations

import multiprocessing

import sqlalchemy as sa

from marketplace.core.outbox import OutboxEvent
from marketplace.extensions import db
from tests.search.conftest import ids

WORKERS = 4
PER_WORKER = 6


def publish_from_worker(config: dict, university_id: int, worker: int, barrier) -> None:
    """A separate process: its own app, database connection and index writer."""
    from marketplace import create_app
    from marketplace.core.db import utcnow
    from marketplace.core.outbox import emit
    from marketplace.core.transaction import commit
    from marketplace.listings.models import Listing

    app = create_app(config)
    with app.app_context():
        barrier.wait(timeout=60)
        for n in range(PER_WORKER):
            listing = Listing(
                university_id=university_id,
                slug=f"w{worker}-{n}",
                title=f"Concurrent graphene {worker} {n}",
                summary="Published from several processes.",
                trl=4,
                development_stage="prototype",
                opportunity_types=["license"],
                status="published",
                published_at=utcnow(),
            )
            db.session.add(listing)
            db.session.flush()
            emit(db.session, "listing.published", "listing", listing.id)
            commit()
        db.session.remove()
        db.engine.dispose()


def test_listings_published_from_several_processes_at_once_are_all_found(app, client, whoosh_backend, university):
    config = {
        key: app.config[key]
        for key in (
            "TESTING",
            "SECRET_KEY",
            "SQLALCHEMY_DATABASE_URI",
            "SEARCH_INDEX_DIR",
            "PASSWORD_HASH_TIME_COST",
            "PASSWORD_HASH_MEMORY_COST",
            "RATELIMIT_STORAGE_URI",
            "JOBS_IMMEDIATE",  # each process drains its own events inline, as a worker would
            "EMAIL_BACKEND",
            "EMAIL_FILES_DIR",
        )
    }
    config.update(SEARCH_BACKEND="whoosh")
    db.session.commit()
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(WORKERS)
    workers = [
        ctx.Process(target=publish_from_worker, args=(config, university.id, w, barrier)) for w in range(WORKERS)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0] * WORKERS
    pending = db.session.execute(sa.select(sa.func.count()).where(OutboxEvent.processed_at.is_(None))).scalar_one()
    assert pending == 0
    found = ids(client.get("/api/v1/search/listings", query_string={"q": "concurrent graphene", "page_size": 100}))
    assert len(found) == WORKERS * PER_WORKER == len(set(found))
    assert app.test_cli_runner().invoke(args=["search", "check"]).exit_code == 0
