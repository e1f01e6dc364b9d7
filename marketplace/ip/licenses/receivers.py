"""Licensing's receivers of the payments signals: the invoice of a license's upfront fee (negotiated,
source ``upfront_fee``) or of its express purchase (source ``express_license``) was paid, refunded
or voided, and ``upfront`` applies it on its one path. Connected when the app starts
(``marketplace.create_app``); they run inside the payment's transaction.
"""

from __future__ import annotations

from marketplace.ip.licenses import upfront
from marketplace.payments import api as payments

#: the invoice sources whose payment starts a license
SOURCES = ("upfront_fee", upfront.EXPRESS)


def fee_paid(sender, *, session, invoice, payment=None, **_):
    """Paying the fee activates the license (conflict check included); when the license can no
    longer start, the answer says why and payments gives card money back."""
    return upfront.paid(session, invoice.id, by_card=payment is not None)


def fee_refunded(sender, *, session, invoice, fully: bool = False, **_):
    """Refunding the fee in full terminates the license."""
    upfront.refunded(session, invoice.id, fully=fully)


def fee_voided(sender, *, session, invoice, reason: str | None = None, **_):
    """Voiding the unpaid fee terminates the pending license."""
    upfront.voided(session, invoice.id, reason or "no reason given")


for _source in SOURCES:
    payments.invoice_paid.connect(fee_paid, sender=_source)
    payments.invoice_refunded.connect(fee_refunded, sender=_source)
    payments.invoice_voided.connect(fee_voided, sender=_source)
