"""Sponsored research: acceptance makes the agreement and one invoice per tranche, due on its date.
Per-listing statistics over a period, money received included."""

from __future__ import annotations

from datetime import timedelta

from marketplace.core import deferred
from marketplace.deals.sponsorships.models import SponsorshipAgreement
from marketplace.extensions import db
from marketplace.ip.licenses.models import License
from marketplace.ip.licenses.royalties import add_months
from marketplace.listings.view_counts import count_views_on
from marketplace.payments.models import Invoice
from tests.deals.conftest import days, license_terms, make_offer, sponsorship_terms, today
from tests.helpers import assert_problem


def settle(world, invoice_id):
    response = world.uni.post(f"/api/v1/invoices/{invoice_id}/settle",
                              json={"reference": "WIRE", "settled_on": today().isoformat()})
    assert response.status_code == 200, response.json


def test_accepted_sponsorship_makes_the_agreement_and_one_invoice_per_tranche(world):
    offer = make_offer(world, "sponsored_research").json
    accepted = world.uni.post(f"/api/v1/offers/{offer['id']}/accept")
    assert accepted.status_code == 200, accepted.json
    agreement_id = accepted.json["sponsorship_id"]
    agreement = db.session.get(SponsorshipAgreement, agreement_id)
    assert (agreement.total_amount, agreement.currency, agreement.sponsor_id) == (300_000_00, "EUR", world.company.id)
    assert agreement.end_date == add_months(agreement.start_date, 24) - timedelta(days=1)
    invoices = [db.session.get(Invoice, t.invoice_id) for t in agreement.tranches]
    assert [(i.amount, i.due_date.isoformat(), i.source) for i in invoices] == [
        (100_000_00, days(10), "sponsorship_tranche"), (100_000_00, days(190), "sponsorship_tranche"),
        (100_000_00, days(370), "sponsorship_tranche")]
    assert {(i.payer_organization_id, i.payee_organization_id) for i in invoices} == {(world.company.id, world.university.id)}

    settle(world, invoices[0].id)
    detail = world.buyer.get(f"/api/v1/sponsorships/{agreement_id}").json
    assert [t["amount"] for t in detail["tranches"]] == [100_000_00] * 3
    assert (detail["money"]["paid_amount"], detail["money"]["outstanding_amount"]) == (100_000_00, 200_000_00)
    assert world.uni.get("/api/v1/sponsorships?role=university").json["total"] == 1
    assert world.uni.get("/api/v1/sponsorships?role=sponsor").json["total"] == 0
    assert_problem(world.third.get(f"/api/v1/sponsorships/{agreement_id}"), 404)


def test_tranche_dates_already_passed_at_acceptance_are_due_at_once(world):
    terms = sponsorship_terms(tranches=[{"due_date": days(-5), "amount": 100_000_00},
                                        {"due_date": days(2), "amount": 200_000_00}])
    offer = make_offer(world, "sponsored_research", terms=terms).json
    agreement = db.session.get(SponsorshipAgreement, world.uni.post(f"/api/v1/offers/{offer['id']}/accept").json["sponsorship_id"])
    assert [db.session.get(Invoice, t.invoice_id).due_date.isoformat() for t in agreement.tranches] == [days(0), days(2)]


def test_listing_stats_over_a_period(world, make_user, login):
    for day in (0, 0, 3, 40):
        count_views_on(db.session, world.listing.id, today() - timedelta(days=day))
    world.buyer_staff.post("/api/v1/inquiries", json={"listing_id": world.listing.id, "subject": "Q", "message": "M"})
    open_offer = make_offer(world).json
    world.uni.post(f"/api/v1/offers/{open_offer['id']}/reject", json={"reason": "price", "text": "Low"})
    rival = login(make_user(kind="company"))
    licensed = make_offer(world, terms=license_terms(world, upfront_fee_amount=5_000_00), client=rival).json
    license_id = world.uni.post(f"/api/v1/offers/{licensed['id']}/accept").json["license_id"]
    settle(world, db.session.get(License, license_id).upfront_invoice_id)
    pending = make_offer(world, client=login(make_user(kind="startup"))).json

    stats = world.uni.get(f"/api/v1/listings/{world.listing.id}/stats?from={days(-29)}&to={days(0)}")
    assert stats.status_code == 200, stats.json
    body = stats.json
    assert (body["from"], body["to"], body["views"], body["inquiries"]) == (days(-29), days(0), 3, 1)
    assert body["offers"] == {"total": 3, "open": 1, "accepted": 1, "rejected": 1, "withdrawn": 0, "expired": 0}
    assert body["licenses"]["total"] == 1 and body["licenses"]["active"] == 1
    assert body["money_received"] == [{"currency": "USD", "paid_amount": 5_000_00, "platform_fee_amount": 250_00,
                                       "net_amount": 4_750_00}]
    earlier = world.uni.get(f"/api/v1/listings/{world.listing.id}/stats?from={days(-60)}&to={days(-30)}").json
    assert (earlier["views"], earlier["inquiries"], earlier["offers"]["total"], earlier["money_received"]) == (1, 0, 0, [])
    assert_problem(world.buyer.get(f"/api/v1/listings/{world.listing.id}/stats"), 403)
    assert_problem(world.uni.get(f"/api/v1/listings/{world.listing.id}/stats?from={days(1)}&to={days(0)}"), 422)
    assert pending["status"] == "open"


def test_public_reads_of_a_listing_count_as_views_of_the_day(world):
    for client in (world.anonymous, world.buyer, world.third):
        assert client.get(f"/api/v1/listings/{world.listing.id}").status_code == 200
    world.uni.get(f"/api/v1/listings/{world.listing.id}")  # its own university's reads are not views
    deferred.flush()  # views are buffered and written off the request path
    assert world.uni.get(f"/api/v1/listings/{world.listing.id}/stats").json["views"] == 3
