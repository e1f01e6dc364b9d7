"""Paying the upfront fee by card activates the license; refunding it in full terminates it
(through the Stripe emulator, as in production)."""

from __future__ import annotations

from marketplace.extensions import db
from marketplace.ip.licenses.models import License
from marketplace.payments.models import Invoice
from tests.deals.conftest import license_terms, deal_listing, make_offer, world  # noqa: F401  (fixtures)
from tests.helpers import outbox
from tests.ip.test_license_money import _pending_license_made_before_the_rule
from tests.payments.conftest import localstripe, pay, stripe_direct, stripe_settings, stripe_stub  # noqa: F401


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


def _accepted_with_fee(world, client=None) -> License:
    offer = make_offer(world, terms=license_terms(world, upfront_fee_amount=12_000_00), client=client).json
    accepted = world.uni.post(f"/api/v1/offers/{offer['id']}/accept")
    assert accepted.status_code == 200, accepted.json
    return db.session.get(License, accepted.json["license_id"])


def _refunded_at_stripe(stripe_direct, invoice_id: int) -> list[int]:
    payment = db.session.get(Invoice, invoice_id).payments[0]
    return [r["amount"] for r in stripe_direct("GET", f"/v1/refunds?payment_intent={payment.stripe_payment_intent_id}")["data"]]


def test_a_card_payment_for_a_license_ended_before_it_was_paid_is_refunded_and_both_sides_are_told(
    world, stripe_direct
):
    license = _accepted_with_fee(world)
    ended = world.uni.post(f"/api/v1/licenses/{license.id}/terminate", json={"reason": "The company went quiet"})
    assert ended.status_code == 200, ended.json

    paid = pay(world.buyer, license.upfront_invoice_id, payment_method="pm_card_visa")

    assert paid.status_code == 200, paid.json
    db.session.expire_all()
    invoice = db.session.get(Invoice, license.upfront_invoice_id)
    assert (invoice.status, invoice.amount_refunded) == ("refunded", 12_000_00)
    assert _refunded_at_stripe(stripe_direct, invoice.id) == [12_000_00]
    assert db.session.get(License, license.id).status == "terminated"
    for person in (world.company_manager, world.uni_manager):
        assert outbox(to=person.email, category="license_payment_returned"), person.email
    assert outbox(to=world.company_manager.email, category="invoice_refunded")
    assert world.buyer.get(f"/api/v1/licenses/{license.id}").json["money"]["paid_amount"] == 0


def test_a_card_payment_for_a_license_blocked_by_a_conflict_is_refunded_and_both_sides_are_told(
    world, make_user, login, stripe_direct
):
    first = _accepted_with_fee(world)
    rival_manager = make_user(kind="company")
    second = _pending_license_made_before_the_rule(world, rival_manager.organization, 12_000_00)
    assert pay(world.buyer, first.upfront_invoice_id, payment_method="pm_card_visa").json["invoice_status"] == "paid"

    paid = pay(login(rival_manager), second.upfront_invoice_id, payment_method="pm_card_visa")

    assert paid.status_code == 200, paid.json
    db.session.expire_all()
    assert db.session.get(License, first.id).status == "active"
    blocked = db.session.get(License, second.id)
    assert blocked.status == "terminated" and blocked.termination_reason == "The upfront fee was refunded."
    assert db.session.get(Invoice, second.upfront_invoice_id).status == "refunded"
    assert _refunded_at_stripe(stripe_direct, second.upfront_invoice_id) == [12_000_00]
    told = outbox(to=rival_manager.email, category="license_activation_blocked")
    assert told and "refunded automatically" in told[0].body
    assert world.company_manager.organization.name not in told[0].body  # what is taken, not who took it
    assert outbox(to=world.uni_manager.email, category="license_activation_blocked")
    assert outbox(to=rival_manager.email, category="invoice_refunded")
