"""Paying an invoice by card: the route money takes, one PaymentIntent per attempt, and applying
what Stripe says about it (API answers, webhooks, refreshes) in order."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass

import sqlalchemy as sa

from marketplace.core import audit
from marketplace.core.db import utcnow
from marketplace.core.errors import Conflict, Forbidden
from marketplace.payments import gateway, ledger, notices, refunds, signals
from marketplace.payments.access import visible_invoice
from marketplace.payments.models import Invoice, Payment, PaymentRequest, StripeCustomer
from marketplace.payments.states import (
    INVOICE_ACTIONS,
    INVOICE_EVENTS,
    LIVE_PAYMENT_STATES,
    PAYMENT_STATE_RANK,
    TERMINAL_PAYMENT_STATES,
    can,
    move_invoice,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Route:
    """How a card payment of an invoice would reach the payee, or why it cannot be made."""

    method: str | None  # "connect", "platform", or None when card payment is unavailable
    reason: str | None = None
    destination: str | None = None

    @property
    def available(self) -> bool:
        return self.method is not None


def payment_route(invoice: Invoice) -> Route:
    """Connect when the payee finished Stripe onboarding; platform-collected when it has not started
    or not finished it; unavailable when the payee is unverified or Stripe has not (yet) enabled
    payouts on its submitted account."""
    if not invoice.payee.is_verified:
        return Route(None, "The payee's organization is not verified, so it cannot be paid out. "
                           "The payee can settle this invoice manually (bank transfer).")
    problem = gateway.card_amount_problem(invoice.amount, invoice.currency)
    if problem:
        return Route(None, problem)
    account = invoice.payee_stripe_account
    if account is None or not account.details_submitted:
        return Route("platform")
    if account.is_complete:
        return Route("connect", destination=account.stripe_account_id)
    return Route(None, f"Stripe has not enabled payouts for the payee's account ({account.onboarding_status.replace('_', ' ')}). "
                       "The invoice cannot be paid by card until it does; the payee can settle it manually.")


def local_status(intent: gateway.IntentState) -> str:
    """Our payment state for a PaymentIntent: a declined attempt is ``failed``."""
    if intent.status == "requires_payment_method" and intent.failure_code:
        return "failed"
    if intent.status == "requires_capture":
        return "processing"
    return intent.status


# ---- paying ---------------------------------------------------------------------------------------


def pay(session, user, invoice_id: int, *, idempotency_key: str, payment_method: str | None = None) -> Payment:
    """Create or reuse the invoice's one live PaymentIntent (confirmed at once when a payment method is given).

    The invoice row is locked for the whole call, so concurrent requests for one invoice queue up
    and the second one finds (and reuses) the intent the first one created.
    """
    invoice = visible_invoice(session, user, invoice_id, lock=True)
    if user.organization_id != invoice.payer_organization_id:
        raise Forbidden("Only members of the paying organization can pay this invoice.")
    request_hash = hashlib.sha256(json.dumps({"payment_method": payment_method}).encode()).hexdigest()
    earlier = session.execute(
        sa.select(PaymentRequest).where(
            PaymentRequest.invoice_id == invoice.id, PaymentRequest.idempotency_key == idempotency_key
        )
    ).scalar_one_or_none()
    if earlier is not None:
        if earlier.request_hash != request_hash:
            raise Conflict("This Idempotency-Key was already used for a different request.", slug="idempotency-key-reused")
        return earlier.payment
    INVOICE_ACTIONS.target(invoice.status, "pay")
    route = payment_route(invoice)
    if not route.available:
        raise Conflict(route.reason, slug="card-payment-unavailable")

    payment = invoice.latest_payment
    reusable = (
        payment is not None
        and payment.status in LIVE_PAYMENT_STATES
        and payment.route == route.method
        and payment.destination_account_id == route.destination
        and payment.amount == invoice.amount
    )
    if reusable:
        if payment_method and payment.status in ("requires_payment_method", "requires_confirmation"):
            apply_intent(session, payment, gateway.attach_payment_method(payment.stripe_payment_intent_id, payment_method))
            _confirm(session, payment, payment_method)
    else:
        if payment is not None and payment.status not in TERMINAL_PAYMENT_STATES:
            _cancel(session, payment)
            if invoice.status == "paid":
                raise Conflict("The previous card payment of this invoice has just succeeded.", slug="already-paid")
        payment = _new_payment(session, user, invoice, route, payment_method)
    session.add(
        PaymentRequest(
            invoice_id=invoice.id,
            idempotency_key=idempotency_key,
            payment_id=payment.id,
            request_hash=request_hash,
            user_id=user.id,
        )
    )
    session.flush()
    return payment


def _new_payment(session, user, invoice: Invoice, route: Route, payment_method: str | None) -> Payment:
    attempt = len(invoice.payments) + 1
    fee = invoice.platform_fee_amount if route.method == "connect" else 0
    intent = gateway.create_payment_intent(
        amount=invoice.amount,
        currency=invoice.currency,
        customer=_customer_id(session, invoice),
        metadata={"invoice_id": str(invoice.id), "attempt": str(attempt), "source": invoice.source},
        idempotency_key=f"invoice-{invoice.id}-attempt-{attempt}",
        payment_method=payment_method,
        application_fee_amount=fee,
        destination=route.destination,
    )
    if (intent.amount, intent.currency) != (invoice.amount, invoice.currency):
        raise gateway.PaymentProviderError("Stripe answered with a PaymentIntent for a different amount.")
    payment = Payment(
        invoice=invoice,
        attempt=attempt,
        stripe_payment_intent_id=intent.id,
        route=route.method,
        destination_account_id=route.destination,
        amount=invoice.amount,
        currency=invoice.currency,
        application_fee_amount=fee,
        status=local_status(intent),
        client_secret=intent.client_secret,
        created_by_id=user.id,
        stripe_state_at=int(time.time()),
    )
    session.add(payment)
    session.flush()
    audit.record(
        session,
        "payment.create",
        payment,
        changes={"invoice_id": invoice.id, "route": route.method, "amount": invoice.amount,
                 "currency": invoice.currency, "payment_intent": intent.id, "application_fee_amount": fee},
    )
    if invoice.status == "failed":
        move_invoice(session, invoice, "reopen")
    if payment_method:
        _confirm(session, payment, payment_method)
    return payment


def _confirm(session, payment: Payment, payment_method: str) -> None:
    digest = hashlib.sha256(payment_method.encode()).hexdigest()[:16]
    key = f"invoice-{payment.invoice_id}-attempt-{payment.attempt}-confirm-{digest}"
    try:
        intent = gateway.confirm_payment_intent(payment.stripe_payment_intent_id, idempotency_key=key,
                                                payment_method=payment_method)
    except gateway.CardDeclined:
        intent = gateway.retrieve_payment_intent(payment.stripe_payment_intent_id)
    apply_intent(session, payment, intent)


def _customer_id(session, invoice: Invoice) -> str:
    customer = session.execute(
        sa.select(StripeCustomer).where(StripeCustomer.organization_id == invoice.payer_organization_id)
    ).scalar_one_or_none()
    if customer is None:
        customer_id = gateway.create_customer(organization_id=invoice.payer_organization_id, name=invoice.payer.name)
        customer = StripeCustomer(organization_id=invoice.payer_organization_id, stripe_customer_id=customer_id)
        session.add(customer)
        session.flush()
    return customer.stripe_customer_id


def _cancel(session, payment: Payment) -> None:
    """Cancel an unfinished intent at Stripe (so it can never be charged later) and apply the answer."""
    if payment.status == "processing":
        raise Conflict("A card payment of this invoice is being processed; wait for its outcome.", slug="payment-processing")
    try:
        intent = gateway.cancel_payment_intent(payment.stripe_payment_intent_id)
    except gateway.PaymentProviderError:
        # Stripe refuses to cancel an intent that succeeded or is processing: take its word for the state.
        intent = gateway.retrieve_payment_intent(payment.stripe_payment_intent_id)
    apply_intent(session, payment, intent, quiet=True)
    if payment.status == "processing":
        raise Conflict("A card payment of this invoice is being processed; wait for its outcome.", slug="payment-processing")


def cancel_unfinished_payments(session, invoice: Invoice) -> None:
    """Before an invoice is settled or voided: no card payment of it may still go through."""
    for payment in invoice.payments:
        if payment.status not in TERMINAL_PAYMENT_STATES:
            _cancel(session, payment)
    if invoice.status == "paid":
        raise Conflict("A card payment of this invoice has just succeeded; it is paid.", slug="already-paid")


# ---- applying Stripe's news ------------------------------------------------------------------------


def apply_intent(
    session, payment: Payment, intent: gateway.IntentState, *, event_created: int | None = None, quiet: bool = False
) -> str:
    """Move the payment (and its invoice) to the state Stripe reports, unless that is older news.

    ``event_created`` is the event's Unix time (None for an API answer, which is current). A
    terminal state (succeeded, canceled) is never left; between other states the newer report
    wins, and reports of the same second are ordered by how far the payment got.
    Returns ``applied``, ``unchanged`` or ``stale``.
    """
    new = local_status(intent)
    current = payment.status
    if current in TERMINAL_PAYMENT_STATES:
        return "unchanged" if new == current else "stale"
    if new not in TERMINAL_PAYMENT_STATES and event_created is not None:
        if event_created < payment.stripe_state_at or (
            event_created == payment.stripe_state_at and PAYMENT_STATE_RANK[new] < PAYMENT_STATE_RANK[current]
        ):
            return "stale"
    payment.stripe_state_at = max(payment.stripe_state_at, event_created if event_created is not None else int(time.time()))
    payment.stripe_charge_id = intent.charge_id or payment.stripe_charge_id
    payment.client_secret = intent.client_secret or payment.client_secret
    failure = (intent.failure_code, intent.failure_message) if new == "failed" else (None, None)
    if new == current and failure == (payment.failure_code, payment.failure_message):
        return "unchanged"
    payment.status = new
    payment.failure_code, payment.failure_message = failure
    audit.record(session, "payment.status", payment, changes={"status": [current, new], "failure_code": failure[0]})
    _follow(session, payment, new, quiet=quiet)
    return "applied"


def _follow(session, payment: Payment, new: str, *, quiet: bool) -> None:
    """What a payment's new state means for its invoice."""
    invoice = payment.invoice
    session.flush()
    if new == "succeeded":
        payment.succeeded_at = utcnow()
        ledger.record_card_payment(session, invoice, payment)
        if can(INVOICE_EVENTS, invoice.status, "mark_paid"):
            move_invoice(session, invoice, "mark_paid")
            invoice.paid_via, invoice.paid_at = "stripe", utcnow()
            notices.invoice_paid(session, invoice)
            answers = signals.invoice_paid.send(invoice.source, session=session, invoice=invoice, payment=payment)
            undeliverable = [why for _, why in answers if isinstance(why, str) and why]
            if undeliverable:
                refunds.refund_in_full(session, invoice, " ".join(undeliverable))
        else:
            log.warning("invoice %s got a card payment while %s: refunding it", invoice.id, invoice.status)
            payment.is_duplicate = True
            audit.record(session, "payment.duplicate", payment, changes={"invoice_status": invoice.status})
            refund = refunds.refund_duplicate(session, payment)
            notices.duplicate_payment(session, invoice, payment.amount, refunded=refund is not None)
        return
    if payment is not invoice.latest_payment:
        return
    if new == "processing" and can(INVOICE_EVENTS, invoice.status, "start_processing"):
        move_invoice(session, invoice, "start_processing")
    elif new == "failed" and can(INVOICE_EVENTS, invoice.status, "mark_failed"):
        move_invoice(session, invoice, "mark_failed")
        reason = payment.failure_message or "The card was declined."
        notices.payment_failed(session, invoice, reason)
        signals.invoice_payment_failed.send(invoice.source, session=session, invoice=invoice, payment=payment, reason=reason)
    elif new == "canceled" and invoice.status in ("open", "processing", "failed"):
        if can(INVOICE_EVENTS, invoice.status, "reopen"):
            move_invoice(session, invoice, "reopen")
        if not quiet:
            reason = "The card payment was canceled."
            notices.payment_failed(session, invoice, reason)
            signals.invoice_payment_failed.send(invoice.source, session=session, invoice=invoice, payment=payment, reason=reason)
    elif new in ("requires_payment_method", "requires_confirmation", "requires_action") and invoice.status in ("failed", "processing"):
        move_invoice(session, invoice, "reopen")


def refresh_payments(session, invoice: Invoice) -> None:
    """Ask Stripe for the state of every unfinished payment of the invoice and apply it."""
    for payment in invoice.payments:
        if payment.status not in TERMINAL_PAYMENT_STATES:
            apply_intent(session, payment, gateway.retrieve_payment_intent(payment.stripe_payment_intent_id))
