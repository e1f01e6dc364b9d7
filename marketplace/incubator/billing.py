"""The incubator's only door to invoices: program fees are issued through the payments service,
and what invoices say about money (paid, outstanding) is read here and nowhere else.

Which invoices count:
- a member's **program fee**: source ``program_fee`` with ``source_ref`` = the cohort member's id;
- a startup's **licensing** money: sources ``express_license``, ``upfront_fee``, ``milestone`` and
  ``royalty`` that the startup (licensee) pays to the licensor of one of its licenses. A license's
  payment state covers the licensing invoices between its licensee and licensor in its currency.
Paid counts what was received net of refunds (``paid`` and ``partially_refunded``); outstanding
is what waits for money (``open``, ``processing``, ``failed``); void and refunded invoices owe nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from marketplace.core.db import utcnow
from marketplace.payments.models import Invoice
from marketplace.payments.services import create_invoice, find_invoices

PROGRAM_FEE = "program_fee"
LICENSING_SOURCES = ("express_license", "upfront_fee", "milestone", "royalty")
PAID_STATES = ("paid", "partially_refunded")
OUTSTANDING_STATES = ("open", "processing", "failed")


@dataclass
class InvoiceTotal:
    """Paid and outstanding money in one currency (minor units)."""

    currency: str
    paid_amount: int = 0
    outstanding_amount: int = 0
    paid_count: int = 0
    outstanding_count: int = 0

    def add(self, status: str, count: int, amount: int, refunded: int) -> None:
        if status in PAID_STATES:
            self.paid_amount += amount - refunded
            self.paid_count += count
        elif status in OUTSTANDING_STATES:
            self.outstanding_amount += amount
            self.outstanding_count += count


def issue_program_fee(session, member) -> int | None:
    """Invoice the member's program fee from the incubator (once; none for a free program)."""
    if member.fee_invoice_id is not None:
        return member.fee_invoice_id
    if member.fee_amount <= 0:
        return None
    existing = [i for i in find_invoices(session, PROGRAM_FEE, member.id) if i.status != "void"]
    if existing:
        member.fee_invoice_id = existing[0].id
        return member.fee_invoice_id
    cohort = member.cohort
    program = cohort.program
    invoice = create_invoice(
        session,
        member.startup_id,
        program.incubator_id,
        member.fee_amount,
        member.currency,
        PROGRAM_FEE,
        member.id,
        f"{program.name}, {cohort.name}: program fee",
        utcnow().date() + timedelta(days=program.fee_due_days),
    )
    member.fee_invoice_id = invoice.id
    return invoice.id


def member_invoices(session, member) -> list[Invoice]:
    """The program-fee invoices of one cohort membership, oldest first."""
    return find_invoices(session, PROGRAM_FEE, member.id)


def _grouped(session, where):
    return session.execute(
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


def invoice_totals(session, members, licensors: dict[int, set[int]]) -> dict[int, list[InvoiceTotal]]:
    """Per cohort member: its program fee and its startup's licensing invoices to its licensors
    (``{startup_id: {licensor_id, ...}}``), per currency (one query)."""
    if not members:
        return {}
    by_startup = {m.startup_id: m.id for m in members}
    pairs = {(startup, licensor) for startup, ids in licensors.items() if startup in by_startup for licensor in ids}
    conditions = [sa.and_(Invoice.source == PROGRAM_FEE, Invoice.source_ref.in_([str(m.id) for m in members]))]
    if pairs:
        conditions.append(sa.and_(Invoice.source.in_(LICENSING_SOURCES), _pair_in(pairs)))
    rows = _grouped(session, sa.and_(Invoice.payer_organization_id.in_(list(by_startup)), sa.or_(*conditions)))
    totals: dict[int, dict[str, InvoiceTotal]] = defaultdict(dict)
    for payer, _payee, currency, status, count, amount, refunded in rows:
        total = totals[by_startup[payer]].setdefault(currency, InvoiceTotal(currency))
        total.add(status, int(count), int(amount), int(refunded))
    return {member_id: [t[c] for c in sorted(t)] for member_id, t in totals.items()}


def _pair_in(pairs):
    return sa.tuple_(Invoice.payer_organization_id, Invoice.payee_organization_id).in_(sorted(pairs))


def license_payments(session, licenses) -> dict[int, dict]:
    """Per license: paid and outstanding licensing invoices from its licensee to its licensor (one query)."""
    if not licenses:
        return {}
    pairs = {(lic.licensee_id, lic.licensor_id) for lic in licenses}
    rows = _grouped(
        session,
        sa.and_(
            Invoice.source.in_(LICENSING_SOURCES),
            _pair_in(pairs),
        ),
    )
    by_pair: dict[tuple, InvoiceTotal] = {}
    for payer, payee, currency, status, count, amount, refunded in rows:
        total = by_pair.setdefault((payer, payee, currency), InvoiceTotal(currency))
        total.add(status, int(count), int(amount), int(refunded))
    out = {}
    for lic in licenses:
        total = by_pair.get((lic.licensee_id, lic.licensor_id, lic.currency)) or InvoiceTotal(lic.currency)
        if total.outstanding_count:
            state = "outstanding"
        elif total.paid_count:
            state = "paid"
        else:
            state = "not_invoiced"
        out[lic.id] = {"state": state, "currency": lic.currency, "paid_amount": total.paid_amount,
                       "outstanding_amount": total.outstanding_amount}
    return out
