"""Duplicate express-license purchases left by the race before the guard existed: buying again
still answers (no 500), and migration 0008 keeps one purchase per buyer and listing, terminating
the others and voiding their unpaid invoices, before it adds the unique index."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy.exc import IntegrityError

from marketplace.core.audit import AuditEvent
from marketplace.core.db import utcnow
from marketplace.extensions import db
from marketplace.ip.licenses.models import License
from marketplace.payments import services as payments
from marketplace.payments.models import Invoice
from tests.payments.test_express_license_purchase import buy, listing  # noqa: F401  (fixture)

GUARD = "0008_purchase_guard"
ADD_PAYMENT_COLUMN = "ALTER TABLE payments ADD COLUMN is_duplicate BOOLEAN NOT NULL DEFAULT false"


def _duplicate_of(license_id: int, *, status: str = "pending_payment", invoice_status: str = "open") -> int:
    """Another open purchase like ``license_id``, with its own invoice, as racing requests used to make."""
    original = db.session.get(License, license_id)
    copy = License(**{c.key: getattr(original, c.key) for c in License.__table__.columns
                      if c.key not in ("id", "created_at", "updated_at", "upfront_invoice_id")})
    copy.status = status
    copy.assets = list(original.assets)
    db.session.add(copy)
    db.session.flush()
    invoice = payments.create_invoice(db.session, original.licensee_id, original.licensor_id, original.upfront_fee_amount,
                                      original.currency, "express_license", copy.id, "Express license (duplicate)",
                                      utcnow().date() + timedelta(days=14), notify=False)
    invoice.status = invoice_status
    copy.upfront_invoice_id = invoice.id
    db.session.commit()
    return copy.id


@pytest.fixture
def before_the_guard(app):
    """The schema as it was before migration 0008 (no unique index), upgraded again afterwards."""
    db.session.commit()
    downgrade(revision=_before_the_guard())
    # the payments column that 0008 also adds, so that the app's models work meanwhile
    with db.engine.begin() as conn:
        if not _has_payment_column(conn):
            conn.exec_driver_sql(ADD_PAYMENT_COLUMN)
    yield
    db.session.rollback()
    db.session.close()
    _upgrade()


def _before_the_guard() -> str:
    """The revision migration 0008 follows."""
    config = current_app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config).get_revision(GUARD).down_revision


def _upgrade():
    """Back to the head (once): without the stand-in column, which 0008 adds itself."""
    with db.engine.begin() as conn:
        if MigrationContext.configure(conn).get_current_revision() != _before_the_guard():
            return
        if _has_payment_column(conn):
            conn.exec_driver_sql("ALTER TABLE payments DROP COLUMN is_duplicate")
    upgrade()


def _has_payment_column(conn) -> bool:
    return "is_duplicate" in {column["name"] for column in sa.inspect(conn).get_columns("payments")}


def test_buying_again_with_duplicate_purchases_returns_the_oldest_and_the_migration_keeps_it(
    parties, listing, login, before_the_guard
):
    buyer = login(parties.payer)
    first = buy(buyer, listing.id).json
    second = _duplicate_of(first["license"]["id"])

    again = buy(buyer, listing.id)
    assert again.status_code == 201, again.json
    assert again.json["license"]["id"] == first["license"]["id"]
    assert again.json["invoice"]["id"] == first["invoice"]["id"]

    db.session.close()
    _upgrade()
    db.session.expire_all()
    assert db.session.get(License, first["license"]["id"]).status == "pending_payment"
    dropped = db.session.get(License, second)
    assert dropped.status == "terminated"
    assert f"license {first['license']['id']} is kept" in dropped.termination_reason
    assert db.session.get(Invoice, dropped.upfront_invoice_id).status == "void"
    assert db.session.get(Invoice, first["invoice"]["id"]).status == "open"
    actions = db.session.execute(sa.select(AuditEvent.action, AuditEvent.object_id)
                                 .where(AuditEvent.action.in_(("license.terminate", "invoice.void")))).all()
    assert sorted(actions) == [("invoice.void", str(dropped.upfront_invoice_id)), ("license.terminate", str(second))]


def test_the_migration_keeps_the_license_in_force_and_flags_a_paid_duplicate_for_refund(
    parties, listing, login, before_the_guard
):
    buyer = login(parties.payer)
    first = buy(buyer, listing.id).json
    active = _duplicate_of(first["license"]["id"], status="active", invoice_status="paid")
    paid_twice = _duplicate_of(first["license"]["id"], status="active", invoice_status="paid")

    db.session.close()
    _upgrade()
    db.session.expire_all()
    assert db.session.get(License, active).status == "active"
    assert db.session.get(License, first["license"]["id"]).status == "terminated"
    assert db.session.get(Invoice, first["invoice"]["id"]).status == "void"
    flagged = db.session.get(License, paid_twice)
    assert flagged.status == "terminated" and "owed back to the buyer" in flagged.termination_reason
    assert db.session.get(Invoice, flagged.upfront_invoice_id).status == "paid"
    refund_due = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "license.terminate",
                                                                AuditEvent.object_id == str(paid_twice))).scalar_one()
    assert refund_due.changes["refund_due"] is True


def test_the_database_refuses_a_second_open_purchase(parties, listing, login):
    first = buy(login(parties.payer), listing.id).json
    with pytest.raises(IntegrityError):
        _duplicate_of(first["license"]["id"])
    db.session.rollback()
