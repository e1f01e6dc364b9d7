"""Finding invoices the caller may see, and locking them for a change."""

from __future__ import annotations

import sqlalchemy as sa

from marketplace.core.errors import Forbidden, NotFound
from marketplace.payments.models import Invoice, Payment


def is_party(user, invoice: Invoice) -> bool:
    return user.organization_id in (invoice.payer_organization_id, invoice.payee_organization_id)


def visible_invoice(session, user, invoice_id: int, *, lock: bool = False) -> Invoice:
    """The invoice if the user's organization is its payer or payee (or the user is an admin), else 404.

    ``lock`` takes the row lock (``SELECT ... FOR UPDATE``) that serializes payments, refunds,
    settlements and webhooks of one invoice.
    """
    invoice = lock_invoice(session, invoice_id) if lock else session.get(Invoice, invoice_id)
    if invoice is None or not (user.is_admin or is_party(user, invoice)):
        raise NotFound("No such invoice.")
    return invoice


def lock_invoice(session, invoice_id: int) -> Invoice | None:
    stmt = (
        sa.select(Invoice)
        .where(Invoice.id == invoice_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.execute(stmt).scalar_one_or_none()


def require_payee_manager_or_admin(user, invoice: Invoice, doing: str) -> None:
    if user.is_admin:
        return
    if user.organization_id != invoice.payee_organization_id or not user.is_manager:
        raise Forbidden(f"Only managers of the invoice's payee (or an admin) can {doing}.")


def lock_payment(session, payment_id: int) -> Payment:
    """Lock a payment's invoice, then the payment (the order every writer follows)."""
    invoice_id = session.execute(sa.select(Payment.invoice_id).where(Payment.id == payment_id)).scalar_one()
    lock_invoice(session, invoice_id)
    stmt = sa.select(Payment).where(Payment.id == payment_id).with_for_update().execution_options(populate_existing=True)
    return session.execute(stmt).scalar_one()
