"""Invoice reminders for the paying organization's managers: due in 3 days, then overdue (dunning)
after 1, 7 and 14 days."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from marketplace.accounts.services import active_members
from marketplace.core.money import Money
from marketplace.notifications import reminders
from marketplace.notifications.reminders import Reminder
from marketplace.payments.models import Invoice

#: invoices the payer still has to pay
UNPAID = ("open", "failed")
DUE_SOON_DAYS = 3
#: days past the due date at which the payer is reminded again
DUNNING_DAYS = (1, 7, 14)


def _unpaid(session, due_from: date, due_to: date) -> list[Invoice]:
    return list(session.execute(
        sa.select(Invoice)
        .where(Invoice.status.in_(UNPAID), Invoice.due_date >= due_from, Invoice.due_date <= due_to)
        .options(selectinload(Invoice.payee))
        .order_by(Invoice.id)
    ).scalars())


def _reminder(session, invoice: Invoice, kind: str, stage: str, title: str, body: str) -> Reminder:
    return Reminder(kind=kind, object_type="invoice", object_id=invoice.id, stage=stage,
                    people=active_members(session, invoice.payer_organization_id, managers_only=True),
                    title=title, body=body, path=f"/invoices/{invoice.id}", data={"invoice_id": invoice.id})


def _amount(invoice: Invoice) -> str:
    return Money(invoice.amount, invoice.currency).format()


def due_soon(session, today: date) -> list[Reminder]:
    """Unpaid invoices due within the next 3 days (today included)."""
    return [
        _reminder(session, invoice, "invoice_due", f"due_in_{DUE_SOON_DAYS}",
                  f"Invoice #{invoice.id} is due on {invoice.due_date.isoformat()}",
                  f"{_amount(invoice)} to {invoice.payee.name} for {invoice.description} "
                  f"falls due on {invoice.due_date.isoformat()}.")
        for invoice in _unpaid(session, today, today + timedelta(days=DUE_SOON_DAYS))
    ]


def overdue(session, today: date) -> list[Reminder]:
    """Unpaid invoices past their due date, at the latest dunning stage each has reached."""
    found = []
    for invoice in _unpaid(session, date.min, today - timedelta(days=DUNNING_DAYS[0])):
        late = (today - invoice.due_date).days
        stage = max(d for d in DUNNING_DAYS if d <= late)
        found.append(_reminder(
            session, invoice, "invoice_overdue", f"overdue_{stage}",
            f"Invoice #{invoice.id} is overdue ({late} days)",
            f"{_amount(invoice)} to {invoice.payee.name} for {invoice.description} "
            f"was due on {invoice.due_date.isoformat()}. Please pay it or contact {invoice.payee.name}."))
    return found


def register() -> None:
    reminders.register("invoice_due", "An invoice your organization pays falls due in 3 days.", due_soon)
    reminders.register("invoice_overdue", "An invoice your organization pays is overdue (after 1, 7 and 14 days).",
                       overdue)
