"""Accepting a license offer runs the conflict check (the matrix through the API, and the race on
PostgreSQL); availability tells anyone what is still open before they offer."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from marketplace.deals.offers import services as offers
from marketplace.deals.offers.models import Offer
from marketplace.extensions import db
from marketplace.ip.licenses.models import License
from tests.deals.conftest import days, license_terms, make_offer
from tests.helpers import assert_problem


@pytest.fixture
def rival(make_user, login):
    """A second company that wants a license on the same listing."""
    manager = make_user(kind="company", role="manager")
    return manager, login(manager)


def licensed(world, client=None, **terms):
    """An accepted offer (no upfront fee, so the license is active at once); returns the license id."""
    offer = make_offer(world, terms=license_terms(world, **terms), client=client)
    assert offer.status_code == 201, offer.json
    accepted = world.uni.post(f"/api/v1/offers/{offer.json['id']}/accept")
    assert accepted.status_code == 200, accepted.json
    return accepted.json["license_id"]


EXISTING = {"exclusivity": "exclusive", "fields": ["LS.DIAG"], "territories": ["US"], "start_date": days(-30),
            "end_date": days(1000)}

CONFLICTING = {
    "same terms": {},
    "parent field": {"fields": ["LS"]},
    "worldwide": {"territories": ["WORLDWIDE"]},
    "non-exclusive against exclusive": {"exclusivity": "non_exclusive"},
    "sole": {"exclusivity": "sole", "territories": ["US", "MX"]},
    "overlapping term": {"start_date": days(900), "end_date": None},
}
COMPATIBLE = {
    "other field": {"fields": ["LS.THER"]},
    "other territory": {"territories": ["EU"]},
    "after the term": {"start_date": days(1001), "end_date": days(2000)},
}


@pytest.mark.parametrize("terms", CONFLICTING.values(), ids=CONFLICTING.keys())
def test_accepting_a_conflicting_offer_is_refused_naming_the_conflict(world, rival, terms):
    existing = licensed(world, **EXISTING)
    offer = make_offer(world, terms=license_terms(world, **{**EXISTING, **terms}), client=rival[1]).json
    refused = world.uni.post(f"/api/v1/offers/{offer['id']}/accept")
    body = assert_problem(refused, 409)
    assert body["type"].endswith("/license-conflict")
    conflict = body["conflicts"][0]
    assert conflict["license_id"] == existing and conflict["fields"] == ["LS.DIAG"] and conflict["territories"] == ["US"]
    assert conflict["until"] == days(1000) and str(existing) in body["detail"]
    assert db.session.get(Offer, offer["id"]).status == "open"  # nothing of the acceptance was kept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(License)) == 1


def test_a_company_accepting_a_conflicting_counter_offer_learns_what_is_taken_not_who_holds_it(world, rival):
    existing = licensed(world, **EXISTING)
    offer = make_offer(world, terms=license_terms(world, **EXISTING), client=rival[1]).json
    seen = world.uni.get(f"/api/v1/offers/{offer['id']}").json
    countered = world.uni.post(f"/api/v1/offers/{offer['id']}/counter", json={"terms": {"royalty_rate_bps": 450}},
                               headers={"If-Match": f'"v{seen["version"]}"'})
    assert countered.status_code == 200, countered.json

    body = assert_problem(rival[1].post(f"/api/v1/offers/{offer['id']}/accept"), 409)

    assert body["conflicts"] == [{"exclusivity": "exclusive", "asset_ids": [a.id for a in world.assets],
                                  "fields": ["LS.DIAG"], "territories": ["US"], "until": days(1000)}]
    assert body["detail"] == f"An exclusive license already covers LS.DIAG in US until {days(1000)}."
    assert str(existing) not in body["detail"] and world.company.name not in body["detail"]
    assert db.session.get(Offer, offer["id"]).status == "open"


@pytest.mark.parametrize("terms", COMPATIBLE.values(), ids=COMPATIBLE.keys())
def test_accepting_an_offer_that_does_not_overlap_makes_a_second_license(world, rival, terms):
    licensed(world, **EXISTING)
    second = licensed(world, client=rival[1], **{**EXISTING, **terms})
    assert db.session.get(License, second).status == "active"


def test_two_non_exclusive_licenses_coexist(world, rival):
    licensed(world, **{**EXISTING, "exclusivity": "non_exclusive"})
    second = licensed(world, client=rival[1], **{**EXISTING, "exclusivity": "non_exclusive"})
    assert db.session.get(License, second).status == "active"


def test_availability_of_a_listing_and_its_assets(world):
    licensed(world, **{**EXISTING, "asset_ids": [world.assets[0].id]})
    response = world.anonymous.get(f"/api/v1/listings/{world.listing.id}/availability")
    assert response.status_code == 200
    body = response.json
    assert body["taken"] == [{"exclusivity": "exclusive", "asset_ids": [world.assets[0].id], "fields": ["LS.DIAG"],
                              "territories": ["US"], "until": days(1000)}]
    assert "LS" in body["partially_open_fields"] and "EN" in body["open_fields"]
    assert {"field": "LS", "status": "partially_open", "taken_in": ["US"], "taken_subfields": ["LS.DIAG"],
            "taken_until": days(1000)} in body["fields"]
    free = world.anonymous.get(f"/api/v1/ip/assets/{world.assets[1].id}/availability").json
    assert free["taken"] == [] and "LS" in free["open_fields"]
    taken = world.buyer.get(f"/api/v1/ip/assets/{world.assets[0].id}/availability").json
    assert len(taken["taken"]) == 1


def test_availability_of_unpublished_things_is_for_their_university_only(world, deal_listing):
    draft = deal_listing(world.university, "draft")
    hidden = draft.assets[0]
    assert_problem(world.anonymous.get(f"/api/v1/listings/{draft.id}/availability"), 404)
    assert_problem(world.third.get(f"/api/v1/ip/assets/{hidden.id}/availability"), 404)
    assert world.uni_staff.get(f"/api/v1/ip/assets/{hidden.id}/availability").status_code == 200
    assert world.uni_staff.get(f"/api/v1/listings/{draft.id}/availability").status_code == 200
    assert_problem(world.anonymous.get("/api/v1/ip/assets/999999/availability"), 404)


@pytest.mark.postgres_only
@pytest.mark.parametrize("fee", [0, 5_000_00], ids=["active at once", "pending payment"])
def test_two_racing_acceptances_of_conflicting_offers_cannot_both_win(app, world, rival, fee):
    first = make_offer(world, terms=license_terms(world, **EXISTING, upfront_fee_amount=fee)).json["id"]
    second = make_offer(world, terms=license_terms(world, **EXISTING, upfront_fee_amount=fee), client=rival[1]).json["id"]
    manager_id = world.uni_manager.id
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def accept(offer_id: int):
        from marketplace.accounts.models import User
        from marketplace.ip.licenses.services import LicenseConflict

        with app.app_context():
            user = db.session.get(User, manager_id)
            barrier.wait()
            try:
                offers.accept(db.session, user, offer_id)
                db.session.commit()
                outcomes[offer_id] = "accepted"
            except LicenseConflict:
                db.session.rollback()
                outcomes[offer_id] = "conflict"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=accept, args=(offer_id,)) for offer_id in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()) == ["accepted", "conflict"]
    holding = "pending_payment" if fee else "active"
    assert db.session.scalar(sa.select(sa.func.count()).where(License.status == holding)) == 1
    assert sorted(db.session.scalars(sa.select(Offer.status)).all()) == ["accepted", "open"]
