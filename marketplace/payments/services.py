"""Invoice rules. Other packages reach them only through ``marketplace.payments.api`` (which
re-exports ``create_invoice`` as ``issue_invoice``, ``find_invoices``...) and learn about payments
through its signals; payments imports none of them.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import Organization
from marketplace.core import audit
from marketplace.core.db import utcnow
from marketplace.core.errors import Conflict, NotFound, ValidationFailed
from marketplace.core.money import apply_bps, is_currency
from marketplace.core.pagination import Page, paginate
from marketplace.payments import checkout, ledger, notices, signals
from marketplace.payments.access import require_payee_manager_or_admin, visible_invoice
from marketplace.payments.models import INVOICE_SOURCES, Invoice, ManualSettlement, Payout
from marketplace.payments.refunds import sync_refunds
from marketplace.payments.states import INVOICE_ACTIONS


def platform_fee(amount: int, bps: int) -> int:
    """The platform's fee on ``amount``: ``bps`` basis points, rounded half-up, never more than the amount."""
    return min(apply_bps(amount, bps), amount)


def _organization(session, org: Organization | int, role: str) -> Organization:
    found = session.get(Organization, org) if isinstance(org, int) else org
    if found is None:
        raise ValidationFailed(f"No such {role} organization.", errors={role: ["Unknown organization."]})
    return found


def create_invoice(
    session,
    payer_org: Organization | int,
    payee_org: Organization | int,
    amount: int,
    currency: str,
    source: str,
    source_ref: str | int,
    description: str,
    due_date: date,
    *,
    platform_fee_bps: int | None = None,
    actor=None,
    notify: bool = True,
) -> Invoice:
    """Issue an invoice from ``payee_org`` to ``payer_org`` (flushed, not committed).

    ``amount`` is in minor units of ``currency`` (ISO 4217); the platform fee uses the configured
    ``PLATFORM_FEE_BPS`` unless ``platform_fee_bps`` is given. The payer's members are notified.
    """
    payer = _organization(session, payer_org, "payer")
    payee = _organization(session, payee_org, "payee")
    bps = current_app.config["PLATFORM_FEE_BPS"] if platform_fee_bps is None else platform_fee_bps
    errors = {}
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        errors["amount"] = ["A positive integer amount in minor units."]
    if not isinstance(currency, str) or not is_currency(currency):
        errors["currency"] = ["Not an ISO 4217 currency code."]
    if source not in INVOICE_SOURCES:
        errors["source"] = [f"One of {', '.join(INVOICE_SOURCES)}."]
    if payer.id == payee.id:
        errors["payer"] = ["An organization cannot invoice itself."]
    if not isinstance(bps, int) or not 0 <= bps <= 10_000:
        errors["platform_fee_bps"] = ["Between 0 and 10000 basis points."]
    if not description or not description.strip():
        errors["description"] = ["Describe what the invoice is for."]
    if errors:
        raise ValidationFailed("The invoice is invalid.", errors=errors)
    invoice = Invoice(
        payer=payer,
        payee=payee,
        amount=amount,
        currency=currency,
        platform_fee_bps=bps,
        platform_fee_amount=platform_fee(amount, bps),
        description=description.strip()[:500],
        source=source,
        source_ref=str(source_ref),
        due_date=due_date,
        status="open",
        created_by_id=getattr(actor, "id", None),
    )
    session.add(invoice)
    session.flush()
    audit.record(
        session,
        "invoice.create",
        invoice,
        actor=actor,
        changes={"payer": payer.id, "payee": payee.id, "amount": amount, "currency": currency,
                 "platform_fee_amount": invoice.platform_fee_amount, "source": source, "source_ref": str(source_ref)},
    )
    if notify:
        notices.invoice_issued(session, invoice)
    return invoice


def find_invoices(session, source: str, source_ref: str | int) -> list[Invoice]:
    """The invoices issued for one object of another package, oldest first."""
    stmt = sa.select(Invoice).where(Invoice.source == source, Invoice.source_ref == str(source_ref))
    return list(session.execute(stmt.order_by(Invoice.id)).scalars())


def invoices_by_id(session, invoice_ids) -> dict[int, Invoice]:
    """Invoices by id in one query, for packages that keep the ids of the invoices they issued."""
    ids = [i for i in set(invoice_ids) if i is not None]
    if not ids:
        return {}
    return {invoice.id: invoice for invoice in session.execute(sa.select(Invoice).where(Invoice.id.in_(ids))).scalars()}


def get_invoice(session, user, invoice_id: int) -> Invoice:
    """An invoice the user's organization pays or receives (any invoice for admins)."""
    return visible_invoice(session, user, invoice_id)


