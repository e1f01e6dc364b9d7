"""Fixtures: one real database per run (SQLite, or PostgreSQL with TEST_DATABASE_URL), a clean
database for every test, clients that behave like separate browsers, and factories."""

from __future__ import annotations

import contextvars
import os
import uuid
from itertools import count
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_migrate import upgrade

from marketplace import create_app
from marketplace.accounts.models import Organization, User
from marketplace.accounts.passwords import hash_password
from marketplace.core import deferred
from marketplace.core.db import utcnow
from marketplace.extensions import db, limiter

PASSWORD = "correct-horse-battery-9"
ON_POSTGRES = bool(os.environ.get("TEST_DATABASE_URL"))


def pytest_configure(config):
    """The tests read the translations in the repo: compile a catalog whose .mo is missing or older than
    its .po (what ``make install`` does), once, before any xdist worker starts."""
    if hasattr(config, "workerinput"):
        return
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (Path(__file__).resolve().parents[1] / "marketplace" / "translations").glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parts[-3])
        partial = mo.with_suffix(".mo.partial")
        with partial.open("wb") as target:
            write_mo(target, catalog)
        partial.replace(mo)


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres_only`` (row locks, concurrency) run only on PostgreSQL."""
    skip = pytest.mark.skip(reason="needs PostgreSQL (set TEST_DATABASE_URL)")
    for item in items:
        if "postgres_only" in item.keywords and not ON_POSTGRES:
            item.add_marker(skip)


# ---- database --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A database of this run's own: a fresh PostgreSQL database, or a SQLite file."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    url = sa.make_url(base)
    name = f"mkt_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def app_config(database_url: str, tmp_path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "PASSWORD_HASH_TIME_COST": 1,
        "PASSWORD_HASH_MEMORY_COST": 32,
        "SEARCH_INDEX_DIR": str(tmp_path / "search-index"),
        "RATELIMIT_STORAGE_URI": f"sqlite:///{tmp_path / 'ratelimits.sqlite'}",
        "PUBLIC_BASE_URL": "http://testserver",
        # Jobs run inline right after the commit that hands them over (tests/jobs runs real workers).
        "JOBS_IMMEDIATE": True,
        "EMAIL_BACKEND": "files",
        "EMAIL_FILES_DIR": str(tmp_path / "emails"),
        # Webhook receivers in tests listen on 127.0.0.1.
        "WEBHOOK_ALLOW_PRIVATE_URLS": True,
        "WEBHOOK_TIMEOUT_SECONDS": 5,
        # Payments: nothing reaches the internet; tests/payments points these at localstripe.
        "STRIPE_SECRET_KEY": "sk_test_unreachable",
        "STRIPE_API_BASE": "http://127.0.0.1:9",
        "STRIPE_WEBHOOK_SECRET": "whsec_test_unused",
        "STRIPE_MAX_NETWORK_RETRIES": 0,
        "PLATFORM_FEE_BPS": 500,
        # Views and token uses are written when a test flushes them (marketplace.core.deferred.flush).
        "DEFERRED_FLUSH_SECONDS": 0,
        # Public reads are not cached unless a test turns the cache on (tests/core/test_public_read_cache.py).
        "PUBLIC_CACHE_SECONDS": 0,
    }


class BrowserClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    The test keeps its own app context and session; before a request the test's session is
    committed (the request sees the set-up) and after it the test's objects are expired (the
    test sees what the request wrote). Unsafe requests carry the CSRF token the server gave.
    """

    csrf_token: str | None = None

    def open(self, *args, **kwargs):
        has_ctx = _app_context_active()
        if has_ctx:
            db.session.commit()
        headers = dict(kwargs.pop("headers", None) or {})
        method = (kwargs.get("method") or "GET").upper()
        if self.csrf_token and method not in {"GET", "HEAD", "OPTIONS"}:
            headers.setdefault("X-CSRF-Token", self.csrf_token)
        kwargs["headers"] = headers
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if response.is_json and response.data and isinstance(response.json, dict) and "csrf_token" in response.json:
            self.csrf_token = response.json["csrf_token"]
        if has_ctx:
            db.session.expire_all()
            db.session.commit()
        return response


def _app_context_active() -> bool:
    from flask import has_app_context

    return has_app_context()


@pytest.fixture(scope="session")
def session_app(database_url, tmp_path_factory):
    app = create_app(app_config(database_url, tmp_path_factory.mktemp("instance")))
    app.test_client_class = BrowserClient
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def _clean_all_tables() -> None:
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def app(session_app):
    """The app, with an app context for the test's own queries; every table is emptied after."""
    with session_app.app_context():
        yield session_app
        db.session.remove()
        deferred.discard(session_app)
        _clean_all_tables()
    limiter.reset()
    # emails the files backend wrote belong to this test only, like the rows
    for path in Path(session_app.config["EMAIL_FILES_DIR"]).glob("*.eml"):
        path.unlink(missing_ok=True)


@pytest.fixture
def client(app) -> BrowserClient:
    return app.test_client()


# ---- factories -------------------------------------------------------------------------------

_seq = count(1)


