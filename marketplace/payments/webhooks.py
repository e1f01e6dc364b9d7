"""Stripe webhooks: verify the signature, record the event id once, dispatch through a table of handlers.

A repeated event is a no-op: its id is unique in ``stripe_events``, inserted in the same
transaction as the handler's changes, so two deliveries racing each other cannot both apply it
(the second insert waits for the first transaction and then fails the unique constraint).
Events may come in any order: handlers apply them through ``apply_*`` functions that ignore news
older than what was already applied.
"""

from __future__ import annotations

import logging
from typing import Callable

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from marketplace.core import audit
from marketplace.payments import checkout, connect, gateway, notices, refunds
from marketplace.payments.access import lock_payment
from marketplace.payments.models import Dispute, Payment, StripeAccount, StripeEvent

log = logging.getLogger(__name__)


def receive(session, payload: bytes, signature: str | None) -> dict:
    """Handle one webhook delivery; returns what happened (the event is recorded with its outcome)."""
    event = gateway.construct_event(payload, signature)
    obj = event.get("data", {}).get("object") or {}
    if _seen(session, event["id"]):
        return {"received": True, "duplicate": True, "outcome": None}
    row = StripeEvent(stripe_event_id=event["id"], type=event["type"], created=int(event["created"]), object_id=obj.get("id"))
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        # Another delivery of this event committed while we were verifying it.
        return {"received": True, "duplicate": True, "outcome": None}
    handler = HANDLERS.get(event["type"])
    row.outcome = handler(session, event, obj) if handler else "unhandled"
    log.info("stripe event %s %s: %s", event["id"], event["type"], row.outcome)
    return {"received": True, "duplicate": False, "outcome": row.outcome}


def _seen(session, event_id: str) -> bool:
    return session.execute(sa.select(sa.exists().where(StripeEvent.stripe_event_id == event_id))).scalar()


def _id(value) -> str | None:
    return value.get("id") if isinstance(value, dict) else value


def _locked_payment(session, *, intent_id: str | None = None, charge_id: str | None = None) -> Payment | None:
    """The payment of a PaymentIntent (or charge), with its invoice locked first, as every writer does."""
    where = Payment.stripe_payment_intent_id == intent_id if intent_id else Payment.stripe_charge_id == charge_id
    if not (intent_id or charge_id):
        return None
    payment_id = session.execute(sa.select(Payment.id).where(where)).scalar_one_or_none()
    return None if payment_id is None else lock_payment(session, payment_id)


def _on_payment_intent(session, event: dict, obj: dict) -> str:
    payment = _locked_payment(session, intent_id=obj.get("id"))
    if payment is None:
        return "unknown_object"
    return checkout.apply_intent(session, payment, gateway.intent_from_event(obj), event_created=int(event["created"]))


def _on_charge_refunded(session, event: dict, obj: dict) -> str:
    payment = _locked_payment(session, intent_id=_id(obj.get("payment_intent")), charge_id=obj.get("id"))
    if payment is None:
        return "unknown_object"
    return refunds.sync_refunds(session, payment)


def _on_refund(session, event: dict, obj: dict) -> str:
    state = gateway.refund_from_event(obj)
    payment = _locked_payment(session, intent_id=state.payment_intent, charge_id=state.charge)
    if payment is None:
        return "unknown_object"
    return refunds.apply_refund_state(session, payment, state)


def _on_dispute_created(session, event: dict, obj: dict) -> str:
    payment = _locked_payment(session, intent_id=_id(obj.get("payment_intent")), charge_id=_id(obj.get("charge")))
    if payment is None:
        return "unknown_object"
    exists = session.execute(sa.select(Dispute.id).where(Dispute.stripe_dispute_id == obj["id"])).first()
    if exists:
        return "unchanged"
    currency = obj["currency"].upper()
    dispute = Dispute(
        invoice=payment.invoice,
        payment_id=payment.id,
        stripe_dispute_id=obj["id"],
        amount=gateway.local_amount(obj["amount"], currency),
        currency=currency,
        reason=(obj.get("reason") or "general")[:60],
        status=(obj.get("status") or "needs_response")[:60],
    )
    session.add(dispute)
    session.flush()
    audit.record(session, "dispute.open", dispute,
                 changes={"invoice_id": payment.invoice_id, "amount": dispute.amount, "reason": dispute.reason})
    notices.dispute_opened(session, payment.invoice, dispute)
    return "applied"


def _on_account_updated(session, event: dict, obj: dict) -> str:
    stmt = sa.select(StripeAccount).where(StripeAccount.stripe_account_id == obj.get("id")).with_for_update()
    account = session.execute(stmt).scalar_one_or_none()
    if account is None:
        return "unknown_object"
    return connect.apply_account_state(session, account, gateway.account_from_event(obj), event_created=int(event["created"]))


#: event type -> handler(session, event, data.object) returning the outcome
HANDLERS: dict[str, Callable[[object, dict, dict], str]] = {
    "payment_intent.succeeded": _on_payment_intent,
    "payment_intent.processing": _on_payment_intent,
    "payment_intent.payment_failed": _on_payment_intent,
    "payment_intent.canceled": _on_payment_intent,
    "payment_intent.requires_action": _on_payment_intent,
    "charge.refunded": _on_charge_refunded,
    "charge.refund.updated": _on_refund,
    "refund.updated": _on_refund,
    "refund.failed": _on_refund,
    "charge.dispute.created": _on_dispute_created,
    "account.updated": _on_account_updated,
}
