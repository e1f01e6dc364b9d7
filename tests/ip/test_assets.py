from datetime import date

import pytest

from marketplace.core.audit import AuditEvent
from marketplace.extensions import db
from marketplace.ip.models import IPAsset
from tests.helpers import assert_problem, outbox_events

PATENT = {
    "kind": "patent",
    "title": "Solid-state electrolyte with lithium-ion conducting garnet",
    "abstract": "A garnet-type oxide electrolyte that suppresses dendrites.",
    "inventors": ["Maya Chen", "Daniel Ortiz"],
    "jurisdiction": "us",
    "application_number": "US 17/123,456",
    "patent_number": "US 11,234,567 B2",
    "priority_date": "2019-04-02",
    "filing_date": "2020-04-01",
    "grant_date": "2022-08-09",
    "expiry_date": "2040-04-01",
    "status": "granted",
    "internal_notes": "Exclusive field reserved for automotive.",
}


def test_staff_register_an_asset_and_the_audit_trail_keeps_it(staff_client, staff):
    response = staff_client.post("/api/v1/ip/assets", json=PATENT)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["jurisdiction"] == "US" and body["status"] == "granted"
    assert body["university_id"] == staff.organization_id
    assert body["internal_notes"] == PATENT["internal_notes"]
    asset = db.session.get(IPAsset, body["id"])
    assert asset.grant_date == date(2022, 8, 9) and asset.inventors == ["Maya Chen", "Daniel Ortiz"]
    event = db.session.query(AuditEvent).filter_by(action="ip_asset.create").one()
    assert event.object_id == str(asset.id) and event.actor_user_id == staff.id
    assert event.changes == {"kind": "patent", "title": PATENT["title"]}


def test_a_minimal_asset_defaults_to_pending(staff_client):
    response = staff_client.post("/api/v1/ip/assets", json={"kind": "know_how", "title": "Fermentation protocol"})
    assert response.status_code == 201
    assert response.json["status"] == "pending" and response.json["inventors"] == []


@pytest.mark.parametrize("who", ["company", "unverified_university", "admin"])
def test_only_staff_of_verified_universities_keep_a_register(who, login, make_user, make_org, admin):
    user = {
        "company": lambda: make_user(kind="company"),
        "unverified_university": lambda: make_user(org=make_org("university", verified=False)),
        "admin": lambda: admin,
    }[who]()
    c = login(user)
    assert_problem(c.post("/api/v1/ip/assets", json=PATENT), 403)
    assert_problem(c.get("/api/v1/ip/assets"), 403)
    assert db.session.query(IPAsset).count() == 0


def test_anonymous_callers_must_log_in(client):
    assert_problem(client.get("/api/v1/ip/assets"), 401)


@pytest.mark.parametrize(
    ("dates", "fields"),
    [
        ({"priority_date": "2021-01-01", "filing_date": "2020-01-01"}, ["filing_date"]),
        ({"filing_date": "2020-01-01", "grant_date": "2019-06-01"}, ["grant_date"]),
        ({"grant_date": "2022-01-01", "expiry_date": "2021-01-01"}, ["expiry_date"]),
        ({"priority_date": "2030-01-01", "filing_date": "2020-01-01", "expiry_date": "2025-01-01"},
         ["filing_date", "expiry_date"]),
    ],
)
def test_dates_must_run_priority_filing_grant_expiry(staff_client, dates, fields):
    body = assert_problem(
        staff_client.post("/api/v1/ip/assets", json={"kind": "patent_application", "title": "Sensor", **dates}),
        422,
        *fields,
    )
    assert set(body["errors"]) == set(fields)
    assert db.session.query(IPAsset).count() == 0


def test_a_granted_patent_needs_its_number(staff_client):
    data = {**PATENT, "patent_number": None}
    body = assert_problem(staff_client.post("/api/v1/ip/assets", json=data), 422, "patent_number")
    assert body["errors"]["patent_number"] == ["A granted patent needs its patent number."]


def test_only_registered_rights_can_be_granted(staff_client):
    assert_problem(
        staff_client.post("/api/v1/ip/assets", json={"kind": "software", "title": "Solver", "status": "granted"}),
        422,
        "status",
    )


def test_unknown_values_are_named(staff_client):
    body = assert_problem(
        staff_client.post("/api/v1/ip/assets", json={"kind": "idea", "title": "X", "jurisdiction": "EU", "colour": 1}),
        422,
        "kind",
        "title",
        "jurisdiction",
        "colour",
    )
    assert "EP" in body["errors"]["jurisdiction"][0]


