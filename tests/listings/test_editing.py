"""Editing listings: optimistic concurrency, and which edits send a published listing back to review."""

import pytest

from marketplace.core.audit import AuditEvent
from marketplace.extensions import db
from marketplace.listings.models import ListingTransition
from tests.helpers import assert_problem, outbox_events

OFFER = {"fields": ["LS.THER"], "territories": ["US"], "price_amount": 500000, "currency": "USD",
         "term_months": 12, "terms": "Standard research license."}


def patch(c, listing, json, etag=None):
    return c.patch(f"/api/v1/listings/{listing.id}", json=json, headers={"If-Match": etag or f'"v{listing.version}"'})


def test_an_edit_needs_if_match_with_the_current_etag(staff_client, make_listing, uni):
    listing = make_listing(uni, "draft")
    etag = staff_client.get(f"/api/v1/listings/{listing.id}").headers["ETag"]
    body = assert_problem(staff_client.patch(f"/api/v1/listings/{listing.id}", json={"trl": 5}), 428)
    assert "If-Match" in body["detail"]
    first = staff_client.patch(f"/api/v1/listings/{listing.id}", json={"trl": 5}, headers={"If-Match": etag})
    assert first.status_code == 200 and first.json["trl"] == 5
    assert first.headers["ETag"] != etag and first.headers["ETag"] == f'"v{first.json["version"]}"'
    stale = staff_client.patch(f"/api/v1/listings/{listing.id}", json={"trl": 6}, headers={"If-Match": etag})
    body = assert_problem(stale, 412)
    assert body["current_etag"] == first.headers["ETag"]
    assert listing.trl == 5


def test_a_workflow_step_also_changes_the_etag(staff_client, make_listing, uni):
    listing = make_listing(uni, "draft")
    etag = staff_client.get(f"/api/v1/listings/{listing.id}").headers["ETag"]
    submitted = staff_client.post(f"/api/v1/listings/{listing.id}/submit")
    assert submitted.headers["ETag"] != etag
    assert_problem(staff_client.patch(f"/api/v1/listings/{listing.id}", json={"trl": 5}, headers={"If-Match": etag}),
                   412)


def test_an_edit_that_changes_nothing_keeps_the_version(staff_client, make_listing, uni):
    listing = make_listing(uni, "published")
    response = patch(staff_client, listing, {"trl": listing.trl, "keywords": ["therapy"]})
    assert response.status_code == 200 and response.headers["ETag"] == '"v1"'
    assert outbox_events() == [] and db.session.query(AuditEvent).filter_by(action="listing.update").count() == 0


@pytest.mark.parametrize(
    ("change", "changed"),
    [
        ({"title": "A sharper title for the therapy"}, "title"),
        ({"summary": "A rewritten summary of the invention."}, "summary"),
        ({"description": "New data from the mouse study."}, "description"),
        ({"fields": ["LS.THER", "LS.GENE"]}, "fields"),
        ({"asset_ids": []}, "asset_ids"),
        ({"express_license": OFFER}, "express_license"),
    ],
)
def test_a_substantive_edit_sends_a_published_listing_back_to_review(
    staff_client, client, staff, make_listing, make_asset, uni, change, changed
):
    listing = make_listing(uni, "published", assets=[make_asset(uni)])
    response = patch(staff_client, listing, change)
    assert response.status_code == 200, response.json
    assert response.json["status"] == "in_review"
    assert outbox_events() == [("listing.unpublished", listing.id)]
    step = db.session.query(ListingTransition).filter_by(listing_id=listing.id).one()
    assert (step.action, step.from_status, step.to_status, step.actor_user_id) == (
        "revise", "published", "in_review", staff.id
    )
    assert step.reason == f"Changed: {changed}"
    assert db.session.query(AuditEvent).filter_by(action="listing.update").one().changes[changed]
    assert db.session.query(AuditEvent).filter_by(action="listing.revise").one().changes["status"] == [
        "published", "in_review"
    ]
    assert_problem(client.get(f"/api/v1/listings/{listing.id}"), 404)


@pytest.mark.parametrize(
    "change",
    [
        {"keywords": ["oncology", "small molecule"]},
        {"trl": 6},
        {"development_stage": "validated"},
        {"opportunity_types": ["license"]},
        {"contact_user_id": "staff"},
    ],
)
def test_other_edits_keep_a_listing_published(staff_client, client, staff, make_listing, uni, change):
    listing = make_listing(uni, "published")
    if change.get("contact_user_id") == "staff":
        change = {"contact_user_id": staff.id}
    response = patch(staff_client, listing, change)
    assert response.status_code == 200, response.json
    assert response.json["status"] == "published"
    assert outbox_events() == [("listing.updated", listing.id)]
    assert db.session.query(ListingTransition).count() == 0
    assert client.get(f"/api/v1/listings/{listing.id}").status_code == 200


def test_removing_or_repricing_the_express_license_is_substantive(staff_client, make_listing, make_asset, uni):
    listing = make_listing(uni, "published", assets=[make_asset(uni)], express_license=OFFER)
    assert patch(staff_client, listing, {"express_license": {**OFFER, "price_amount": 400000}}).json["status"] == (
        "in_review"
    )
    other = make_listing(uni, "published", assets=[make_asset(uni)], express_license=OFFER)
    body = patch(staff_client, other, {"express_license": None}).json
    assert body["status"] == "in_review" and body["express_license"] is None


def test_edits_of_unpublished_listings_keep_their_state_and_write_no_outbox_event(staff_client, make_listing, uni):
    for status in ("draft", "in_review", "changes_requested", "archived"):
        listing = make_listing(uni, status)
        assert patch(staff_client, listing, {"title": "Retitled listing"}).json["status"] == status
    assert outbox_events() == []


def test_a_suspended_listing_cannot_be_edited(staff_client, make_listing, uni):
    listing = make_listing(uni, "suspended")
    body = assert_problem(patch(staff_client, listing, {"trl": 2}), 409)
    assert body["current_state"] == "suspended" and body["allowed_actions"] == ["reinstate"]


def test_other_universities_cannot_edit(other_client, company_client, admin_client, make_listing, uni):
    draft = make_listing(uni, "draft")
    published = make_listing(uni, "published")
    assert_problem(patch(other_client, draft, {"trl": 2}), 404)
    assert_problem(patch(other_client, published, {"trl": 2}), 403)
    assert_problem(patch(company_client, published, {"trl": 2}), 403)
    assert_problem(patch(admin_client, published, {"trl": 2}), 403)
    assert (draft.trl, published.trl) == (4, 4)


def test_other_universities_assets_cannot_be_linked_by_editing(staff_client, make_listing, make_asset, uni,
                                                                other_staff):
    listing = make_listing(uni, "draft")
    theirs = make_asset(other_staff.organization)
    assert_problem(patch(staff_client, listing, {"asset_ids": [theirs.id]}), 422, "asset_ids")
    assert listing.assets == []


def test_the_edit_endpoint_documents_what_counts_as_substance(client):
    spec = client.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/api/v1/listings/{listing_id}"]["patch"]
    assert "substance" in operation["description"] and "`keywords`" in operation["description"]
    assert any(p["name"] == "If-Match" and p["in"] == "header" for p in operation["parameters"])
