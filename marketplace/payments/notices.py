"""Who hears about invoices and payments: in-app notifications and emails, queued with the change."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from marketplace.accounts.models import User
from marketplace.core.money import Money
from marketplace.accounts.services import active_members
from marketplace.notifications.services import tell
from marketplace.payments.models import Dispute, Invoice, Payout, Refund


_people = active_members


def _admins(session) -> list[User]:
    stmt = sa.select(User).where(User.is_admin.is_(True), User.suspended_at.is_(None)).order_by(User.id)
    return list(session.execute(stmt).scalars())


def _money(amount: int, currency: str) -> str:
    return Money(amount, currency).format()


def _link(invoice: Invoice) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/invoices/{invoice.id}"


def _tell(session, people: list[User], invoice: Invoice | None, *, kind: str, title: str, body: str, data: dict) -> None:
    link = f"Details: {_link(invoice)}" if invoice is not None else None
    tell(session, people, kind=kind, title=title, body=body, link=link, data=data)


def _about(invoice: Invoice) -> dict:
    return {"invoice_id": invoice.id}


def invoice_issued(session, invoice: Invoice) -> None:
    title = f"New invoice from {invoice.payee.name}: {_money(invoice.amount, invoice.currency)}"
    body = f"{invoice.description}\nDue on {invoice.due_date.isoformat()}."
    _tell(session, _people(session, invoice.payer_organization_id), invoice, kind="invoice_issued", title=title, body=body, data=_about(invoice))


def invoice_paid(session, invoice: Invoice) -> None:
    amount = _money(invoice.amount, invoice.currency)
    how = "by bank transfer" if invoice.paid_via == "manual" else "by card"
    _tell(session, _people(session, invoice.payer_organization_id), invoice, kind="invoice_paid",
          title=f"Invoice #{invoice.id} is paid", body=f"Your payment of {amount} {how} to {invoice.payee.name} is confirmed.",
          data=_about(invoice))
    _tell(session, _people(session, invoice.payee_organization_id, managers_only=True), invoice, kind="invoice_paid",
          title=f"{invoice.payer.name} paid invoice #{invoice.id}",
          body=f"{amount} received {how}; platform fee {_money(invoice.platform_fee_amount, invoice.currency)}.",
          data=_about(invoice))


def payment_failed(session, invoice: Invoice, reason: str) -> None:
    _tell(session, _people(session, invoice.payer_organization_id), invoice, kind="payment_failed",
          title=f"Payment of invoice #{invoice.id} did not go through",
          body=f"{reason}\nThe invoice is still open: you can pay it again.", data=_about(invoice))


def invoice_refunded(session, invoice: Invoice, refund: Refund) -> None:
    amount = _money(refund.amount, refund.currency)
    _tell(session, _people(session, invoice.payer_organization_id), invoice, kind="invoice_refunded",
          title=f"Refund of {amount} on invoice #{invoice.id}",
          body=f"{'The platform' if refund.requested_by_id is None else invoice.payee.name} refunded {amount}: {refund.reason}",
          data=_about(invoice))
    _tell(session, _people(session, invoice.payee_organization_id, managers_only=True), invoice, kind="invoice_refunded",
          title=f"Refund of {amount} on invoice #{invoice.id} confirmed", body=f"Reason: {refund.reason}", data=_about(invoice))


def refund_failed(session, invoice: Invoice, refund: Refund) -> None:
    _tell(session, _people(session, invoice.payee_organization_id, managers_only=True), invoice, kind="refund_failed",
          title=f"Refund on invoice #{invoice.id} failed",
          body=f"Stripe could not refund {_money(refund.amount, refund.currency)} ({refund.status}).", data=_about(invoice))


def invoice_voided(session, invoice: Invoice) -> None:
    people = _people(session, invoice.payer_organization_id) + _people(session, invoice.payee_organization_id, managers_only=True)
    _tell(session, people, invoice, kind="invoice_voided", title=f"Invoice #{invoice.id} was voided",
          body=f"An administrator voided the invoice: {invoice.void_reason}", data=_about(invoice))


def dispute_opened(session, invoice: Invoice, dispute: Dispute) -> None:
    people = _people(session, invoice.payee_organization_id, managers_only=True) + _admins(session)
    _tell(session, people, invoice, kind="payment_disputed", title=f"Payment of invoice #{invoice.id} is disputed",
          body=f"The payer's bank opened a dispute ({dispute.reason}) over {_money(dispute.amount, dispute.currency)}.",
          data=_about(invoice))


def duplicate_payment(session, invoice: Invoice, amount: int, *, refunded: bool) -> None:
    what = "It is being refunded to the payer automatically." if refunded else "Refund it to the payer in Stripe."
    _tell(session, _admins(session), invoice, kind="payment_duplicate",
          title=f"Invoice #{invoice.id} received a card payment while {invoice.status.replace('_', ' ')}",
          body=f"A card payment of {_money(amount, invoice.currency)} succeeded after the invoice was "
               f"{'voided' if invoice.status == 'void' else 'settled'}. {what}",
          data=_about(invoice))


def automatic_refund_failed(session, invoice: Invoice, amount: int, reason: str) -> None:
    people = _people(session, invoice.payee_organization_id, managers_only=True) + _admins(session)
    _tell(session, people, invoice, kind="refund_failed",
          title=f"Refund on invoice #{invoice.id} could not be made automatically",
          body=f"Stripe did not accept the refund of {_money(amount, invoice.currency)} ({reason}). "
               "Refund the payer in Stripe or by bank transfer.",
          data=_about(invoice))


def payout_recorded(session, payout: Payout) -> None:
    _tell(session, _people(session, payout.organization_id, managers_only=True), None, kind="payout_recorded",
          title=f"Payout of {_money(payout.amount, payout.currency)} sent",
          body=f"The platform paid out {_money(payout.amount, payout.currency)} (reference {payout.reference}, "
               f"{payout.paid_on.isoformat()}).",
          data={"payout_id": payout.id})


def stripe_account_ready(session, organization_id: int) -> None:
    _tell(session, _people(session, organization_id, managers_only=True), None, kind="stripe_account_ready",
          title="Your Stripe account can receive card payments",
          body="Stripe enabled charges and payouts: card payments of your invoices now go straight to your Stripe account.",
          data={})
