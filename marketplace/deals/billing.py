"""The only place deals create invoices: one per sponsorship tranche, through the payments service."""

from __future__ import annotations

from datetime import date


def _payments():
    from marketplace.payments import services

    return services


def invoice_tranche(session, agreement, tranche, today: date) -> int:
    """The tranche's invoice from the university to the sponsor, due on the tranche's date (or now, if passed)."""
    invoice = _payments().create_invoice(
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
