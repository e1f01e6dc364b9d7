"""The incubator's only door to invoices: program fees are issued through payments' public API,
and what invoices add up to (paid, outstanding) is asked of it here and nowhere else.

Which invoices count:
- a member's **program fee**: source ``program_fee`` with ``source_ref`` = the cohort member's id;
- a startup's **licensing** money: sources ``express_license``, ``upfront_fee``, ``milestone`` and
  ``royalty`` that the startup (licensee) pays to the licensor of one of its licenses. A license's
  payment state covers the licensing invoices between its licensee and licensor in its currency.
What counts as paid (net of refunds) or outstanding is payments' rule (``payments.api.InvoiceTotal``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from marketplace.core.db import utcnow
from marketplace.payments import api as payments
from marketplace.payments.api import InvoiceTotal

PROGRAM_FEE = "program_fee"
LICENSING_SOURCES = ("express_license", "upfront_fee", "milestone", "royalty")


def issue_program_fee(session, member) -> int | None:
    """Invoice the member's program fee from the incubator (once; none for a free program)."""
    if member.fee_invoice_id is not None:
        return member.fee_invoice_id
    if member.fee_amount <= 0:
        return None
    existing = [i for i in payments.find_invoices(session, PROGRAM_FEE, member.id) if not payments.is_void(i)]
    if existing:
        member.fee_invoice_id = existing[0].id
        return member.fee_invoice_id
    cohort = member.cohort
    program = cohort.program
    invoice = payments.issue_invoice(
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


def member_invoices(session, member) -> list:
    """The program-fee invoices of one cohort membership, oldest first (read-only)."""
    return payments.find_invoices(session, PROGRAM_FEE, member.id)


def invoice_totals(session, members, licensors: dict[int, set[int]]) -> dict[int, list[InvoiceTotal]]:
    """Per cohort member: its program fee and its startup's licensing invoices to its licensors
    (``{startup_id: {licensor_id, ...}}``), per currency (one query)."""
    if not members:
        return {}
    by_startup = {m.startup_id: m.id for m in members}
    pairs = {(startup, licensor) for startup, ids in licensors.items() if startup in by_startup for licensor in ids}
    found = payments.totals_by_parties(
        session,
        payer_ids=list(by_startup),
        by_ref=(PROGRAM_FEE, [m.id for m in members]),
        by_pair=(LICENSING_SOURCES, pairs),
    )
    totals: dict[int, dict[str, InvoiceTotal]] = defaultdict(dict)
    for (payer, _payee, currency), found_total in found.items():
        totals[by_startup[payer]].setdefault(currency, InvoiceTotal(currency)).absorb(found_total)
    return {member_id: [t[c] for c in sorted(t)] for member_id, t in totals.items()}


def license_payments(session, licenses) -> dict[int, dict]:
    """Per license: paid and outstanding licensing invoices from its licensee to its licensor (one query)."""
    if not licenses:
        return {}
    pairs = {(lic.licensee_id, lic.licensor_id) for lic in licenses}
    by_pair = payments.totals_by_parties(session, by_pair=(LICENSING_SOURCES, pairs))
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
