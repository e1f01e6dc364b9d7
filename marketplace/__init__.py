"""Technology-transfer and startup-incubator marketplace: the application factory."""

from __future__ import annotations

import logging
import sqlite3

from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from marketplace.config import check_config, env_instance_path, load_config
from marketplace.core import http_cache
from marketplace.core.security import SAFE_METHODS
from marketplace.core.transaction import TransactionalFlask, has_write_intent
from marketplace.extensions import api, db, limiter, login_manager, migrate


def create_app(config: dict | None = None) -> Flask:
    """Build the app: settings, extensions, blueprints, CLI, error handlers."""
    # static files are served by the web package (``/static/...``), not from an app-level folder
    app = TransactionalFlask(
        __name__, instance_path=env_instance_path(), instance_relative_config=True, static_folder=None
    )
    app.config.update(load_config(app.instance_path))
    app.config.update(config or {})
    check_config(app.config)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    register_extensions(app)
    register_blueprints(app)
    register_receivers(app)
    register_security(app)
    register_web(app)
    register_cli(app)
    register_outbox_consumers(app)
    register_deferred_writes(app)
    http_cache.init_app(app)
    register_jobs(app)
    register_reminders(app)
    if app.config.get("PROXY_FIX_X_FOR"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(app.config["PROXY_FIX_X_FOR"]), x_proto=1)
    return app


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    from marketplace.core.db import include_object

    migrate.init_app(
        app,
        db,
        directory=str(_migrations_dir()),
        render_as_batch=True,
        compare_type=True,
        include_object=include_object,
    )
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    limiter.init_app(app)
    # No default or application-wide limits: logins and resets throttle in their services
    # (core.security.throttle) and a decorated limit checks itself, so the limiter's check before
    # every request has nothing to count; it cost a fifth of a cached public read.
    app.before_request_funcs[None].remove(limiter._check_request_limit)
    api.init_app(app)
    from marketplace import models  # noqa: F401  (the whole metadata, for Alembic)
    from marketplace.accounts import auth  # registers the Flask-Login loaders

    app.before_request(auth.reject_invalid_bearer)


def register_blueprints(app: Flask) -> None:
    from marketplace import docs
    from marketplace.accounts.routes import auth_blp, org_blp
    from marketplace.admin.moderation import blp as moderation_blp
    from marketplace.admin.routes import blp as admin_blp
    from marketplace.deals.inquiries.routes import blp as inquiries_blp
    from marketplace.deals.insights.routes import asset_blp as asset_availability_blp
    from marketplace.deals.insights.routes import listing_blp as listing_insights_blp
    from marketplace.deals.ndas.routes import blp as nda_blp
    from marketplace.deals.ndas.routes import details_blp as confidential_blp
    from marketplace.deals.offers.routes import blp as offers_blp
    from marketplace.deals.sponsorships.routes import blp as sponsorships_blp
    from marketplace.ip.licenses.routes import blp as licenses_blp
    from marketplace.incubator.routes import blp as incubator_blp
    from marketplace.ip.routes import blp as ip_blp
    from marketplace.jobs.webhooks.routes import blp as webhooks_blp
    from marketplace.listings.routes import blp as listings_blp
    from marketplace.notifications.routes import blp as notifications_blp
    from marketplace.notifications.routes import prefs_blp as reminder_preferences_blp
    from marketplace.search.routes import blp as search_blp
    from marketplace.search.routes import saved_blp as saved_searches_blp

    from marketplace.payments.routes import admin_blp as payments_admin_blp
    from marketplace.payments.routes import invoices_blp, payments_blp

    for blueprint in (
        auth_blp,
        org_blp,
        notifications_blp,
        reminder_preferences_blp,
        ip_blp,
        listings_blp,
        invoices_blp,
        payments_blp,
        admin_blp,
        moderation_blp,
        licenses_blp,
        asset_availability_blp,
        listing_insights_blp,
        confidential_blp,
        inquiries_blp,
        nda_blp,
        offers_blp,
        sponsorships_blp,
        payments_admin_blp,
        incubator_blp,
        search_blp,
        saved_searches_blp,
        webhooks_blp,
    ):
        api.register_blueprint(blueprint)
    app.register_blueprint(docs.blp)
    api.spec.components.security_scheme("cookieAuth", {"type": "apiKey", "in": "cookie", "name": "session"})
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"cookieAuth": []}, {"bearerAuth": []}, {}]