def list_invoices(
    session,
    user,
    *,
    status=None,
    source=None,
    role=None,
    counterparty_id=None,
    currency=None,
    due_after=None,
    due_before=None,
    page=1,
    page_size=20,
) -> Page:
    """Invoices the user's organization pays or receives (all for admins), newest first."""
    stmt = sa.select(Invoice).options(
        selectinload(Invoice.payer),
        selectinload(Invoice.payee),
        selectinload(Invoice.payee_stripe_account),
        selectinload(Invoice.payments),
        selectinload(Invoice.refunds),
        selectinload(Invoice.settlement),
        selectinload(Invoice.disputes),
    )
    org_id = user.organization_id
    if not user.is_admin:
        mine = {
            "payer": Invoice.payer_organization_id == org_id,
            "payee": Invoice.payee_organization_id == org_id,
        }
        stmt = stmt.where(mine[role] if role else sa.or_(*mine.values()))
        if counterparty_id:
            stmt = stmt.where(
                sa.or_(
                    sa.and_(Invoice.payer_organization_id == org_id, Invoice.payee_organization_id == counterparty_id),
                    sa.and_(Invoice.payee_organization_id == org_id, Invoice.payer_organization_id == counterparty_id),
                )
            )
    elif counterparty_id:
        stmt = stmt.where(
            sa.or_(Invoice.payer_organization_id == counterparty_id, Invoice.payee_organization_id == counterparty_id)
        )
    if status:
        stmt = stmt.where(Invoice.status == status)
    if source:
        stmt = stmt.where(Invoice.source == source)
    if currency:
        stmt = stmt.where(Invoice.currency == currency)
    if due_after:
        stmt = stmt.where(Invoice.due_date >= due_after)
    if due_before:
        stmt = stmt.where(Invoice.due_date <= due_before)
    return paginate(session, stmt.order_by(Invoice.id.desc()), page, page_size)


def refresh_invoice(session, user, invoice_id: int) -> Invoice:
    """Apply Stripe's current state of the invoice's payments and refunds (instead of waiting for webhooks)."""
    invoice = visible_invoice(session, user, invoice_id, lock=True)
    checkout.refresh_payments(session, invoice)
    for payment in invoice.payments:
        if payment.status == "succeeded":
            sync_refunds(session, payment)
    return invoice


def settle_manually(session, user, invoice_id: int, *, reference: str, settled_on: date, note: str | None = None) -> Invoice:
    """The payee records that the invoice was paid by bank transfer."""
    invoice = visible_invoice(session, user, invoice_id, lock=True)
    require_payee_manager_or_admin(user, invoice, "record a bank transfer")
    INVOICE_ACTIONS.target(invoice.status, "settle")
    checkout.cancel_unfinished_payments(session, invoice)
    before, after = INVOICE_ACTIONS.apply(invoice, "settle")
    settlement = ManualSettlement(
        invoice=invoice,
        amount=invoice.amount,
        currency=invoice.currency,
        reference=reference,
        settled_on=settled_on,
        note=note,
        recorded_by_id=user.id,
    )
    invoice.paid_via, invoice.paid_at = "manual", utcnow()
    session.add(settlement)
    session.flush()
    ledger.record_manual_settlement(session, invoice, settlement)
    audit.record(session, "invoice.settle_manually", invoice,
                 changes={"status": [before, after], "reference": reference, "settled_on": settled_on})
    notices.invoice_paid(session, invoice)
    signals.invoice_paid.send(invoice.source, session=session, invoice=invoice, settlement=settlement)
    return invoice


def void_invoice(session, admin, invoice_id: int, reason: str) -> Invoice:
    """An admin cancels an unpaid invoice; any unfinished card payment of it is canceled at Stripe."""
    invoice = visible_invoice(session, admin, invoice_id, lock=True)
    INVOICE_ACTIONS.target(invoice.status, "void")
    checkout.cancel_unfinished_payments(session, invoice)
    before, after = INVOICE_ACTIONS.apply(invoice, "void")
    invoice.voided_at, invoice.void_reason = utcnow(), reason
    audit.record(session, "invoice.void", invoice, changes={"status": [before, after], "reason": reason})
    notices.invoice_voided(session, invoice)
    signals.invoice_voided.send(invoice.source, session=session, invoice=invoice, reason=reason)
    return invoice


# ---- payouts of platform-collected money ----------------------------------------------------------


def record_payout(
    session, admin, *, organization_id: int, amount: int, currency: str, reference: str, paid_on: date, note: str | None = None
) -> Payout:
    """An admin records money paid out to an organization from what the platform holds for it."""
    # The organization's row lock serializes payouts to it, so two admins cannot both pay out one balance.
    org = session.execute(
        sa.select(Organization).where(Organization.id == organization_id).with_for_update()
    ).scalar_one_or_none()
    if org is None:
        raise NotFound("No such organization.")
    held = ledger.held_balance(session, org.id, currency)
    if amount > held:
        raise Conflict(
            f"The platform holds only {ledger.describe(max(held, 0), currency)} for {org.name}.",
            slug="payout-exceeds-balance",
            balance=held,
        )
    payout = Payout(
        organization=org,
        amount=amount,
        currency=currency,
        reference=reference,
        paid_on=paid_on,
        note=note,
        recorded_by_id=admin.id,
    )
    session.add(payout)
    session.flush()
    ledger.record_payout(session, payout)
    audit.record(session, "payout.record", payout,
                 changes={"organization_id": org.id, "amount": amount, "currency": currency, "reference": reference})
    notices.payout_recorded(session, payout)
    return payout


def list_payouts(session, *, organization_id=None, page=1, page_size=20) -> Page:
    stmt = sa.select(Payout).options(selectinload(Payout.organization))
    if organization_id:
        stmt = stmt.where(Payout.organization_id == organization_id)
    return paginate(session, stmt.order_by(Payout.id.desc()), page, page_size)


def payouts_due(session) -> list[dict]:
    """What the platform owes each organization, per currency."""
    rows = ledger.payouts_due(session)
    orgs = {o.id: o for o in session.execute(
        sa.select(Organization).where(Organization.id.in_({r["organization_id"] for r in rows}))
    ).scalars()}
    return [{**row, "organization": orgs[row["organization_id"]]} for row in rows]
