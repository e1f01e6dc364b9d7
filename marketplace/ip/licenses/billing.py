"""Where licensing issues invoices and learns what they say about money, through payments'
public API (``marketplace.payments.api``). The functions below are the only places licensing
issues invoices.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from marketplace.core.db import utcnow
from marketplace.payments import api as payments

#: days a licensee has to pay a royalty, a true-up or a confirmed milestone
PAYMENT_TERMS_DAYS = 30


def _issue(session, license, *, amount: int, source: str, source_ref: str, description: str, due_date: date) -> int:
    invoice = payments.issue_invoice(session, license.licensee_id, license.licensor_id, amount, license.currency,
                                     source, source_ref, description, due_date)
    return invoice.id


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
    return payments.money_summaries(session, owners, today)


def received(session, invoice_ids: list[int], since: datetime, until: datetime) -> list[dict]:
    """Money paid on these invoices in ``[since, until)``, per currency."""
    return payments.money_received(session, invoice_ids, since, until)
