"""Creating, reading, listing and deleting listings; who sees what."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.core import deferred
from marketplace.core.audit import AuditEvent
from marketplace.core.db import utcnow
from marketplace.extensions import db
from marketplace.listings.models import Listing
from tests.helpers import assert_problem, outbox_events

OFFER = {"fields": ["EN.STOR"], "territories": ["WORLDWIDE"], "price_amount": 250000, "currency": "usd",
         "term_months": 24, "terms": "Non-exclusive, non-transferable, no sublicensing."}


def new_listing(**overrides):
    data = {
        "title": "Garnet solid-state electrolyte for safer batteries",
        "summary": "A ceramic electrolyte that stops lithium dendrites and survives 2,000 cycles.",
        "description": "Researchers in the materials lab developed a doped garnet oxide...",
        "fields": ["en.stor", "CH.NANO"],
        "keywords": ["battery", "Battery", "solid-state"],
        "trl": 4,
        "development_stage": "prototype",
        "opportunity_types": ["license", "co_development"],
    }
    data.update(overrides)
    return data


# ---- creating -----------------------------------------------------------------------------------


def test_staff_write_a_draft_with_ip_and_an_express_license(staff_client, staff, make_asset):
    asset = make_asset(staff.organization)
    response = staff_client.post("/api/v1/listings", json=new_listing(asset_ids=[asset.id], express_license=OFFER))
    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "draft" and body["version"] == 1
    assert response.headers["ETag"] == '"v1"'
    assert body["slug"] == "garnet-solid-state-electrolyte-for-safer-batteries"
    assert body["fields"] == ["CH.NANO", "EN.STOR"]
    assert body["keywords"] == ["battery", "solid-state"]
    assert body["contact"] == {"id": staff.id, "name": staff.name, "email": staff.email}
    assert [a["id"] for a in body["assets"]] == [asset.id]
    assert body["express_license"]["currency"] == "USD" and body["express_license"]["price_amount"] == 250000
    assert body["allowed_actions"] == ["submit", "suspend"]
    listing = db.session.get(Listing, body["id"])
    assert listing.university_id == staff.organization_id and listing.created_by_id == staff.id
    event = db.session.query(AuditEvent).filter_by(action="listing.create").one()
    assert event.object_id == str(listing.id) and event.changes["asset_ids"] == [asset.id]
    assert outbox_events() == []


def test_slugs_are_unique_and_do_not_follow_later_title_edits(staff_client):
    first = staff_client.post("/api/v1/listings", json=new_listing()).json
    second = staff_client.post("/api/v1/listings", json=new_listing()).json
    assert second["slug"] == first["slug"] + "-2"
    staff_client.patch(f"/api/v1/listings/{first['id']}", json={"title": "A completely new title"},
                       headers={"If-Match": '"v1"'})
    assert db.session.get(Listing, first["id"]).slug == first["slug"]
    assert staff_client.get(f"/api/v1/listings/by-slug/{first['slug']}").json["title"] == "A completely new title"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"fields": ["LS.MAGIC"]}, "fields"),
        ({"trl": 10}, "trl"),
        ({"trl": "4"}, "trl"),
        ({"development_stage": "finished"}, "development_stage"),
        ({"opportunity_types": ["merger"]}, "opportunity_types"),
        ({"title": "  "}, "title"),
        ({"summary": None}, "summary"),
        ({"status": "published"}, "status"),
        ({"asset_ids": ["1"]}, "asset_ids"),
    ],
)
def test_invalid_listing_fields_are_named(staff_client, overrides, field):
    assert_problem(staff_client.post("/api/v1/listings", json=new_listing(**overrides)), 422, field)
    assert db.session.query(Listing).count() == 0


@pytest.mark.parametrize(
    ("offer", "field"),
    [
        ({"fields": ["XX.YY"]}, "fields"),
        ({"fields": []}, "fields"),
        ({"territories": ["US", "Atlantis"]}, "territories"),
        ({"territories": ["WORLDWIDE", "US"]}, "territories"),
        ({"price_amount": 0}, "price_amount"),
        ({"price_amount": 99.5}, "price_amount"),
        ({"currency": "DOLLARS"}, "currency"),
        ({"term_months": 0}, "term_months"),
        ({"term_months": None}, "term_months"),
    ],
)
def test_express_license_terms_are_validated(staff_client, offer, field):
    body = assert_problem(
        staff_client.post("/api/v1/listings", json=new_listing(express_license={**OFFER, **offer})),
        422,
        "express_license",
    )
    assert field in body["errors"]["express_license"]


def test_express_license_territories_may_name_countries(staff_client):
    offer = {**OFFER, "territories": ["us", "CA", "US"]}
    body = staff_client.post("/api/v1/listings", json=new_listing(express_license=offer)).json
    assert body["express_license"]["territories"] == ["US", "CA"]


def test_only_the_universitys_own_assets_can_be_linked(staff_client, staff, make_asset, make_org):
    mine = make_asset(staff.organization)
    theirs = make_asset(make_org("university"))
    for ids in ([mine.id, theirs.id], [mine.id, 999999]):
        body = assert_problem(staff_client.post("/api/v1/listings", json=new_listing(asset_ids=ids)), 422, "asset_ids")
        assert str(ids[1]) in body["errors"]["asset_ids"][0]
    assert db.session.query(Listing).count() == 0


def test_the_contact_must_belong_to_the_university(staff_client, make_user, manager):
    outsider = make_user(kind="company")
    assert_problem(staff_client.post("/api/v1/listings", json=new_listing(contact_user_id=outsider.id)), 422,
                   "contact_user_id")
    body = staff_client.post("/api/v1/listings", json=new_listing(contact_user_id=manager.id)).json
    assert body["contact"]["id"] == manager.id


@pytest.mark.parametrize("who", ["company", "unverified_university", "admin"])
def test_only_staff_of_verified_universities_write_listings(who, login, make_user, make_org, admin):
    user = {
        "company": lambda: make_user(kind="company"),
        "unverified_university": lambda: make_user(org=make_org("university", verified=False)),
        "admin": lambda: admin,
    }[who]()
    assert_problem(login(user).post("/api/v1/listings", json=new_listing()), 403)


# ---- reading ------------------------------------------------------------------------------------


def test_anyone_reads_a_published_listing_with_university_and_public_ip_facts(client, make_listing, make_asset, uni,
                                                                             manager):
    asset = make_asset(uni)
    listing = make_listing(uni, "published", assets=[asset], review_note="Old note",
                           express_license={**OFFER, "currency": "USD"})
    response = client.get(f"/api/v1/listings/{listing.id}")
    assert response.status_code == 200
    assert response.headers["ETag"] == '"v1"'
    body = response.json
    assert body["university"] == {"id": uni.id, "name": uni.name, "slug": uni.slug, "country": "US"}
    assert body["assets"][0]["application_number"] == asset.application_number
    assert "internal_notes" not in body["assets"][0]
    assert "review_note" not in body and "allowed_actions" not in body and "version" not in body
    assert body["contact"] == {"id": manager.id, "name": manager.name}
    assert body["express_license"]["price_amount"] == 250000 and body["has_express_license"] is True
    assert client.get(f"/api/v1/listings/by-slug/{listing.slug}").json["id"] == listing.id


@pytest.mark.parametrize("status", ["draft", "in_review", "changes_requested", "archived", "suspended"])
def test_unpublished_listings_are_hidden_from_everyone_but_their_university_and_admins(
    status, client, company_client, other_client, staff_client, admin_client, make_listing, uni
):
    listing = make_listing(uni, status, review_note="Please add data")
    for outsider in (client, company_client, other_client):
        assert_problem(outsider.get(f"/api/v1/listings/{listing.id}"), 404)
        assert_problem(outsider.get(f"/api/v1/listings/by-slug/{listing.slug}"), 404)
    for insider in (staff_client, admin_client):
        body = insider.get(f"/api/v1/listings/{listing.id}").json
        assert body["status"] == status and body["review_note"] == "Please add data"


def test_a_missing_listing_is_not_found(client):
    assert_problem(client.get("/api/v1/listings/424242"), 404)
    assert_problem(client.get("/api/v1/listings/by-slug/no-such-listing"), 404)


def test_public_reads_count_views_without_changing_version_or_update_time(
    app, client, company_client, staff_client, admin_client, make_listing, uni
):
    listing = make_listing(uni, "published")
    updated_at = listing.updated_at
    assert client.get(f"/api/v1/listings/{listing.id}").json["view_count"] == 0
    assert company_client.get(f"/api/v1/listings/by-slug/{listing.slug}").json["view_count"] == 0
    staff_client.get(f"/api/v1/listings/{listing.id}")
    admin_client.get(f"/api/v1/listings/{listing.id}")
    deferred.flush(app)  # views are buffered and written off the request path
    assert client.get(f"/api/v1/listings/{listing.id}").json["view_count"] == 2
    db.session.refresh(listing)
    assert (listing.view_count, listing.version, listing.updated_at) == (2, 1, updated_at)


# ---- lists --------------------------------------------------------------------------------------


def test_the_catalogue_lists_published_listings_newest_first(client, make_listing, uni, make_org):
    newer = make_listing(make_org("university"), "published")
    older = make_listing(uni, "published", published_at=utcnow() - timedelta(days=3))
    make_listing(uni, "draft")
    make_listing(uni, "suspended")
    page = client.get("/api/v1/listings").json
    assert page["total"] == 2
    assert [item["id"] for item in page["items"]] == [newer.id, older.id]
    assert all(item["status"] == "published" for item in page["items"])
    assert "review_note" not in page["items"][0]


def test_lists_filter_by_university_and_field_where_a_parent_matches_its_children(client, make_listing, uni,
                                                                                   make_org):
    therapy = make_listing(uni, "published", fields=("LS.THER",))
    devices = make_listing(uni, "published", fields=("LS.DEVI", "EL.SENS"))
    solar = make_listing(make_org("university"), "published", fields=("EN.SOLR",))

    def ids(query):
        return {item["id"] for item in client.get(f"/api/v1/listings?{query}").json["items"]}

    assert ids("field=LS") == {therapy.id, devices.id}
    assert ids("field=ls.devi") == {devices.id}
    assert ids("field=EL&field=EN") == {devices.id, solar.id}
    assert ids(f"university_id={uni.id}") == {therapy.id, devices.id}
    assert ids(f"university={uni.slug}&field=EL") == {devices.id}
    assert_problem(client.get("/api/v1/listings?field=NOPE"), 422, "field")


def test_lists_are_paginated(client, make_listing, uni):
    for _ in range(5):
        make_listing(uni, "published")
    page = client.get("/api/v1/listings?page=2&page_size=2").json
    assert (page["total"], page["page"], page["pages"], len(page["items"])) == (5, 2, 3, 2)
    assert_problem(client.get("/api/v1/listings?page_size=101"), 422, "page_size")


def test_status_filters_only_reach_your_own_universitys_unpublished_listings(
    client, staff_client, other_client, admin_client, make_listing, uni, other_staff
):
    mine = make_listing(uni, "draft")
    theirs = make_listing(other_staff.organization, "draft")
    published = make_listing(uni, "published")

    def ids(c, query):
        return {item["id"] for item in c.get(f"/api/v1/listings?{query}").json["items"]}

    assert ids(staff_client, "status=draft") == {mine.id}
    assert ids(other_client, "status=draft") == {theirs.id}
    assert ids(client, "status=draft") == set()
    assert ids(admin_client, "status=draft") == {mine.id, theirs.id}
    assert ids(staff_client, "mine=true") == {mine.id, published.id}
    assert ids(staff_client, "mine=true&status=published") == {published.id}
    assert_problem(client.get("/api/v1/listings?status=gone"), 422, "status")


def test_listing_a_page_takes_a_constant_number_of_queries(app, client, make_listing, make_asset, uni):
    for n in range(6):
        make_listing(uni, "published", assets=[make_asset(uni)], express_license={**OFFER, "currency": "USD"})
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        assert len(client.get("/api/v1/listings").json["items"]) == 6
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 6, selects


# ---- deleting -----------------------------------------------------------------------------------


def test_staff_delete_drafts_only(staff_client, make_listing, uni):
    draft = make_listing(uni, "draft")
    draft_id = draft.id
    assert staff_client.delete(f"/api/v1/listings/{draft_id}").status_code == 204
    assert db.session.get(Listing, draft_id) is None
    assert db.session.query(AuditEvent).filter_by(action="listing.delete", object_id=str(draft_id)).count() == 1
    published = make_listing(uni, "published")
    body = assert_problem(staff_client.delete(f"/api/v1/listings/{published.id}"), 409)
    assert body["current_state"] == "published" and "archive" in body["allowed_actions"]


def test_other_universities_cannot_delete_or_see_a_draft(other_client, make_listing, uni):
    draft = make_listing(uni, "draft")
    assert_problem(other_client.delete(f"/api/v1/listings/{draft.id}"), 404)
    assert db.session.get(Listing, draft.id) is not None


def test_the_taxonomy_is_served(client):
    fields = client.get("/api/v1/listings/technology-fields").json
    assert {"code": "LS.THER", "name": "Therapeutics", "parent": "LS"} in fields
