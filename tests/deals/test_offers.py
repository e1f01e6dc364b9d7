"""Negotiating an offer: proposal, counters both ways, acceptance, rejection, withdrawal, expiry,
turns, ETags, and who may see and act."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from marketplace.core.audit import AuditEvent
from marketplace.deals.offers.models import Offer, OfferRevision
from marketplace.extensions import db
from marketplace.ip.licenses.models import License
from marketplace.notifications.models import Notification
from tests.deals.conftest import days, license_terms, make_offer, today
from tests.helpers import assert_problem, outbox


def actions(world, offer_id):
    return [e.action for e in db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.object_type == "offer", AuditEvent.object_id == str(offer_id))
        .order_by(AuditEvent.id)).scalars()]


def counter(client, offer, terms, **extra):
    return client.post(f"/api/v1/offers/{offer['id']}/counter", json={"terms": terms, **extra},
                       headers={"If-Match": f'"v{offer["version"]}"'})


def test_offer_counter_counter_accept_creates_an_active_license(world):
    created = make_offer(world)
    assert created.status_code == 201, created.json
    offer = created.json
    assert offer["status"] == "open" and offer["awaiting"] == "university" and offer["revision_number"] == 1
    assert offer["allowed_actions"] == ["edit", "withdraw"]
    assert created.headers["ETag"] == '"v1"'
    assert outbox(to=world.uni_member.email, category="offer_received")  # the listing's contact is emailed

    seen = world.uni.get(f"/api/v1/offers/{offer['id']}").json
    assert seen["allowed_actions"] == ["accept", "counter", "reject"]
    first = counter(world.uni, seen, {"royalty_rate_bps": 500, "territories": ["US", "CA"]}, message="Higher rate")
    assert first.status_code == 200, first.json
    assert first.json["awaiting"] == "company" and first.json["revision_number"] == 2

    second = counter(world.buyer, first.json, {"royalty_rate_bps": 450})
    assert second.status_code == 200, second.json
    assert second.json["awaiting"] == "university" and second.json["terms"]["royalty_rate_bps"] == 450
    assert second.json["terms"]["territories"] == ["US", "CA"]

    accepted = world.uni.post(f"/api/v1/offers/{offer['id']}/accept")
    assert accepted.status_code == 200, accepted.json
    assert accepted.json["status"] == "accepted" and accepted.json["allowed_actions"] == []
    license = db.session.get(License, accepted.json["license_id"])
    assert license.status == "active" and license.royalty_rate_bps == 450
    assert license.territories == ["US", "CA"] and {a.id for a in license.assets} == {a.id for a in world.assets}
    assert (license.licensor_id, license.licensee_id, license.listing_id) == (
        world.university.id, world.company.id, world.listing.id)
    assert actions(world, offer["id"]) == ["offer.create", "offer.counter", "offer.counter", "offer.accept"]
    assert db.session.scalar(sa.select(sa.func.count()).where(
        Notification.user_id == world.company_member.id, Notification.kind == "offer_accepted")) == 1


def test_revisions_show_what_changed_between_them(world):
    offer = make_offer(world).json
    countered = counter(world.uni, offer, {"royalty_rate_bps": 500}, expires_on=days(40)).json
    revisions = world.buyer.get(f"/api/v1/offers/{offer['id']}/revisions").json
    assert [(r["number"], r["kind"], r["side"]) for r in revisions] == [
        (1, "offer", "company"), (2, "counter", "university")]
    assert revisions[0]["changes"] == {}
    assert revisions[1]["changes"] == {"royalty_rate_bps": [300, 500], "expires_on": [days(30), days(40)]}
    assert countered["expires_on"] == days(40)


def test_university_rejects_with_a_structured_reason(world):
    offer = make_offer(world).json
    missing = world.uni.post(f"/api/v1/offers/{offer['id']}/reject", json={"reason": "price"})
    assert_problem(missing, 422, "text")
    wrong = world.uni.post(f"/api/v1/offers/{offer['id']}/reject", json={"reason": "cheap", "text": "No"})
    assert_problem(wrong, 422, "reason")
    rejected = world.uni.post(f"/api/v1/offers/{offer['id']}/reject",
                              json={"reason": "field_taken", "text": "Diagnostics are licensed in the US."})
    assert rejected.status_code == 200
    assert rejected.json["status"] == "rejected" and rejected.json["rejection_reason"] == "field_taken"
    again = world.uni.post(f"/api/v1/offers/{offer['id']}/accept")
    body = assert_problem(again, 409)
    assert body["current_state"] == "rejected"
    assert outbox(to=world.company_manager.email, category="offer_rejected")


def test_company_withdraws_its_open_offer_and_may_offer_again(world):
    offer = make_offer(world).json
    assert_problem(make_offer(world), 409)  # one open offer per listing and company
    withdrawn = world.buyer.post(f"/api/v1/offers/{offer['id']}/withdraw", json={"reason": "Budget cut"})
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "withdrawn"
    assert make_offer(world).status_code == 201


def test_university_may_withdraw_its_own_counter_but_not_the_companys_offer(world):
    offer = make_offer(world).json
    not_theirs = world.uni.post(f"/api/v1/offers/{offer['id']}/withdraw", json={})
    body = assert_problem(not_theirs, 409)
    assert body["awaiting"] == "university" and body["allowed_actions"] == ["accept", "counter", "reject"]
    countered = counter(world.uni, offer, {"royalty_rate_bps": 800}).json
    assert world.uni.post(f"/api/v1/offers/{offer['id']}/withdraw", json={}).json["status"] == "withdrawn"
    assert countered["allowed_actions"] == ["edit", "withdraw"]


def test_acting_out_of_turn_is_a_conflict(world):
    offer = make_offer(world).json
    own_accept = world.buyer.post(f"/api/v1/offers/{offer['id']}/accept")
    body = assert_problem(own_accept, 409)
    assert body["type"].endswith("/out-of-turn") and body["awaiting"] == "university"
    own_counter = counter(world.buyer, offer, {"royalty_rate_bps": 100})
    assert_problem(own_counter, 409)
    reject_own = world.buyer.post(f"/api/v1/offers/{offer['id']}/reject", json={"reason": "fit", "text": "x"})
    assert_problem(reject_own, 409)
    countered = counter(world.uni, offer, {"royalty_rate_bps": 800}).json
    assert_problem(world.uni.post(f"/api/v1/offers/{offer['id']}/accept"), 409)
    edit_theirs = world.buyer.patch(f"/api/v1/offers/{offer['id']}", json={"terms": {"royalty_rate_bps": 1}},
                                    headers={"If-Match": f'"v{countered["version"]}"'})
    assert_problem(edit_theirs, 409)
    assert db.session.get(Offer, offer["id"]).revision_number == 2


def test_a_third_company_can_neither_see_nor_act_on_the_offer(world):
    offer = make_offer(world).json
    paths = ["", "/revisions"]
    for path in paths:
        assert_problem(world.third.get(f"/api/v1/offers/{offer['id']}{path}"), 404)
    for action, body in [("accept", None), ("reject", {"reason": "fit", "text": "x"}), ("withdraw", {}),
                         ("counter", {"terms": {"royalty_rate_bps": 1}})]:
        assert_problem(world.third.post(f"/api/v1/offers/{offer['id']}/{action}", json=body,
                                        headers={"If-Match": "*"}), 404)
    assert world.third.get("/api/v1/offers").json["total"] == 0
    assert world.uni.get("/api/v1/offers").json["total"] == 1


def test_members_see_offers_but_only_managers_negotiate(world):
    offer = make_offer(world).json
    seen = world.uni_staff.get(f"/api/v1/offers/{offer['id']}")
    assert seen.status_code == 200 and seen.json["allowed_actions"] == []
    assert_problem(world.uni_staff.post(f"/api/v1/offers/{offer['id']}/accept"), 403)
    assert_problem(make_offer(world, client=world.buyer_staff), 403)


def test_edits_need_the_current_etag(world):
    offer = make_offer(world).json
    url = f"/api/v1/offers/{offer['id']}"
    assert_problem(world.buyer.patch(url, json={"terms": {"royalty_rate_bps": 350}}), 428)
    edited = world.buyer.patch(url, json={"terms": {"royalty_rate_bps": 350}}, headers={"If-Match": '"v1"'})
    assert edited.status_code == 200, edited.json
    assert edited.json["revision_number"] == 2 and edited.json["awaiting"] == "university"
    assert edited.headers["ETag"] == '"v2"'
    stale = world.buyer.patch(url, json={"terms": {"royalty_rate_bps": 360}}, headers={"If-Match": '"v1"'})
    body = assert_problem(stale, 412)
    assert body["current_etag"] == '"v2"'
    stale_accept = world.uni.post(f"{url}/accept", headers={"If-Match": '"v1"'})
    assert_problem(stale_accept, 412)
    assert db.session.get(Offer, offer["id"]).status == "open"
    revision = db.session.execute(sa.select(OfferRevision).where(OfferRevision.offer_id == offer["id"],
                                                                 OfferRevision.number == 2)).scalar_one()
    assert revision.kind == "edit" and revision.side == "company"


def test_an_empty_edit_checks_the_etag_first_then_is_422(world):
    offer = make_offer(world).json
    url = f"/api/v1/offers/{offer['id']}"
    assert_problem(world.buyer.patch(url, json={}), 428)
    assert_problem(world.buyer.patch(url, json={}, headers={"If-Match": '"v9"'}), 412)
    assert_problem(world.buyer.patch(url, json={}, headers={"If-Match": '"v1"'}), 422, "terms")
    assert db.session.get(Offer, offer["id"]).revision_number == 1


def test_a_counter_must_change_a_term_and_terms_are_validated(world):
    offer = make_offer(world).json
    same = counter(world.uni, offer, {"royalty_rate_bps": 300})
    assert_problem(same, 422, "terms")
    bad = counter(world.uni, offer, {"royalty_rate_bps": 20_000, "territories": ["XX"], "colour": "red"})
    assert_problem(bad, 422, "terms.royalty_rate_bps", "terms.territories", "terms.colour")


def test_offer_terms_are_validated_on_creation(world, make_org, make_user, login):
    bad = make_offer(world, terms=license_terms(world, asset_ids=[999_999], end_date=days(-500), equity_bps=100))
    assert_problem(bad, 422, "terms.end_date")
    foreign = make_offer(world, terms=license_terms(world, asset_ids=[999_999]))
    assert_problem(foreign, 422, "terms.asset_ids")
    equity = make_offer(world, terms=license_terms(world, equity_bps=200))
    assert_problem(equity, 422, "terms.equity_bps")
    startup = login(make_user(kind="startup"))
    assert make_offer(world, terms=license_terms(world, equity_bps=200), client=startup).status_code == 201
    sponsorship = make_offer(world, "sponsored_research", terms={
        "currency": "EUR", "total_amount": 1000, "tranches": [{"due_date": days(5), "amount": 600}],
        "start_date": days(5), "duration_months": 12, "deliverables": ["Report"], "ip_ownership": "joint"})
    body = assert_problem(sponsorship, 422, "terms.tranches")
    assert "600" in str(body["errors"]["terms.tranches"])


def test_offers_need_a_published_listing_that_invites_their_kind(world, deal_listing):
    draft = deal_listing(world.university, "draft")
    response = world.buyer.post("/api/v1/offers", json={"listing_id": draft.id, "kind": "license",
                                                         "terms": license_terms(world), "expires_on": days(5)})
    assert_problem(response, 404)
    only_research = deal_listing(world.university, opportunity_types=["sponsored_research"])
    response = world.buyer.post("/api/v1/offers", json={"listing_id": only_research.id, "kind": "license",
                                                         "terms": license_terms(world), "expires_on": days(5)})
    assert_problem(response, 422, "kind")


def test_offer_past_its_date_is_expired_for_everyone_and_by_the_nightly_job(world, app):
    offer = make_offer(world).json
    db.session.get(Offer, offer["id"]).expires_on = today() - timedelta(days=1)
    db.session.commit()
    seen = world.buyer.get(f"/api/v1/offers/{offer['id']}").json
    assert seen["status"] == "expired" and seen["allowed_actions"] == []
    late = world.uni.post(f"/api/v1/offers/{offer['id']}/accept")
    body = assert_problem(late, 409)
    assert body["current_state"] == "expired"
    assert world.buyer.get("/api/v1/offers?status=expired").json["total"] == 1

    runner = app.test_cli_runner()
    first = runner.invoke(args=["offers", "expire"])
    assert first.exit_code == 0 and "1 offer(s) expired" in first.output
    assert "0 offer(s) expired" in runner.invoke(args=["offers", "expire"]).output
    stored = db.session.get(Offer, offer["id"])
    assert stored.status == "expired" and stored.open_key is None
    assert actions(world, offer["id"])[-1] == "offer.expire"
    assert outbox(to=world.company_manager.email, category="offer_expired")


def test_a_lapsed_offer_does_not_block_a_new_one(world):
    offer = make_offer(world).json
    db.session.get(Offer, offer["id"]).expires_on = today() - timedelta(days=1)
    db.session.commit()
    assert make_offer(world).status_code == 201
    assert db.session.get(Offer, offer["id"]).status == "expired"


def test_offer_lists_filter_by_whose_turn_it_is(world):
    offer = make_offer(world).json
    assert world.uni.get("/api/v1/offers?awaiting_me=true").json["total"] == 1
    assert world.buyer.get("/api/v1/offers?awaiting_me=true").json["total"] == 0
    counter(world.uni, offer, {"royalty_rate_bps": 800})
    assert world.buyer.get("/api/v1/offers?awaiting_me=true").json["total"] == 1