def test_regional_offices_are_jurisdictions(staff_client):
    response = staff_client.post("/api/v1/ip/assets", json={"kind": "patent_application", "title": "PCT filing",
                                                            "jurisdiction": "WO"})
    assert response.status_code == 201 and response.json["jurisdiction"] == "WO"


def test_an_edit_is_checked_against_the_stored_dates(staff_client, make_asset, staff):
    asset = make_asset(staff.organization, filing_date=date(2023, 3, 1), priority_date=date(2022, 3, 1))
    assert_problem(staff_client.patch(f"/api/v1/ip/assets/{asset.id}", json={"grant_date": "2023-01-01"}), 422,
                   "grant_date")
    response = staff_client.patch(
        f"/api/v1/ip/assets/{asset.id}",
        json={"grant_date": "2024-05-01", "status": "granted", "patent_number": "US 12,000,001 B1", "kind": "patent"},
    )
    assert response.status_code == 200
    assert (asset.status, asset.patent_number) == ("granted", "US 12,000,001 B1")
    event = db.session.query(AuditEvent).filter_by(action="ip_asset.update").one()
    assert event.changes["status"] == ["pending", "granted"]
    assert event.changes["grant_date"] == [None, "2024-05-01"]


def test_another_universitys_assets_are_not_found(staff_client, make_asset, make_org):
    theirs = make_asset(make_org("university"))
    url = f"/api/v1/ip/assets/{theirs.id}"
    assert_problem(staff_client.get(url), 404)
    assert_problem(staff_client.patch(url, json={"title": "Mine now"}), 404)
    assert_problem(staff_client.delete(url), 404)
    assert db.session.get(IPAsset, theirs.id).title.startswith("Method")
    assert staff_client.get("/api/v1/ip/assets").json["total"] == 0


def test_list_shows_own_assets_filtered_and_paginated(staff_client, make_asset, staff, make_org):
    mine = staff.organization
    for n in range(3):
        make_asset(mine, title=f"Battery cathode {n}")
    software = make_asset(mine, kind="software", title="Spectral imaging toolkit", application_number=None,
                          priority_date=None, filing_date=None)
    make_asset(make_org("university"), title="Battery anode elsewhere")
    page = staff_client.get("/api/v1/ip/assets?page_size=2").json
    assert (page["total"], len(page["items"]), page["pages"]) == (4, 2, 2)
    assert page["items"][0]["id"] == software.id
    assert staff_client.get("/api/v1/ip/assets?kind=software").json["total"] == 1
    assert staff_client.get("/api/v1/ip/assets?q=cathode").json["total"] == 3
    assert staff_client.get("/api/v1/ip/assets?status=granted").json["total"] == 0
    assert_problem(staff_client.get("/api/v1/ip/assets?kind=idea"), 422, "kind")


def test_an_asset_linked_to_a_listing_cannot_be_deleted(staff_client, make_asset, make_listing, staff):
    linked = make_asset(staff.organization)
    make_listing(staff.organization, assets=[linked])
    assert_problem(staff_client.delete(f"/api/v1/ip/assets/{linked.id}"), 409)
    assert db.session.get(IPAsset, linked.id) is not None
    spare = make_asset(staff.organization)
    spare_id, spare_title = spare.id, spare.title
    assert staff_client.delete(f"/api/v1/ip/assets/{spare_id}").status_code == 204
    assert db.session.get(IPAsset, spare_id) is None
    event = db.session.query(AuditEvent).filter_by(action="ip_asset.delete").one()
    assert event.object_id == str(spare_id) and event.changes["title"] == spare_title


def test_changing_public_facts_reannounces_the_published_listings_showing_the_asset(
    staff_client, make_asset, make_listing, staff
):
    asset = make_asset(staff.organization)
    published = make_listing(staff.organization, "published", assets=[asset])
    make_listing(staff.organization, "draft", assets=[asset])
    staff_client.patch(f"/api/v1/ip/assets/{asset.id}", json={"internal_notes": "Talked to Helix"})
    assert outbox_events() == []
    staff_client.patch(f"/api/v1/ip/assets/{asset.id}", json={"title": "Improved method"})
    assert outbox_events() == [("listing.updated", published.id)]
