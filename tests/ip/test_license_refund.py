"""Paying the upfront fee by card activates the license; refunding it in full terminates it
(through the Stripe emulator, as in production)."""

from __future__ import annotations

from marketplace.extensions import db
from marketplace.ip.licenses.models import License
from tests.deals.conftest import license_terms, deal_listing, make_offer, world  # noqa: F401  (fixtures)
from tests.payments.conftest import localstripe, pay, stripe_settings, stripe_stub  # noqa: F401  (fixtures)


def test_card_payment_activates_and_a_full_refund_terminates_the_license(world):
    offer = make_offer(world, terms=license_terms(world, upfront_fee_amount=12_000_00)).json
    license_id = world.uni.post(f"/api/v1/offers/{offer['id']}/accept").json["license_id"]
    invoice_id = db.session.get(License, license_id).upfront_invoice_id

    paid = pay(world.buyer, invoice_id, payment_method="pm_card_visa")
    assert paid.status_code in (200, 201), paid.json
    assert paid.json["invoice_status"] == "paid"
    assert world.buyer.get(f"/api/v1/licenses/{license_id}").json["status"] == "active"

    partial = world.uni.post(f"/api/v1/invoices/{invoice_id}/refunds", json={"amount": 2_000_00, "reason": "Discount"})
    assert partial.status_code == 201, partial.json
    assert world.buyer.get(f"/api/v1/licenses/{license_id}").json["status"] == "active"  # a price adjustment

    rest = world.uni.post(f"/api/v1/invoices/{invoice_id}/refunds", json={"reason": "Deal cancelled"})
    assert rest.status_code == 201, rest.json
    body = world.buyer.get(f"/api/v1/licenses/{license_id}").json
    assert body["status"] == "terminated" and body["termination_reason"] == "The upfront fee was refunded."
    assert body["money"]["paid_amount"] == 0
