"""The only place licensing creates invoices (through the payments service) and reads what they
say about money: paid, outstanding, overdue."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from marketplace.core.db import utcnow

#: days a licensee has to pay a royalty, a true-up or a confirmed milestone
PAYMENT_TERMS_DAYS = 30
#: invoice states that still wait for money, and those that count as received
UNPAID_STATES = ("open", "processing", "failed")
PAID_STATES = ("paid", "partially_refunded")


def _payments():
    from marketplace.payments import services

    return services


def _issue(session, *, license, amount: int, source: str, source_ref: str, description: str, due_date: date) -> int:
    invoice = _payments().create_invoice(
        session,
        license.licensee_id,
        license.licensor_id,
        amount,
        license.currency,
        source,
        source_ref,
        description,
        due_date,
    )
    return invoice.id


def invoice_upfront_fee(session, license) -> int:
    """The upfront fee, due now; paying it activates the license."""
    return _issue(
        session,
        license=license,
        amount=license.upfront_fee_amount,
        source="upfront_fee",
        source_ref=str(license.id),
        description=f"Upfront fee of license {license.id}",
        due_date=utcnow().date(),
    )


def invoice_milestone(session, milestone, due_date: date) -> int:
    license = milestone.license
    return _issue(
        session,
        license=license,
        amount=milestone.amount,
        source="milestone",
        source_ref=str(milestone.id),
        description=f"Milestone “{milestone.name}” of license {license.id}",
        due_date=due_date,
    )


def invoice_royalty(session, report, issued_on: date) -> int:
    license = report.license
    return _issue(
        session,
        license=license,
        amount=report.royalty_amount,
        source="royalty",
        source_ref=str(report.id),
        description=(
            f"Royalty of license {license.id} for {report.period_start.isoformat()} to {report.period_end.isoformat()}"
        ),
        due_date=issued_on + timedelta(days=PAYMENT_TERMS_DAYS),
    )


def invoice_true_up(session, report, year_start: date, year_end: date, issued_on: date) -> int:
    license = report.license
    return _issue(
        session,
        license=license,
        amount=report.true_up_amount,
        source="royalty",
        source_ref=f"{report.id}:minimum",
        description=(
            f"Minimum annual royalty true-up of license {license.id} for the license year "
            f"{year_start.isoformat()} to {year_end.isoformat()}"
        ),
        due_date=issued_on + timedelta(days=PAYMENT_TERMS_DAYS),
    )


@dataclass
class MoneySummary:
    """What a set of invoices adds up to, in one currency (minor units)."""

    currency: str
    invoiced_amount: int = 0
    paid_amount: int = 0
    outstanding_amount: int = 0
    overdue_amount: int = 0
    invoice_ids: list[int] = field(default_factory=list)


def summarize(session, owners: dict, today: date) -> dict:
    """Paid, outstanding and overdue amounts per owner (a license, an agreement) in one query.

    ``owners`` maps a key to ``(currency, invoice_ids)``. Paid counts what was received net of
    refunds; voided and fully refunded invoices owe nothing.
    """
    from marketplace.payments.models import Invoice

    summaries = {key: MoneySummary(currency) for key, (currency, _) in owners.items()}
    owner_of = {iid: key for key, (_, ids) in owners.items() for iid in ids if iid is not None}
    if not owner_of:
        return summaries
    invoices = session.query(Invoice).filter(Invoice.id.in_(list(owner_of))).all()
    for invoice in invoices:
        summary = summaries[owner_of[invoice.id]]
        summary.invoice_ids.append(invoice.id)
        if invoice.status == "void":
            continue
        summary.invoiced_amount += invoice.amount
        if invoice.status in PAID_STATES or invoice.status == "refunded":
            summary.paid_amount += invoice.amount - invoice.amount_refunded
        elif invoice.status in UNPAID_STATES:
            summary.outstanding_amount += invoice.amount
            if invoice.due_date < today:
                summary.overdue_amount += invoice.amount
    return summaries


def received(session, invoice_ids: list[int], since, until) -> list[dict]:
    """Money paid on these invoices from ``since`` (included) to ``until`` (excluded), per currency."""
    from marketplace.payments.models import Invoice

    if not invoice_ids:
        return []
    paid = (
        session.query(Invoice)
        .filter(Invoice.id.in_(invoice_ids), Invoice.paid_at >= since, Invoice.paid_at < until,
                Invoice.status.in_((*PAID_STATES, "refunded")))
        .all()
    )
    totals: dict[str, dict] = {}
    for invoice in paid:
        row = totals.setdefault(invoice.currency, {"currency": invoice.currency, "paid_amount": 0,
                                                   "platform_fee_amount": 0, "net_amount": 0})
        amount = invoice.amount - invoice.amount_refunded
        fee = invoice.platform_fee_amount - invoice.fee_refunded
        row["paid_amount"] += amount
        row["platform_fee_amount"] += fee
        row["net_amount"] += amount - fee
    return [totals[c] for c in sorted(totals)]
