"""Confidential details behind an NDA: everyone sees they exist, only the entitled see their content."""

from __future__ import annotations

import sqlalchemy as sa

from marketplace.core.audit import AuditEvent
from marketplace.deals.ndas.models import NDARequest
from marketplace.extensions import db
from tests.helpers import assert_problem, outbox

SECRET = "Assay sensitivity 98.7% on 412 samples"
DETAILS = {"text": SECRET, "document_names": ["Clinical data.xlsx", "Lab notebook 12.pdf"],
           "nda_title": "Mutual NDA", "nda_version": "2026-01"}


def url(world):
    return f"/api/v1/listings/{world.listing.id}/confidential-details"


def set_details(world, **overrides):
    response = world.uni_staff.put(url(world), json={**DETAILS, **overrides})
    assert response.status_code == 200, response.json
    return response.json


def request_nda(world, client=None, **overrides):
    body = {"listing_id": world.listing.id, "nda_version": "2026-01", "agree": True, "message": "For evaluation"}
    body.update(overrides)
    return (client or world.buyer_staff).post("/api/v1/nda-requests", json=body)


def test_public_sees_that_confidential_details_exist_never_their_content(world):
    assert world.anonymous.get(url(world)).json["exists"] is False
    owner_view = set_details(world)
    assert owner_view["access"] == "granted" and owner_view["text"] == SECRET
    for client in (world.anonymous, world.buyer, world.third):
        response = client.get(url(world))
        assert response.status_code == 200
        body = response.json
        assert body["exists"] is True and body["access"] == "nda_required"
        assert body["nda_title"] == "Mutual NDA" and body["document_count"] == 2
        assert "text" not in body and "document_names" not in body
        assert SECRET not in response.get_data(as_text=True) and "Clinical" not in response.get_data(as_text=True)


def test_accepted_nda_opens_the_details_to_that_company_only(world):
    set_details(world)
    created = request_nda(world)
    assert created.status_code == 201, created.json
    request = created.json
    assert request["status"] == "pending" and request["nda_version"] == "2026-01" and request["agreed_at"]
    assert world.buyer.get(url(world)).json["access"] == "nda_pending"
    assert outbox(to=world.uni_member.email, category="nda_request")  # the listing's contact

    assert_problem(world.uni_staff.post(f"/api/v1/nda-requests/{request['id']}/accept"), 403)  # managers decide
    assert_problem(world.buyer.post(f"/api/v1/nda-requests/{request['id']}/accept"), 403)  # not the requester
    accepted = world.uni.post(f"/api/v1/nda-requests/{request['id']}/accept")
    assert accepted.status_code == 200, accepted.json
    assert accepted.json["status"] == "accepted" and accepted.json["decided_by"]["id"] == world.uni_manager.id
    assert accepted.json["decided_at"] and accepted.json["nda_title"] == "Mutual NDA"
    assert outbox(to=world.company_member.email, category="nda_request_accepted")

    granted = world.buyer.get(url(world)).json
    assert granted["access"] == "granted" and granted["text"] == SECRET
    assert granted["document_names"] == DETAILS["document_names"]
    assert world.third.get(url(world)).json["access"] == "nda_required"
    assert "text" not in world.anonymous.get(url(world)).json
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "nda_request.accept")).one()
    assert event.changes["nda_version"] == "2026-01" and event.actor_user_id == world.uni_manager.id


def test_declined_nda_gives_a_reason_and_the_company_may_ask_again(world):
    set_details(world)
    request = request_nda(world).json
    assert_problem(world.uni.post(f"/api/v1/nda-requests/{request['id']}/decline", json={}), 422, "reason")
    declined = world.uni.post(f"/api/v1/nda-requests/{request['id']}/decline", json={"reason": "Competitor"})
    assert declined.json["status"] == "declined" and declined.json["decline_reason"] == "Competitor"
    assert world.buyer.get(url(world)).json["access"] == "nda_required"
    assert "Competitor" in outbox(to=world.company_member.email, category="nda_request_declined")[0].body
    assert_problem(world.uni.post(f"/api/v1/nda-requests/{request['id']}/accept"), 409)
    assert request_nda(world).status_code == 201


def test_nda_request_rules(world):
    assert_problem(request_nda(world), 409)  # nothing confidential yet
    set_details(world)
    assert_problem(request_nda(world, agree=False), 422, "agree")
    changed = request_nda(world, nda_version="2025-07")
    assert assert_problem(changed, 409)["current_version"] == "2026-01"
    assert request_nda(world).status_code == 201
    duplicate = request_nda(world, client=world.buyer)
    assert assert_problem(duplicate, 409)["nda_request_id"]
    assert_problem(request_nda(world, client=world.uni), 403)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NDARequest)) == 1


def test_nda_requests_are_private_to_both_sides(world):
    set_details(world)
    request = request_nda(world).json
    assert_problem(world.third.get(f"/api/v1/nda-requests/{request['id']}"), 404)
    assert_problem(world.third.post(f"/api/v1/nda-requests/{request['id']}/decline", json={"reason": "x"}), 404)
    assert world.third.get("/api/v1/nda-requests").json["total"] == 0
    assert world.uni.get("/api/v1/nda-requests?status=pending").json["total"] == 1
    assert world.buyer.get(f"/api/v1/nda-requests/{request['id']}").json["id"] == request["id"]


def test_only_the_listings_university_edits_confidential_details(world, make_org, make_user, login):
    assert_problem(world.buyer.put(url(world), json=DETAILS), 403)
    other_uni = login(make_user(kind="university"))
    assert_problem(other_uni.put(url(world), json=DETAILS), 403)
    assert_problem(world.uni.put(url(world), json={**DETAILS, "text": "", "document_names": []}), 422, "text")
    set_details(world)
    updated = set_details(world, nda_version="2026-02")
    assert updated["nda_version"] == "2026-02"
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "listing.confidential_details_set")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.changes == {"nda_version": ["2026-01", "2026-02"]}
    assert world.uni.delete(url(world)).status_code == 204
    assert world.anonymous.get(url(world)).json["exists"] is False
