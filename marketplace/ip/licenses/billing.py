"""The seam through which licensing issues invoices and learns what they say about money.

``ip`` sits below ``payments`` and never imports it: the application wires an implementation of
:class:`Invoicing` (``marketplace.deals.billing.PaymentsInvoicing``, over the payments service) into
``app.extensions["invoicing"]``. The functions below are the only places licensing issues invoices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from flask import current_app

from marketplace.core.db import utcnow

#: days a licensee has to pay a royalty, a true-up or a confirmed milestone
PAYMENT_TERMS_DAYS = 30


@dataclass
class MoneySummary:
    """What the invoices of one agreement add up to, in its currency (minor units)."""

    currency: str
    invoiced_amount: int = 0
    paid_amount: int = 0
    outstanding_amount: int = 0
    overdue_amount: int = 0
    invoice_ids: list[int] = field(default_factory=list)


class Invoicing(Protocol):
    """What licensing needs from the payments side."""

    def issue(self, session, *, payer_id: int, payee_id: int, amount: int, currency: str, source: str,
              source_ref: str, description: str, due_date: date) -> int:
        """Issue an invoice (flushed with the caller's transaction); its id."""

    def summarize(self, session, owners: dict, today: date) -> dict:
        """``{key: MoneySummary}`` for ``owners`` = ``{key: (currency, invoice_ids)}``."""

    def received(self, session, invoice_ids: list[int], since: datetime, until: datetime) -> list[dict]:
        """Money paid on these invoices in ``[since, until)``, per currency."""


def invoicing() -> Invoicing:
    return current_app.extensions["invoicing"]


def _issue(session, license, *, amount: int, source: str, source_ref: str, description: str, due_date: date) -> int:
    return invoicing().issue(
        session,
        payer_id=license.licensee_id,
        payee_id=license.licensor_id,
        amount=amount,
        currency=license.currency,
        source=source,
        source_ref=source_ref,
        description=description,
        due_date=due_date,
    )


def invoice_upfront_fee(session, license) -> int:
    """The upfront fee, due now; paying it activates the license."""
    return _issue(session, license, amount=license.upfront_fee_amount, source="upfront_fee",
                  source_ref=str(license.id), description=f"Upfront fee of license {license.id}",
                  due_date=utcnow().date())


def invoice_milestone(session, milestone, due_date: date) -> int:
    license = milestone.license
    return _issue(session, license, amount=milestone.amount, source="milestone", source_ref=str(milestone.id),
                  description=f"Milestone “{milestone.name}” of license {license.id}", due_date=due_date)


def invoice_royalty(session, report, issued_on: date) -> int:
    license = report.license
    return _issue(
        session, license, amount=report.royalty_amount, source="royalty", source_ref=str(report.id),
        description=(f"Royalty of license {license.id} for {report.period_start.isoformat()} "
                     f"to {report.period_end.isoformat()}"),
        due_date=issued_on + timedelta(days=PAYMENT_TERMS_DAYS),
    )


def invoice_true_up(session, report, year_start: date, year_end: date, issued_on: date) -> int:
    license = report.license
    return _issue(
        session, license, amount=report.true_up_amount, source="royalty", source_ref=f"{report.id}:minimum",
        description=(f"Minimum annual royalty true-up of license {license.id} for the license year "
                     f"{year_start.isoformat()} to {year_end.isoformat()}"),
        due_date=issued_on + timedelta(days=PAYMENT_TERMS_DAYS),
    )


def summarize(session, owners: dict, today: date) -> dict:
    """Paid, outstanding and overdue per owner: ``owners`` = ``{key: (currency, invoice_ids)}``."""
    return invoicing().summarize(session, owners, today)


def received(session, invoice_ids: list[int], since: datetime, until: datetime) -> list[dict]:
    return invoicing().received(session, invoice_ids, since, until)
