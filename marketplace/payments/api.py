"""Payments' public API: the one module other packages import from ``marketplace.payments``.

Other packages issue invoices here, ask what their invoices add up to (payments alone knows what
an invoice's state means for money), and learn what happens to them through the signals below,
each package connecting its own receivers. Payments imports none of them; the import-linter
contracts in ``pyproject.toml`` forbid every other module of this package to them.

Invoices handed back are read-only for the caller: it may read and show them, never change them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from marketplace.payments.models import Invoice
from marketplace.payments.schemas import InvoiceSchema
from marketplace.payments.services import create_invoice as issue_invoice
from marketplace.payments.services import find_invoices, invoices_by_id, settle_manually
from marketplace.payments.signals import invoice_paid, invoice_payment_failed, invoice_refunded, invoice_voided

__all__ = [
    "InvoiceSchema",
    "InvoiceTotal",
    "MoneySummary",
    "find_invoices",
    "invoice_paid",
    "invoice_payment_failed",
    "invoice_refunded",
    "invoice_voided",
    "invoices_by_id",
    "is_void",
    "issue_invoice",
    "money_received",
    "money_summaries",
    "settle_manually",
    "totals_by_parties",
]

#: states that still wait for money; states whose money was received (net of refunds)
_UNPAID_STATES = ("open", "processing", "failed")
_RECEIVED_STATES = ("paid", "partially_refunded", "refunded")
#: states counted as paid in totals (a fully refunded invoice is neither paid nor owed)
_PAID_STATES = ("paid", "partially_refunded")


def is_void(invoice: Invoice) -> bool:
    """A voided invoice can no longer be paid and owes nothing."""
    return invoice.status == "void"


@dataclass
class MoneySummary:
    """What a set of invoices in one currency adds up to (minor units)."""

    currency: str
    invoiced_amount: int = 0
    paid_amount: int = 0
    outstanding_amount: int = 0
    overdue_amount: int = 0
    invoice_ids: list[int] = field(default_factory=list)


def money_summaries(session, owners: dict, today: date) -> dict:
    """``{key: MoneySummary}`` for ``owners`` = ``{key: (currency, invoice_ids)}``: paid (net of
    refunds), outstanding and overdue per owner; void invoices owe nothing (one query)."""
    invoices = invoices_by_id(session, [i for _, ids in owners.values() for i in ids])
    summaries = {}
    for key, (currency, ids) in owners.items():
        summary = summaries[key] = MoneySummary(currency)
        for invoice in (invoices[i] for i in ids if i in invoices):
            summary.invoice_ids.append(invoice.id)
            if is_void(invoice):
                continue
            summary.invoiced_amount += invoice.amount
            if invoice.status in _RECEIVED_STATES:
                summary.paid_amount += invoice.amount - invoice.amount_refunded
            elif invoice.status in _UNPAID_STATES:
                summary.outstanding_amount += invoice.amount
                if invoice.due_date < today:
                    summary.overdue_amount += invoice.amount
    return summaries


def money_received(session, invoice_ids: list[int], since: datetime, until: datetime) -> list[dict]:
    """Money paid on these invoices in ``[since, until)`` per currency: gross, platform fee, net."""
    totals: dict[str, dict] = {}
    for invoice in invoices_by_id(session, invoice_ids).values():
        if invoice.status not in _RECEIVED_STATES or invoice.paid_at is None or not since <= invoice.paid_at < until:
            continue
        row = totals.setdefault(invoice.currency, {"currency": invoice.currency, "paid_amount": 0,
                                                   "platform_fee_amount": 0, "net_amount": 0})
        amount = invoice.amount - invoice.amount_refunded
        fee = invoice.platform_fee_amount - invoice.fee_refunded
        row["paid_amount"] += amount
        row["platform_fee_amount"] += fee
        row["net_amount"] += amount - fee
    return [totals[c] for c in sorted(totals)]


@dataclass
class InvoiceTotal:
    """Paid (net of refunds) and outstanding money in one currency (minor units), with counts."""

    currency: str
    paid_amount: int = 0
    outstanding_amount: int = 0
    paid_count: int = 0
    outstanding_count: int = 0

    def _add(self, status: str, count: int, amount: int, refunded: int) -> None:
        if status in _PAID_STATES:
            self.paid_amount += amount - refunded
            self.paid_count += count
        elif status in _UNPAID_STATES:
            self.outstanding_amount += amount
            self.outstanding_count += count

    def absorb(self, other: InvoiceTotal) -> None:
        """Add another total in the same currency to this one."""
        self.paid_amount += other.paid_amount
        self.outstanding_amount += other.outstanding_amount
        self.paid_count += other.paid_count
        self.outstanding_count += other.outstanding_count


def totals_by_parties(
    session,
    *,
    payer_ids=None,
    by_ref: tuple[str, list] | None = None,
    by_pair: tuple[tuple[str, ...], set[tuple[int, int]]] | None = None,
) -> dict[tuple[int, int, str], InvoiceTotal]:
    """``{(payer_id, payee_id, currency): InvoiceTotal}`` in one query, over the invoices that match
    ``by_ref`` = ``(source, source_refs)`` or ``by_pair`` = ``(sources, {(payer_id, payee_id), ...})``
    (either), optionally only those paid by ``payer_ids``."""
    conditions = []
    if by_ref is not None:
        source, refs = by_ref
        conditions.append(sa.and_(Invoice.source == source, Invoice.source_ref.in_([str(r) for r in refs])))
    if by_pair is not None and by_pair[1]:
        sources, pairs = by_pair
        conditions.append(sa.and_(
            Invoice.source.in_(sources),
            sa.tuple_(Invoice.payer_organization_id, Invoice.payee_organization_id).in_(sorted(pairs)),
        ))
    if not conditions:
        return {}
    where = sa.or_(*conditions)
    if payer_ids is not None:
        where = sa.and_(Invoice.payer_organization_id.in_(list(payer_ids)), where)
    rows = session.execute(
        sa.select(
            Invoice.payer_organization_id,
            Invoice.payee_organization_id,
            Invoice.currency,
            Invoice.status,
            sa.func.count(),
            sa.func.sum(Invoice.amount),
            sa.func.sum(Invoice.amount_refunded),
        )
        .where(where)
        .group_by(Invoice.payer_organization_id, Invoice.payee_organization_id, Invoice.currency, Invoice.status)
    ).all()
    out: dict[tuple[int, int, str], InvoiceTotal] = {}
    for payer, payee, currency, status, count, amount, refunded in rows:
        total = out.setdefault((payer, payee, currency), InvoiceTotal(currency))
        total._add(status, int(count), int(amount), int(refunded))
    return out
