"""The one place deals issue invoices (sponsorship tranches) and read what they add up to, through
payments' public API."""

from __future__ import annotations

from datetime import date

from marketplace.payments import api as payments

#: paid, outstanding and overdue per owner (``{key: (currency, invoice_ids)}``); money received in a period
summarize = payments.money_summaries
received = payments.money_received


def invoice_tranche(session, agreement, tranche, today: date) -> int:
    """The tranche's invoice from the university to the sponsor, due on the tranche's date (or now, if passed)."""
    invoice = payments.issue_invoice(
        session,
        agreement.sponsor_id,
        agreement.university_id,
        tranche.amount,
        agreement.currency,
        "sponsorship_tranche",
        str(tranche.id),
        f"Tranche {tranche.number} of {len(agreement.tranches)} of sponsored research agreement {agreement.id}",
        max(tranche.due_date, today),
    )
    return invoice.id
