"""Invoices through the payments service: the implementation of licensing's invoicing seam, and
the one place deals issue invoices (sponsorship tranches)."""

from __future__ import annotations

from datetime import date, datetime

from marketplace.ip.licenses.billing import MoneySummary
from marketplace.payments import services as payments

#: invoice states that still wait for money, and those whose money was received
UNPAID_STATES = ("open", "processing", "failed")
RECEIVED_STATES = ("paid", "partially_refunded", "refunded")


class PaymentsInvoicing:
    """Licensing's :class:`~marketplace.ip.licenses.billing.Invoicing`, over the payments service."""

    def issue(self, session, *, payer_id: int, payee_id: int, amount: int, currency: str, source: str,
              source_ref: str, description: str, due_date: date) -> int:
        invoice = payments.create_invoice(session, payer_id, payee_id, amount, currency, source, source_ref,
                                          description, due_date)
        return invoice.id

    def summarize(self, session, owners: dict, today: date) -> dict:
        """Paid (net of refunds), outstanding and overdue per owner; void invoices owe nothing."""
        invoices = payments.invoices_by_id(session, [i for _, ids in owners.values() for i in ids])
        summaries = {}
        for key, (currency, ids) in owners.items():
            summary = summaries[key] = MoneySummary(currency)
            for invoice in (invoices[i] for i in ids if i in invoices):
                summary.invoice_ids.append(invoice.id)
                if invoice.status == "void":
                    continue
                summary.invoiced_amount += invoice.amount
                if invoice.status in RECEIVED_STATES:
                    summary.paid_amount += invoice.amount - invoice.amount_refunded
                elif invoice.status in UNPAID_STATES:
                    summary.outstanding_amount += invoice.amount
                    if invoice.due_date < today:
                        summary.overdue_amount += invoice.amount
        return summaries

    def received(self, session, invoice_ids: list[int], since: datetime, until: datetime) -> list[dict]:
        """Money paid on these invoices in ``[since, until)`` per currency: gross, platform fee, net."""
        totals: dict[str, dict] = {}
        for invoice in payments.invoices_by_id(session, invoice_ids).values():
            if invoice.status not in RECEIVED_STATES or invoice.paid_at is None or not since <= invoice.paid_at < until:
                continue
            row = totals.setdefault(invoice.currency, {"currency": invoice.currency, "paid_amount": 0,
                                                       "platform_fee_amount": 0, "net_amount": 0})
            amount = invoice.amount - invoice.amount_refunded
            fee = invoice.platform_fee_amount - invoice.fee_refunded
            row["paid_amount"] += amount
            row["platform_fee_amount"] += fee
            row["net_amount"] += amount - fee
        return [totals[c] for c in sorted(totals)]


#: the implementation the app wires in as ``app.extensions["invoicing"]``
INVOICING = PaymentsInvoicing()
summarize = INVOICING.summarize
received = INVOICING.received


def invoice_tranche(session, agreement, tranche, today: date) -> int:
    """The tranche's invoice from the university to the sponsor, due on the tranche's date (or now, if passed)."""
    invoice = payments.create_invoice(
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
