"""Refunds of card-paid invoices, full or partial, recorded when Stripe confirms them."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from marketplace.core import audit
from marketplace.core.db import utcnow
from marketplace.core.errors import Conflict, ValidationFailed
from marketplace.core.money import prorate
from marketplace.payments import gateway, ledger, notices, signals
from marketplace.payments.access import require_payee_manager_or_admin, visible_invoice
from marketplace.payments.models import Invoice, Payment, Refund
from marketplace.payments.states import INVOICE_ACTIONS, move_invoice

log = logging.getLogger(__name__)

#: refunds that count against what can still be refunded
_OUTSTANDING = ("pending", "requires_action", "succeeded")
_STRIPE_STATES = {"pending": "pending", "requires_action": "requires_action", "succeeded": "succeeded",
                  "failed": "failed", "canceled": "canceled"}


def refundable_amount(invoice: Invoice) -> int:
    """What is left to refund of what the invoice's own payment brought in."""
    refunding = (r for r in invoice.refunds if r.status in _OUTSTANDING and not r.payment.is_duplicate)
    return invoice.amount - sum(r.amount for r in refunding)


def _paying_payment(invoice: Invoice) -> Payment:
    for payment in invoice.payments:
        if payment.status == "succeeded" and not payment.is_duplicate:
            return payment
    raise Conflict("This invoice was not paid by card.", slug="not-paid-by-card")


def request_refund(session, user, invoice_id: int, *, amount: int | None, reason: str) -> Refund:
    """Ask Stripe to refund ``amount`` (default: all that is left) of a card-paid invoice."""
    invoice = visible_invoice(session, user, invoice_id, lock=True)
    require_payee_manager_or_admin(user, invoice, "refund it")
    INVOICE_ACTIONS.target(invoice.status, "refund")
    if invoice.paid_via != "stripe":
        raise Conflict("This invoice was settled by bank transfer: refund the payer the same way.", slug="not-paid-by-card")
    payment = _paying_payment(invoice)
    left = refundable_amount(invoice)
    if left <= 0:
        raise Conflict("The whole amount is already refunded or being refunded.", slug="nothing-to-refund")
    amount = left if amount is None else amount
    if not 0 < amount <= left:
        raise ValidationFailed(f"At most {left} can be refunded.", errors={"amount": [f"Must be between 1 and {left}."]})
    return _start(session, payment, amount, reason, requested_by=user)


def refund_in_full(session, invoice: Invoice, reason: str) -> Refund | None:
    """The platform gives back all that is left of a card-paid invoice, unasked (what it paid for
    cannot be had). None when there is nothing to give back by card (a bank transfer is returned
    between the parties), or when Stripe refused: then the payee's managers and the admins are told."""
    if invoice.paid_via != "stripe" or invoice.status not in ("paid", "partially_refunded"):
        return None
    left = refundable_amount(invoice)
    if left <= 0:
        return None
    return _start_unasked(session, _paying_payment(invoice), left, reason)


def refund_duplicate(session, payment: Payment) -> Refund | None:
    """Give back in full a card payment that succeeded after its invoice was paid another way or voided."""
    invoice = payment.invoice
    closed = "voided" if invoice.status == "void" else (
        "settled by bank transfer" if invoice.paid_via == "manual" else "already paid")
    reason = f"Card payment received after invoice #{invoice.id} was {closed}: returned automatically."
    return _start_unasked(session, payment, payment.amount, reason, idempotency_key=f"payment-{payment.id}-duplicate-refund")


def _start_unasked(session, payment: Payment, amount: int, reason: str, *,
                   idempotency_key: str | None = None) -> Refund | None:
    """A refund nobody asked for; Stripe refusing it leaves the payment as it is and tells people instead."""
    try:
        with session.begin_nested():
            return _start(session, payment, amount, reason, requested_by=None, idempotency_key=idempotency_key)
    except (gateway.PaymentProviderError, gateway.PaymentsUnavailable) as exc:
        log.warning("automatic refund of payment %s failed: %s", payment.id, exc)
        audit.record(session, "refund.automatic_failed", payment.invoice, actor=None,
                     changes={"payment_id": payment.id, "amount": amount, "reason": reason, "error": exc.detail})
        notices.automatic_refund_failed(session, payment.invoice, amount, reason)
        return None


