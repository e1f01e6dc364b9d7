"""A card payment that Stripe completes after its invoice was settled by bank transfer or voided
is given back to the payer automatically (through Stripe), and everyone concerned is told."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.payments.models import Invoice, Payment, Refund
from tests.helpers import outbox
from tests.payments.conftest import pay
from tests.payments.stripe_fakes import signed_event

WEBHOOK = "/api/v1/payments/stripe/webhook"
SETTLE = {"reference": "SEPA-2026-0042", "settled_on": "2025-06-30"}
RATE_LIMITED = (429, {"error": {"type": "rate_limit_error", "message": "Too many requests hit the API too quickly."}})


def _moved(balances: list[dict]) -> list[dict]:
    """Balances that are not all zero."""
    return [b for b in balances if any(b[k] for k in ("paid", "earned", "balance"))]


def _close_invoice_the_other_way(how: str, invoice_id: int, parties, login, admin_client):
    if how == "settled":
        response = login(parties.payee).post(f"/api/v1/invoices/{invoice_id}/settle", json=SETTLE)
    else:
        response = admin_client.post(f"/api/v1/invoices/{invoice_id}/void", json={"reason": "Billed twice"})
    assert response.status_code == 200, response.json
    return response.json["status"]


@pytest.mark.parametrize("how", ["settled", "voided"])
def test_a_card_payment_completed_after_the_invoice_was_closed_is_refunded_automatically(
    how, app, parties, make_invoice, login, admin_client, admin, client, stripe_stub, stripe_direct
):
    invoice = make_invoice(amount=10_000)
    payer = login(parties.payer)
    intent_id = pay(payer, invoice.id).json["payment_intent_id"]
    # Stripe refuses to cancel the live intent when the invoice is closed, so it stays payable there...
    stripe_stub.errors[("POST", f"/v1/payment_intents/{intent_id}/cancel")] = RATE_LIMITED
    status = _close_invoice_the_other_way(how, invoice.id, parties, login, admin_client)
    balances_before = payer.get("/api/v1/payments/balances").json
    # ...and the payer's browser completes it with Stripe.js.
    stripe_direct("POST", f"/v1/payment_intents/{intent_id}", {"payment_method": "pm_card_visa"})
    stripe_direct("POST", f"/v1/payment_intents/{intent_id}/confirm")
    intent = stripe_direct("GET", f"/v1/payment_intents/{intent_id}")
    assert intent["status"] == "succeeded"

    payload, headers = signed_event("payment_intent.succeeded", intent)
    delivered = client.post(WEBHOOK, data=payload, headers=headers)

    assert delivered.status_code == 200 and delivered.json["outcome"] == "applied", delivered.json
    db.session.expire_all()
    payment = db.session.execute(sa.select(Payment)).scalar_one()
    assert payment.status == "succeeded"
    refund = db.session.execute(sa.select(Refund)).scalar_one()
    assert (refund.payment_id, refund.amount, refund.status) == (payment.id, 10_000, "succeeded")
    assert refund.requested_by_id is None
    at_stripe = stripe_direct("GET", f"/v1/refunds?payment_intent={intent_id}")["data"]
    assert [(r["id"], r["amount"]) for r in at_stripe] == [(refund.stripe_refund_id, 10_000)]
    # the invoice stays as it was closed, and nobody's money moved in the end
    assert db.session.get(Invoice, invoice.id).status == status
    assert _moved(payer.get("/api/v1/payments/balances").json) == _moved(balances_before)
    assert outbox(to=parties.payer.email, category="invoice_refunded")
    assert outbox(to=admin.email, category="payment_duplicate")

    # the refund's own webhook changes nothing more
    charge = intent["latest_charge"]
    charge = charge if isinstance(charge, dict) else stripe_direct("GET", f"/v1/charges/{charge}")
    payload, headers = signed_event("charge.refunded", charge)
    assert client.post(WEBHOOK, data=payload, headers=headers).json["outcome"] == "unchanged"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Refund)) == 1
