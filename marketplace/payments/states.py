"""The invoice's state machines: what people may do, and what Stripe's news may change."""

from __future__ import annotations

from marketplace.core import audit
from marketplace.core.statemachine import StateMachine

#: actions people take; a refused one is a 409 that lists what is allowed
INVOICE_ACTIONS = StateMachine(
    "invoice",
    {
        "pay": {"open": "open", "failed": "failed"},
        "settle": {"open": "paid", "failed": "paid"},
        "void": {"open": "void", "failed": "void"},
        "refund": {"paid": "paid", "partially_refunded": "partially_refunded"},
    },
)

#: changes that follow Stripe's confirmations (webhooks, refreshes, API answers)
INVOICE_EVENTS = StateMachine(
    "invoice",
    {
        "start_processing": {"open": "processing", "failed": "processing"},
        "mark_paid": {"open": "paid", "processing": "paid", "failed": "paid"},
        "mark_failed": {"open": "failed", "processing": "failed"},
        "reopen": {"processing": "open", "failed": "open"},
        "refund_partially": {"paid": "partially_refunded", "partially_refunded": "partially_refunded"},
        "refund_fully": {"paid": "refunded", "partially_refunded": "refunded"},
    },
)

#: payment (PaymentIntent) states a payer can still complete
LIVE_PAYMENT_STATES = frozenset({"requires_payment_method", "requires_confirmation", "requires_action", "processing"})
#: states Stripe never leaves: a late event cannot undo them
TERMINAL_PAYMENT_STATES = frozenset({"succeeded", "canceled"})
#: order of states reached within one second, to break ties between events with the same timestamp
PAYMENT_STATE_RANK = {
    "requires_payment_method": 0,
    "requires_confirmation": 0,
    "requires_action": 1,
    "processing": 2,
    "failed": 3,
    "succeeded": 4,
    "canceled": 4,
}


def can(machine: StateMachine, state: str, action: str) -> bool:
    """Whether ``action`` is allowed from ``state`` (without raising)."""
    return state in machine.transitions.get(action, {})


def move_invoice(session, invoice, action: str) -> None:
    """Apply a Stripe-driven transition (``INVOICE_EVENTS``) to the invoice and audit it."""
    before, after = INVOICE_EVENTS.apply(invoice, action)
    audit.record(session, f"invoice.{action}", invoice, changes={"status": [before, after]})
