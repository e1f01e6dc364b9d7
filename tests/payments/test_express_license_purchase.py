"""Express license purchase end to end: listing -> license pending payment + invoice -> paid ->
active; a declined card leaves it pending and payable; a refund terminates it."""

import pytest
import sqlalchemy as sa

from marketplace.core.audit import AuditEvent
from marketplace.extensions import db
from marketplace.ip.licenses.models import License
from tests.helpers import assert_problem, outbox
from tests.payments.conftest import pay

EXPRESS = {"fields": ["LS.DIAG"], "territories": ["US", "CA"], "price_amount": 250_000, "currency": "USD",
           "term_months": 24, "terms": "Standard non-exclusive evaluation and commercial license."}


@pytest.fixture
def listing(parties, make_asset, make_listing):
    asset = make_asset(parties.payee_org)
    return make_listing(parties.payee_org, "published", assets=[asset], express_license=EXPRESS,
                        opportunity_types=["license"])


def buy(client, listing_id):
    return client.post(f"/api/v1/listings/{listing_id}/express-license/purchase")


def test_buying_creates_pending_license_and_invoice_then_paying_activates(parties, listing, login):
    buyer = login(parties.payer)
    response = buy(buyer, listing.id)
    assert response.status_code == 201, response.json
    lic, invoice = response.json["license"], response.json["invoice"]
    assert lic["status"] == "pending_payment" and lic["exclusivity"] == "non_exclusive"
    assert (lic["fields"], lic["territories"], lic["upfront_fee_amount"]) == (["LS.DIAG"], ["US", "CA"], 250_000)
    assert (invoice["amount"], invoice["currency"], invoice["source"]) == (250_000, "USD", "express_license")
    assert invoice["payee"]["id"] == parties.payee_org.id and invoice["card_payment"]["available"] is True
    assert lic["end_date"] > lic["start_date"]

    paid = pay(buyer, invoice["id"], payment_method="pm_card_visa")
    assert paid.json["invoice_status"] == "paid", paid.json

    license = db.session.get(License, lic["id"])
    assert license.status == "active" and license.activated_at is not None
    assert outbox(to=parties.payee.email, category="express_license_active")
    assert outbox(to=parties.payer.email, category="express_license_active")
    actions = set(db.session.execute(sa.select(AuditEvent.action)).scalars())
    assert {"license.express_purchase", "license.activate"} <= actions


def test_declined_card_leaves_license_pending_and_invoice_payable(parties, listing, login):
    buyer = login(parties.payer)
    bought = buy(buyer, listing.id).json
    declined = pay(buyer, bought["invoice"]["id"], key="key-decline-01", payment_method="pm_card_chargeCustomerFail")
    assert declined.json["invoice_status"] in ("open", "failed"), declined.json
    assert db.session.get(License, bought["license"]["id"]).status == "pending_payment"
    retried = pay(buyer, bought["invoice"]["id"], key="key-retry-0002", payment_method="pm_card_visa")
    assert retried.json["invoice_status"] == "paid"
    assert db.session.get(License, bought["license"]["id"]).status == "active"


def test_full_refund_terminates_the_license(parties, listing, login):
    buyer = login(parties.payer)
    bought = buy(buyer, listing.id).json
    pay(buyer, bought["invoice"]["id"], payment_method="pm_card_visa")
    refund = login(parties.payee).post(f"/api/v1/invoices/{bought['invoice']['id']}/refunds",
                                       json={"reason": "Buyer changed plans"})
    assert refund.status_code == 201, refund.json
    license = db.session.get(License, bought["license"]["id"])
    assert license.status == "terminated" and "refunded" in license.termination_reason


def test_ordering_again_while_unpaid_returns_the_same_order(parties, listing, login):
    buyer = login(parties.payer)
    first, second = buy(buyer, listing.id).json, buy(buyer, listing.id).json
    assert first["license"]["id"] == second["license"]["id"]
    assert first["invoice"]["id"] == second["invoice"]["id"]


def test_buying_an_express_license_already_held_is_a_conflict(parties, listing, login):
    buyer = login(parties.payer)
    bought = buy(buyer, listing.id).json
    pay(buyer, bought["invoice"]["id"], payment_method="pm_card_visa")
    assert_problem(buy(buyer, listing.id), 409)


def test_only_verified_companies_and_startups_buy(parties, listing, login, make_user):
    assert_problem(buy(login(parties.payee), listing.id), 403)  # a university
    unverified = make_user(org=None, kind="company")
    unverified.organization.verification_status = "pending"
    db.session.commit()
    assert_problem(buy(login(unverified), listing.id), 403)
    assert_problem(buy(login(parties.outsider), 999_999), 404)


def test_a_listing_without_express_license_cannot_be_bought(parties, make_listing, login):
    plain = make_listing(parties.payee_org, "published")
    assert_problem(buy(login(parties.payer), plain.id), 409)


def test_an_active_exclusive_license_blocks_the_purchase(parties, listing, login, make_org):
    from datetime import date

    other = make_org("company")
    exclusive = License(licensor_id=parties.payee_org.id, licensee_id=other.id, source_type="offer",
                        exclusivity="exclusive", fields=["LS"], territories=["WORLDWIDE"],
                        start_date=date(2020, 1, 1), end_date=None, currency="USD", status="active")
    exclusive.assets = list(listing.assets)
    db.session.add(exclusive)
    db.session.commit()
    body = assert_problem(buy(login(parties.payer), listing.id), 409)
    # the buyer learns what is taken, where and until when, not who holds it
    assert body["conflicts"] == [{"exclusivity": "exclusive", "asset_ids": [a.id for a in listing.assets],
                                  "fields": ["LS.DIAG"], "territories": ["CA", "US"], "until": None}]
    assert body["detail"] == "An exclusive license already covers LS.DIAG in CA, US with no end date."
    assert other.name not in body["detail"] and str(exclusive.id) not in body["detail"]
    assert db.session.execute(sa.select(sa.func.count(License.id))).scalar() == 1


def test_paying_for_an_express_license_an_exclusive_grant_now_blocks_refunds_the_payment(
    parties, listing, login, make_org, stripe_direct
):
    from datetime import date

    buyer = login(parties.payer)
    bought = buy(buyer, listing.id).json
    # an exclusive license made active meanwhile, outside the rules a request would follow
    exclusive = License(licensor_id=parties.payee_org.id, licensee_id=make_org("company").id, source_type="offer",
                        exclusivity="exclusive", fields=["LS"], territories=["WORLDWIDE"],
                        start_date=date(2020, 1, 1), end_date=None, currency="USD", status="active")
    exclusive.assets = list(listing.assets)
    db.session.add(exclusive)
    db.session.commit()

    paid = pay(buyer, bought["invoice"]["id"], payment_method="pm_card_visa")

    assert paid.status_code == 200, paid.json
    db.session.expire_all()
    license = db.session.get(License, bought["license"]["id"])
    assert license.status == "terminated" and "refunded" in license.termination_reason
    invoice = buyer.get(f"/api/v1/invoices/{bought['invoice']['id']}").json
    assert (invoice["status"], invoice["amount_refunded"]) == ("refunded", 250_000)
    intent = paid.json["payment_intent_id"]
    assert [r["amount"] for r in stripe_direct("GET", f"/v1/refunds?payment_intent={intent}")["data"]] == [250_000]
    for person in (parties.payer, parties.payee):
        told = outbox(to=person.email, category="express_license_blocked")
        assert told and "refunded automatically" in told[0].body, person.email
