"""Receivers of the payments signals for invoices that deals and licensing issued.

``ip`` may not import ``payments``, so the subscription lives here and hands over to
``marketplace.ip.licenses.upfront``; receivers run inside the payment's transaction.
"""

from __future__ import annotations

from marketplace.ip.licenses import upfront
from marketplace.payments.signals import invoice_paid, invoice_refunded, invoice_voided

UPFRONT_FEE = "upfront_fee"


@invoice_paid.connect_via(UPFRONT_FEE)
def upfront_fee_paid(sender, *, session, invoice, payment=None, **_):
    """Paying the upfront fee activates the license (conflict check included); when the license can
    no longer start, the answer says why and payments gives card money back."""
    return upfront.paid(session, invoice.id, by_card=payment is not None)


@invoice_refunded.connect_via(UPFRONT_FEE)
def upfront_fee_refunded(sender, *, session, invoice, fully: bool = False, **_):
    """Refunding the upfront fee in full terminates the license."""
    upfront.refunded(session, invoice.id, fully=fully)


@invoice_voided.connect_via(UPFRONT_FEE)
def upfront_fee_voided(sender, *, session, invoice, reason: str = "", **_):
    """Voiding the unpaid upfront fee terminates the pending license."""
    upfront.voided(session, invoice.id, reason)