def _start(session, payment: Payment, amount: int, reason: str, *, requested_by,
           idempotency_key: str | None = None) -> Refund:
    """Record the refund, ask Stripe for it (idempotently: by default the invoice's n-th refund) and apply the answer."""
    invoice = payment.invoice
    refund = Refund(
        invoice=invoice,
        payment=payment,
        amount=amount,
        currency=invoice.currency,
        reason=reason,
        status="pending",
        requested_by_id=getattr(requested_by, "id", None),
    )
    session.add(refund)
    session.flush()
    state = gateway.create_refund(
        payment_intent=payment.stripe_payment_intent_id,
        amount=amount,
        currency=invoice.currency,
        metadata={"invoice_id": str(invoice.id), "refund_id": str(refund.id), "reason": reason[:500]},
        connect=payment.route == "connect",
        idempotency_key=idempotency_key or f"invoice-{invoice.id}-refund-{len(invoice.refunds)}",
    )
    refund.stripe_refund_id = state.id
    audit.record(session, "refund.request", refund, actor=requested_by,
                 changes={"invoice_id": invoice.id, "payment_id": payment.id, "amount": amount,
                          "currency": invoice.currency, "reason": reason})
    apply_refund(session, refund, state)
    return refund


def apply_refund(session, refund: Refund, state: gateway.RefundState) -> str:
    """Apply Stripe's state of a refund; a confirmed one moves money in the ledger once."""
    new = _STRIPE_STATES.get(state.status, "pending")
    if refund.status in ("succeeded", "failed", "canceled") or new == refund.status:
        return "unchanged"
    before, refund.status = refund.status, new
    audit.record(session, "refund.status", refund, changes={"status": [before, new]})
    if new == "succeeded":
        _confirm(session, refund)
    elif new in ("failed", "canceled"):
        notices.refund_failed(session, refund.invoice, refund)
    return "applied"


def _confirm(session, refund: Refund) -> None:
    """The fee goes back in proportion: cumulatively, so all refunds together return exactly the fee."""
    invoice = refund.invoice
    if refund.payment.is_duplicate:
        _confirm_duplicate(session, refund)
        return
    refunded = invoice.amount_refunded + refund.amount
    fee_refunded = prorate(refunded, invoice.amount, invoice.platform_fee_amount)
    refund.fee_refund_amount = fee_refunded - invoice.fee_refunded
    invoice.amount_refunded, invoice.fee_refunded = refunded, fee_refunded
    refund.confirmed_at = utcnow()
    session.flush()
    ledger.record_refund(session, invoice, refund)
    fully = refunded == invoice.amount
    move_invoice(session, invoice, "refund_fully" if fully else "refund_partially")
    notices.invoice_refunded(session, invoice, refund)
    signals.invoice_refunded.send(invoice.source, session=session, invoice=invoice, refund=refund, fully=fully)


def _confirm_duplicate(session, refund: Refund) -> None:
    """A surplus payment given back: its fee returns with it, and the invoice (settled or void) stays as it is."""
    invoice = refund.invoice
    refunded_before = sum(r.amount for r in invoice.refunds
                          if r.payment_id == refund.payment_id and r.status == "succeeded" and r is not refund)
    fee = invoice.platform_fee_amount
    refund.fee_refund_amount = (prorate(refunded_before + refund.amount, refund.payment.amount, fee)
                                - prorate(refunded_before, refund.payment.amount, fee))
    refund.confirmed_at = utcnow()
    session.flush()
    ledger.record_refund(session, invoice, refund)
    notices.invoice_refunded(session, invoice, refund)


def sync_refunds(session, payment: Payment) -> str:
    """Bring the refunds of a payment in line with Stripe's list (including refunds made in the Dashboard)."""
    outcome = "unchanged"
    for state in gateway.list_refunds(payment.stripe_payment_intent_id):
        if apply_refund_state(session, payment, state) == "applied":
            outcome = "applied"
    return outcome


def apply_refund_state(session, payment: Payment, state: gateway.RefundState) -> str:
    """Apply one Stripe refund of ``payment``, adopting it when it was made outside the app."""
    refund = _find(session, state)
    if refund is None:
        invoice = payment.invoice
        if invoice.status not in ("paid", "partially_refunded") or state.status not in _OUTSTANDING:
            log.warning("refund %s of invoice %s (%s) not recorded", state.id, invoice.id, invoice.status)
            return "unknown_object"
        refund = Refund(
            invoice=invoice,
            payment=payment,
            amount=state.amount,
            currency=state.currency,
            reason="Refunded in the Stripe Dashboard",
            status="pending",
            stripe_refund_id=state.id,
        )
        session.add(refund)
        session.flush()
        audit.record(session, "refund.adopt", refund, changes={"stripe_refund_id": state.id, "amount": state.amount})
    return apply_refund(session, refund, state)


def _find(session, state: gateway.RefundState) -> Refund | None:
    refund = session.execute(sa.select(Refund).where(Refund.stripe_refund_id == state.id)).scalar_one_or_none()
    if refund is None and str(state.metadata.get("refund_id", "")).isdigit():
        refund = session.get(Refund, int(state.metadata["refund_id"]))
        if refund is not None and refund.stripe_refund_id not in (None, state.id):
            return None
        if refund is not None:
            refund.stripe_refund_id = state.id
    return refund
