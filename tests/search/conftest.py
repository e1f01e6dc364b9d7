"""Search fixtures: the backend under test (whoosh always; postgres on PostgreSQL) and a factory
that publishes a listing the way the listings services do (row + outbox event, one commit)."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

import pytest
import sqlalchemy as sa

from marketplace.core.db import utcnow
from marketplace.core.outbox import emit
from marketplace.core.transaction import commit
from marketplace.extensions import db
from marketplace.ip.models import IPAsset
from marketplace.listings.models import ExpressLicense, Listing
from marketplace.search.backends import get_backend

_seq = count(1)


def on_postgres(app) -> bool:
    return db.engine.dialect.name == "postgresql"


@pytest.fixture(params=["whoosh", "postgres"])
def search_backend(request, app):
    """The backend under test, emptied; postgres only when the tests run on PostgreSQL."""
    if request.param == "postgres" and not on_postgres(app):
        pytest.skip("the postgres search backend needs TEST_DATABASE_URL on PostgreSQL")
    previous = app.config["SEARCH_BACKEND"]
    app.config["SEARCH_BACKEND"] = request.param
    backend = get_backend(app)
    backend.clear(db.session)
    db.session.commit()
    yield backend
    app.config["SEARCH_BACKEND"] = previous


@pytest.fixture
def whoosh_backend(app):
    previous = app.config["SEARCH_BACKEND"]
    app.config["SEARCH_BACKEND"] = "whoosh"
    backend = get_backend(app)
    backend.clear(db.session)
    yield backend
    app.config["SEARCH_BACKEND"] = previous


@pytest.fixture
def refresh_statistics(app):
    """``refresh_statistics()`` does what autovacuum does after enough changes: on PostgreSQL,
    ANALYZE the search table (the postgres backend reads word frequencies from its statistics)."""

    def refresh():
        if on_postgres(app):
            db.session.execute(sa.text("ANALYZE search_listings"))
            db.session.commit()

    return refresh


@pytest.fixture
def university(make_org):
    return make_org("university", name="Northbridge University", country="US")


@pytest.fixture
def publish(app, university):
    """``publish(title=..., **overrides)`` -> a published, indexed Listing."""

    def make(
        title: str = "A listing",
        summary: str = "A summary.",
        description: str = "",
        *,
        keywords=(),
        fields=("LS.THER",),
        trl: int = 4,
        opportunity_types=("license",),
        asset_kinds=(),
        express: bool = False,
        org=None,
        published_at=None,
        status: str = "published",
    ) -> Listing:
        n = next(_seq)
        org = org or university
        listing = Listing(
            university=org,
            slug=f"listing-{n}",
            title=title,
            summary=summary,
            description=description,
            keywords=list(keywords),
            trl=trl,
            development_stage="prototype",
            opportunity_types=list(opportunity_types),
            status=status,
            published_at=published_at or (utcnow() - timedelta(minutes=1000 - n)),
        )
        listing.fields = list(fields)
        for kind in asset_kinds:
            listing.assets.append(IPAsset(university=org, kind=kind, title=f"{kind} {n}"))
        if express:
            listing.express_license = ExpressLicense(
                fields=list(fields), territories=["WORLDWIDE"], price_amount=500_00, currency="USD", term_months=12
            )
        db.session.add(listing)
        db.session.flush()
        if status == "published":
            emit(db.session, "listing.published", "listing", listing.id)
        commit()
        return listing

    return make


def change_status(listing: Listing, status: str, topic: str = "listing.unpublished") -> None:
    """What the listings services do when a listing leaves (or re-enters) published."""
    listing.status = status
    listing.version += 1
    emit(db.session, topic, "listing", listing.id)
    commit()


def ids(response) -> list[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["listing"]["id"] for item in response.json["items"]]
