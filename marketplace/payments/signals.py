"""What payments tell the other packages (through ``payments.api``). Subscribe with
``api.invoice_paid.connect(fn, sender="express_license")``.

Every signal is sent with ``sender`` = the invoice's ``source`` (``express_license``, ``royalty``...)
and keyword arguments ``session`` and ``invoice``; receivers run inside the same database
transaction as the change that caused them, so they must only ``flush()`` (never commit), and an
exception in a receiver rolls the whole change back (Stripe then retries its webhook).
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

invoice_paid = _signals.signal(
    "invoice-paid",
    doc="An invoice became paid, by card (``payment=``) or by a manual settlement (``settlement=``). "
        "A receiver whose goods can no longer be delivered (a license that cannot start) returns why, "
        "as a string: a card payment is then refunded in full automatically.",
)
invoice_payment_failed = _signals.signal(
    "invoice-payment-failed",
    doc="A card payment of the invoice failed or was canceled (``payment=``, ``reason=``); the invoice stays payable.",
)
invoice_refunded = _signals.signal(
    "invoice-refunded",
    doc="Stripe confirmed a refund (``refund=``, ``fully=`` True once the whole amount is refunded).",
)
invoice_voided = _signals.signal(
    "invoice-voided",
    doc="An admin voided the invoice (``reason=``); it can no longer be paid.",
)
