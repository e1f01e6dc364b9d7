"""one open express-license purchase per buyer and listing; payments that arrived too late

``payments.is_duplicate`` marks a card payment that succeeded after its invoice was paid another
way or voided (it is refunded in full automatically).

Before the unique index can exist, duplicate open purchases made by racing requests are cleaned
up: per buyer and listing the purchase that got furthest is kept (in force, then paid, then the
oldest); every other one is terminated, its unpaid invoice voided, and each change is written to
the audit trail. A duplicate that was already paid is terminated too and its invoice left paid,
with an audit event saying that the buyer is owed a refund.

Revision ID: 0008_purchase_guard
Revises: 0011_user_locale
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0008_purchase_guard"
down_revision = "0011_user_locale"
branch_labels = None
depends_on = None

OPEN_EXPRESS_PURCHASE = "source_type = 'express_license' AND status IN ('draft', 'pending_payment', 'active')"
INDEX = "uq_licenses_open_express_purchase"

licenses = sa.table(
    "licenses",
    sa.column("id", sa.Integer),
    sa.column("listing_id", sa.Integer),
    sa.column("licensee_id", sa.Integer),
    sa.column("source_type", sa.String),
    sa.column("status", sa.String),
    sa.column("activated_at", sa.DateTime),
    sa.column("terminated_at", sa.DateTime),
    sa.column("termination_date", sa.Date),
    sa.column("termination_reason", sa.Text),
    sa.column("upfront_invoice_id", sa.Integer),
)
invoices = sa.table(
    "invoices",
    sa.column("id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("voided_at", sa.DateTime),
    sa.column("void_reason", sa.Text),
)
audit_events = sa.table(
    "audit_events",
    sa.column("created_at", sa.DateTime),
    sa.column("action", sa.String),
    sa.column("object_type", sa.String),
    sa.column("object_id", sa.String),
    sa.column("changes", sa.JSON),
)

#: invoice states whose money was received
_RECEIVED = ("paid", "partially_refunded")
#: invoice states that can still be voided
_VOIDABLE = ("open", "failed")


def _rank(row) -> tuple:
    """Which duplicate to keep: the one in force, then the paid one, then the one being paid, then the oldest."""
    status, invoice_status = row.status, row.invoice_status
    return (
        0 if status == "active" else 1,
        0 if invoice_status in _RECEIVED else 1 if invoice_status == "processing" else 2,
        row.id,
    )


def _audit(conn, now, action: str, object_type: str, object_id: int, changes: dict) -> None:
    conn.execute(audit_events.insert().values(created_at=now, action=action, object_type=object_type,
                                              object_id=str(object_id), changes=changes))


def _clean_duplicate_purchases(conn) -> None:
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    rows = conn.execute(
        sa.select(licenses.c.id, licenses.c.listing_id, licenses.c.licensee_id, licenses.c.status,
                  licenses.c.upfront_invoice_id, invoices.c.status.label("invoice_status"))
        .select_from(licenses.outerjoin(invoices, invoices.c.id == licenses.c.upfront_invoice_id))
        .where(sa.text(OPEN_EXPRESS_PURCHASE.replace("source_type", "licenses.source_type")
                       .replace("status IN", "licenses.status IN")))
        .order_by(licenses.c.id)
    ).all()
    groups: dict[tuple, list] = {}
    for row in rows:
        groups.setdefault((row.listing_id, row.licensee_id), []).append(row)
    for duplicates in groups.values():
        if len(duplicates) < 2:
            continue
        kept, *extra = sorted(duplicates, key=_rank)
        for row in extra:
            reason = f"Duplicate express-license purchase: license {kept.id} is kept."
            refund_due = row.invoice_status in _RECEIVED
            if refund_due:
                reason += f" Invoice {row.upfront_invoice_id} was paid and is owed back to the buyer."
            conn.execute(licenses.update().where(licenses.c.id == row.id).values(
                status="terminated", terminated_at=now, termination_date=now.date(), termination_reason=reason))
            _audit(conn, now, "license.terminate", "license", row.id,
                   {"status": [row.status, "terminated"], "reason": reason, "kept_license_id": kept.id,
                    "refund_due": refund_due})
            if row.invoice_status in _VOIDABLE:
                void_reason = f"Duplicate purchase of license {kept.id}."
                conn.execute(invoices.update().where(invoices.c.id == row.upfront_invoice_id).values(
                    status="void", voided_at=now, void_reason=void_reason))
                _audit(conn, now, "invoice.void", "invoice", row.upfront_invoice_id,
                       {"status": [row.invoice_status, "void"], "reason": void_reason})


def upgrade():
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("is_duplicate", sa.Boolean(), server_default=sa.false(), nullable=False))
    _clean_duplicate_purchases(op.get_bind())
    with op.batch_alter_table("licenses", schema=None) as batch_op:
        batch_op.create_index(INDEX, ["listing_id", "licensee_id"], unique=True,
                              sqlite_where=sa.text(OPEN_EXPRESS_PURCHASE),
                              postgresql_where=sa.text(OPEN_EXPRESS_PURCHASE))


def downgrade():
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_column("is_duplicate")
    with op.batch_alter_table("licenses", schema=None) as batch_op:
        batch_op.drop_index(INDEX, sqlite_where=sa.text(OPEN_EXPRESS_PURCHASE),
                            postgresql_where=sa.text(OPEN_EXPRESS_PURCHASE))