def register_receivers(app: Flask) -> None:
    """Connect each package's receivers of other packages' signals (they connect on import):
    licenses follow the payments of their fees."""
    from marketplace.ip.licenses import receivers  # noqa: F401


def register_security(app: Flask) -> None:
    from sqlalchemy.exc import IntegrityError

    from marketplace.core.errors import Conflict, domain_error_response
    from marketplace.core.security import init_security

    init_security(app)

    @app.errorhandler(IntegrityError)
    def _integrity_error(error):
        # A concurrent request won a uniqueness race the service checked for: a conflict, not a 500.
        app.logger.info("integrity error answered as 409: %s", error.orig)
        return domain_error_response(Conflict("This conflicts with data saved at the same time. Try again."))


def register_web(app: Flask) -> None:
    """The pages: layout, languages and HTML error pages, then each package's page blueprints."""
    from marketplace import web
    from marketplace.accounts import preferences  # noqa: F401  (saves a logged-in person's language)
    from marketplace.accounts.pages import blp as accounts_pages  # also the header's account links
    from marketplace.admin.pages import blp as admin_pages
    from marketplace.deals.pages import blp as deals_pages  # also the availability panel of listing pages
    from marketplace.ip.licenses.pages import blp as licenses_pages
    from marketplace.incubator.pages import blp as incubator_pages  # also the open calls of the home page
    from marketplace.listings.pages import blp as listings_pages
    from marketplace.notifications.pages import blp as notifications_pages
    from marketplace.payments.pages import blp as payments_pages
    from marketplace.search.pages import blp as search_pages

    web.init_app(app)
    for blueprint in (
        search_pages, listings_pages, deals_pages, accounts_pages, notifications_pages, admin_pages, licenses_pages,
        payments_pages, incubator_pages,
    ):
        app.register_blueprint(blueprint)


def register_cli(app: Flask) -> None:
    from marketplace.cli import register

    register(app)


def register_outbox_consumers(app: Flask) -> None:
    """Packages that react to outbox events register their consumers (drained after commit)."""
    from marketplace.search import consumers as search_consumers

    search_consumers.register()


def register_deferred_writes(app: Flask) -> None:
    """Bookkeeping that reads cause, buffered in the process and written off the request path."""
    from marketplace.accounts.services import TOKEN_USES, record_token_uses
    from marketplace.core import deferred
    from marketplace.listings import view_counts

    deferred.init_app(app)
    deferred.register(app, view_counts.BUFFER, view_counts.record_views)
    deferred.register(app, TOKEN_USES, record_token_uses, merge=max)


def register_jobs(app: Flask) -> None:
    """The job queue: it takes the work requests hand over after commit, and runs the schedule."""
    from marketplace import jobs

    jobs.init_app(app)


def register_reminders(app: Flask) -> None:
    """Each package registers the reminders its data calls for (``flask reminders send`` sends them)."""
    from marketplace.deals import reminders as deals_reminders
    from marketplace.incubator import reminders as incubator_reminders
    from marketplace.ip.licenses import reminders as licenses_reminders
    from marketplace.payments import reminders as payments_reminders

    for package in (payments_reminders, licenses_reminders, deals_reminders, incubator_reminders):
        package.register()


def _migrations_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite: enforce foreign keys, wait on locks, and let SQLAlchemy control transactions."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    """SQLite: a request that may write takes the write lock as it begins (``BEGIN IMMEDIATE``).

    A deferred transaction that read first and writes later cannot wait for the lock once
    another connection committed after its read (WAL snapshots): SQLite answers "database is
    locked" at once instead. Taken at the start, the lock is waited for (``busy_timeout``).
    Work outside a request that writes says so with ``core.transaction.write_intent``. Reads (safe
    methods, CLI commands, tests' own sessions) stay deferred and never block.
    """
    if conn.dialect.name == "sqlite":
        may_write = has_write_intent() or (has_request_context() and request.method not in SAFE_METHODS)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if may_write else "BEGIN")