@pytest.fixture
def make_org(app):
    """``make_org(kind="university", verified=True, **overrides)`` -> Organization."""

    def make(kind: str = "university", verified: bool = True, **overrides) -> Organization:
        n = next(_seq)
        values = {
            "kind": kind,
            "name": f"{kind.title()} {n}",
            "slug": f"{kind}-{n}",
            "country": "US",
            "website": f"https://{kind}{n}.example.org",
            "verification_status": "verified" if verified else "pending",
            "verified_at": utcnow() if verified else None,
        }
        values.update(overrides)
        org = Organization(**values)
        db.session.add(org)
        db.session.commit()
        return org

    return make


@pytest.fixture
def make_user(app, make_org):
    """``make_user(org=None, role="manager", kind="company", **overrides)`` -> User (password PASSWORD)."""
    hashed = hash_password(PASSWORD)

    def make(org: Organization | None = None, role: str = "manager", kind: str = "company", **overrides) -> User:
        n = next(_seq)
        is_admin = overrides.pop("is_admin", False)
        if org is None and not is_admin:
            org = make_org(kind)
        values = {
            "email": f"user{n}@example.org",
            "name": f"User {n}",
            "password_hash": hashed,
            "organization": org,
            "role": None if is_admin and org is None else role,
            "is_admin": is_admin,
        }
        values.update(overrides)
        user = User(**values)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login(app):
    """``login(user)`` -> a new client logged in as ``user`` (by session cookie, with CSRF token)."""

    def do(user: User, password: str = PASSWORD) -> BrowserClient:
        c = app.test_client()
        response = c.post("/api/v1/auth/login", json={"email": user.email, "password": password})
        assert response.status_code == 200, response.json
        return c

    return do


@pytest.fixture
def admin(make_user) -> User:
    return make_user(is_admin=True, email="admin@example.org", org=None)


@pytest.fixture
def admin_client(login, admin):
    return login(admin)


@pytest.fixture
def make_asset(app, make_org):
    """``make_asset(university=None, **overrides)`` -> a pending patent application (IPAsset)."""
    from datetime import date

    from marketplace.ip.models import IPAsset

    def make(university: Organization | None = None, **overrides) -> IPAsset:
        n = next(_seq)
        values = {
            "university_id": (university or make_org("university")).id,
            "kind": "patent_application",
            "title": f"Method and apparatus number {n}",
            "abstract": "A method for doing something useful, and an apparatus carrying it out.",
            "inventors": ["Ada Lovelace", "Alan Turing"],
            "jurisdiction": "US",
            "application_number": f"US 18/{n:06d}",
            "priority_date": date(2022, 3, 1),
            "filing_date": date(2023, 3, 1),
            "status": "pending",
            "internal_notes": "Licensing strategy: non-exclusive in diagnostics.",
        }
        values.update(overrides)
        asset = IPAsset(**values)
        db.session.add(asset)
        db.session.commit()
        return asset

    return make


@pytest.fixture
def make_listing(app, make_org):
    """``make_listing(university=None, status="draft", **overrides)`` -> a complete Listing in that state.

    ``assets`` links IP assets; ``express_license`` (a dict of terms) adds an offer; the contact
    is the university's first member unless ``contact_user_id`` is given. A published listing
    has its approved snapshot; a suspended one records the state it was suspended from
    (``suspended_from``, published by default).
    """
    from marketplace.listings.models import ExpressLicense, Listing, ListingTransition
    from marketplace.listings.services import content_snapshot

    def make(university: Organization | None = None, status: str = "draft", *, assets=(), fields=("LS.THER",),
             express_license: dict | None = None, suspended_from: str = "published", **overrides) -> Listing:
        n = next(_seq)
        university = university or make_org("university")
        contact = db.session.execute(
            sa.select(User.id).where(User.organization_id == university.id).order_by(User.id).limit(1)
        ).scalar_one_or_none()
        now = utcnow()
        values = {
            "university_id": university.id,
            "slug": f"listing-{n}",
            "title": f"Listing number {n} about a new therapy",
            "summary": "A new way of treating a common disease with fewer side effects.",
            "description": "Researchers developed a compound that binds the target selectively.",
            "keywords": ["therapy"],
            "trl": 4,
            "development_stage": "proof_of_concept",
            "opportunity_types": ["license", "sponsored_research"],
            "contact_user_id": contact,
            "status": status,
            "version": 1,
            "submitted_at": now if status != "draft" else None,
            "published_at": now if status in ("published", "archived") else None,
        }
        values.update(overrides)
        listing = Listing(**values)
        listing.fields = list(fields)
        listing.assets = list(assets)
        if express_license is not None:
            listing.express_license = ExpressLicense(**express_license)
        db.session.add(listing)
        db.session.flush()
        if status in ("published", "archived") or (status == "suspended" and suspended_from == "published"):
            listing.approved_snapshot = content_snapshot(listing)
        if status == "suspended":
            db.session.add(ListingTransition(listing_id=listing.id, action="suspend", from_status=suspended_from,
                                             to_status="suspended", reason="Suspended for a test"))
        db.session.commit()
        return listing

    return make
