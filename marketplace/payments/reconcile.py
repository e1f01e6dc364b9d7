"""Compare local payments, refunds and connected accounts with Stripe; optionally repair from Stripe's truth."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Iterable

import sqlalchemy as sa

from marketplace.core import audit
from marketplace.core.db import utcnow
from marketplace.core.transaction import commit
from marketplace.payments import checkout, connect, gateway, refunds
from marketplace.payments.access import lock_payment
from marketplace.payments.models import Invoice, Payment, Refund, StripeAccount
from marketplace.payments.states import LIVE_PAYMENT_STATES, TERMINAL_PAYMENT_STATES


@dataclass
class Drift:
    subject: str
    problem: str
    #: whether Stripe's state can be applied here (a finished local payment is never rewritten)
    fixable: bool
    fixed: bool = False

    def __str__(self) -> str:
        mark = "fixed" if self.fixed else ("fixable with --fix" if self.fixable else "needs a person")
        return f"{self.subject}: {self.problem} [{mark}]"


def plan(session, days: int) -> list[tuple[str, int]]:
    """What to compare: unfinished payments, payments of the last ``days`` days, every connected account."""
    since = utcnow() - timedelta(days=days)
    payments = session.execute(
        sa.select(Payment.id)
        .where(sa.or_(Payment.status.in_(LIVE_PAYMENT_STATES), Payment.created_at >= since))
        .order_by(Payment.id)
    ).scalars()
    accounts = session.execute(sa.select(StripeAccount.id).order_by(StripeAccount.id)).scalars()
    return [("payment", pid) for pid in payments] + [("account", aid) for aid in accounts]


def compare_all(session, items: Iterable[tuple[str, int]], *, fix: bool) -> list[Drift]:
    """Check each planned object (committing its repairs when fixing), then the local consistency."""
    drifts: list[Drift] = []
    for kind, object_id in items:
        found = check(session, kind, object_id, fix=fix)
        if fix and any(d.fixed for d in found):
            commit(session)
        else:
            session.rollback()
        drifts += found
    return drifts + local_inconsistencies(session)


def check(session, kind: str, object_id: int, *, fix: bool) -> list[Drift]:
    return _check_payment(session, object_id, fix) if kind == "payment" else _check_account(session, object_id, fix)


def _check_payment(session, payment_id: int, fix: bool) -> list[Drift]:
    payment = lock_payment(session, payment_id) if fix else session.get(Payment, payment_id)
    subject = f"invoice {payment.invoice_id} payment {payment.stripe_payment_intent_id}"
    try:
        intent = gateway.retrieve_payment_intent(payment.stripe_payment_intent_id)
    except gateway.PaymentProviderError as exc:
        return [Drift(subject, f"Stripe cannot find it ({exc.detail})", fixable=False)]
    drifts = []
    if (intent.amount, intent.currency) != (payment.amount, payment.currency):
        drifts.append(Drift(subject, f"amount {payment.amount} {payment.currency} here, "
                                     f"{intent.amount} {intent.currency} at Stripe", fixable=False))
    expected = checkout.local_status(intent)
    if expected != payment.status:
        drift = Drift(subject, f"{payment.status} here, {expected} at Stripe",
                      fixable=payment.status not in TERMINAL_PAYMENT_STATES)
        drifts.append(drift)
        if fix and drift.fixable:
            checkout.apply_intent(session, payment, intent)
            audit.record(session, "payment.reconcile", payment, changes={"status": [drift.problem]})
            drift.fixed = True
    if expected == "succeeded":
        drifts += _check_refunds(session, payment, subject, fix)
    return drifts


def _check_refunds(session, payment: Payment, subject: str, fix: bool) -> list[Drift]:
    drifts = []
    for state in gateway.list_refunds(payment.stripe_payment_intent_id):
        local = session.execute(sa.select(Refund).where(Refund.stripe_refund_id == state.id)).scalar_one_or_none()
        if local is None:
            drift = Drift(subject, f"refund {state.id} of {state.amount} {state.currency} ({state.status}) is missing here",
                          fixable=True)
        elif local.status != state.status and local.status not in ("succeeded", "failed", "canceled"):
            drift = Drift(subject, f"refund {state.id} is {local.status} here, {state.status} at Stripe", fixable=True)
        else:
            continue
        drifts.append(drift)
        if fix and payment.status == "succeeded":
            drift.fixed = refunds.apply_refund_state(session, payment, state) == "applied"
            drift.fixable = drift.fixed
    return drifts


def _check_account(session, account_id: int, fix: bool) -> list[Drift]:
    stmt = sa.select(StripeAccount).where(StripeAccount.id == account_id)
    account = session.execute(stmt.with_for_update() if fix else stmt).scalar_one()
    subject = f"organization {account.organization_id} Stripe account {account.stripe_account_id}"
    try:
        state = gateway.retrieve_account(account.stripe_account_id)
    except gateway.PaymentProviderError as exc:
        return [Drift(subject, f"Stripe cannot find it ({exc.detail})", fixable=False)]
    differs = [
        name for name in ("details_submitted", "charges_enabled", "payouts_enabled")
        if getattr(account, name) != getattr(state, name)
    ]
    if not differs:
        return []
    drift = Drift(subject, ", ".join(f"{n} {getattr(account, n)} here, {getattr(state, n)} at Stripe" for n in differs),
                  fixable=True)
    if fix:
        connect.apply_account_state(session, account, state)
        drift.fixed = True
    return [drift]


def local_inconsistencies(session) -> list[Drift]:
    """Invoices marked paid by card without a succeeded payment (nothing Stripe can repair)."""
    paid = sa.select(Payment.id).where(Payment.invoice_id == Invoice.id, Payment.status == "succeeded").exists()
    stmt = sa.select(Invoice.id, Invoice.status).where(Invoice.paid_via == "stripe", ~paid).order_by(Invoice.id)
    return [Drift(f"invoice {iid}", f"{status} by card without a succeeded payment", fixable=False)
            for iid, status in session.execute(stmt)]
