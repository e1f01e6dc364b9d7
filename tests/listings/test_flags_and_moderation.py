"""Flags on published listings, and the admins' moderation queue."""

from datetime import timedelta

import pytest

from marketplace.core.audit import AuditEvent
from marketplace.core.db import utcnow
from marketplace.extensions import db
from marketplace.listings.models import ListingFlag
from marketplace.notifications.models import Notification
from tests.helpers import assert_problem, outbox, outbox_events

FLAG = {"category": "inaccurate", "text": "The TRL claimed is not supported by the paper."}


@pytest.fixture
def reporter(make_user):
    return make_user(kind="company", name="Sam Rivera")


@pytest.fixture
def reporter_client(login, reporter):
    return login(reporter)


def flag(c, listing, **overrides):
    return c.post(f"/api/v1/listings/{listing.id}/flags", json={**FLAG, **overrides})


# ---- flagging -----------------------------------------------------------------------------------


def test_a_logged_in_user_flags_a_published_listing_and_admins_are_told(reporter_client, reporter, admin, make_listing,
                                                                        uni):
    listing = make_listing(uni, "published")
    response = flag(reporter_client, listing)
    assert response.status_code == 201
    assert response.json["status"] == "open" and response.json["category"] == "inaccurate"
    stored = db.session.get(ListingFlag, response.json["id"])
    assert (stored.listing_id, stored.reporter_user_id, stored.text) == (listing.id, reporter.id, FLAG["text"])
    event = db.session.query(AuditEvent).filter_by(action="listing_flag.create").one()
    assert event.actor_user_id == reporter.id and event.changes["category"] == "inaccurate"
    note = db.session.query(Notification).filter_by(user_id=admin.id).one()
    assert note.kind == "listing_flagged" and note.data["listing_id"] == listing.id


def test_flags_need_a_known_category_and_some_text(reporter_client, make_listing, uni):
    listing = make_listing(uni, "published")
    assert_problem(flag(reporter_client, listing, category="boring", text=""), 422, "category", "text")
    assert db.session.query(ListingFlag).count() == 0


def test_only_published_listings_can_be_flagged_and_only_once_per_person(client, reporter_client, staff_client,
                                                                         make_listing, uni):
    published = make_listing(uni, "published")
    draft = make_listing(uni, "draft")
    assert_problem(flag(client, published), 401)
    assert_problem(flag(reporter_client, draft), 404)
    body = assert_problem(flag(staff_client, draft), 409)
    assert body["current_state"] == "draft"
    assert flag(reporter_client, published).status_code == 201
    assert_problem(flag(reporter_client, published, category="spam"), 409)
    assert db.session.query(ListingFlag).count() == 1


def test_admins_list_open_flags_oldest_first(admin_client, make_listing, uni, reporter, make_user):
    listing = make_listing(uni, "published")
    other = make_user(kind="startup")
    newer = ListingFlag(listing_id=listing.id, reporter_user_id=other.id, category="spam", text="Advertising")
    older = ListingFlag(listing_id=listing.id, reporter_user_id=reporter.id, category="duplicate", text="Same as #3",
                        created_at=utcnow() - timedelta(days=2))
    done = ListingFlag(listing_id=listing.id, reporter_user_id=reporter.id, category="other", text="Old one",
                       status="dismissed")
    db.session.add_all([newer, older, done])
    db.session.commit()
    page = admin_client.get("/api/v1/admin/flags").json
    assert [f["id"] for f in page["items"]] == [older.id, newer.id]
    item = page["items"][0]
    assert item["listing"] == {"id": listing.id, "slug": listing.slug, "title": listing.title, "status": "published",
                               "university": {"id": uni.id, "name": uni.name, "slug": uni.slug, "country": "US"}}
    assert item["reporter"] == {"id": reporter.id, "name": reporter.name, "email": reporter.email}
    assert [f["id"] for f in admin_client.get("/api/v1/admin/flags?status=dismissed").json["items"]] == [done.id]
    assert admin_client.get(f"/api/v1/admin/flags?listing_id={listing.id + 1}").json["total"] == 0


def test_resolving_a_flag_can_suspend_the_listing_in_the_same_step(admin_client, admin, reporter_client, reporter,
                                                                   client, make_listing, uni, manager):
    listing = make_listing(uni, "published")
    flag_id = flag(reporter_client, listing).json["id"]
    assert_problem(admin_client.post(f"/api/v1/admin/flags/{flag_id}/resolve", json={"suspend_listing": True}), 422,
                   "note")
    response = admin_client.post(f"/api/v1/admin/flags/{flag_id}/resolve",
                                 json={"note": "Claims not supported", "suspend_listing": True})
    assert response.status_code == 200
    body = response.json
    assert body["status"] == "resolved" and body["resolution_note"] == "Claims not supported"
    assert body["resolved_by"]["id"] == admin.id and body["resolved_at"]
    assert body["listing"]["status"] == "suspended" == listing.status
    assert_problem(client.get(f"/api/v1/listings/{listing.id}"), 404)
    assert outbox_events() == [("listing.unpublished", listing.id)]
    assert outbox(to=manager.email, category="listing_suspended")
    audit = db.session.query(AuditEvent).filter_by(action="listing_flag.resolve").one()
    assert audit.changes == {"status": ["open", "resolved"], "note": "Claims not supported", "listing_suspended": True}
    suspension = db.session.query(AuditEvent).filter_by(action="listing.suspend").one()
    assert suspension.changes["reason"] == "Claims not supported"
    assert db.session.query(Notification).filter_by(user_id=reporter.id, kind="flag_resolved").count() == 1
    assert_problem(admin_client.post(f"/api/v1/admin/flags/{flag_id}/resolve", json={}), 409)


def test_a_second_flag_resolved_with_suspension_leaves_the_suspended_listing_as_it_is(admin_client, make_listing, uni,
                                                                                      reporter, make_user):
    listing = make_listing(uni, "suspended")
    flag_ = ListingFlag(listing_id=listing.id, reporter_user_id=reporter.id, category="spam", text="Advertising")
    db.session.add(flag_)
    db.session.commit()
    response = admin_client.post(f"/api/v1/admin/flags/{flag_.id}/resolve",
                                 json={"note": "Already handled", "suspend_listing": True})
    assert response.status_code == 200 and listing.status == "suspended"
    assert db.session.query(AuditEvent).filter_by(action="listing.suspend").count() == 0


def test_dismissing_a_flag_leaves_the_listing_published(admin_client, reporter_client, make_listing, uni):
    listing = make_listing(uni, "published")
    flag_id = flag(reporter_client, listing).json["id"]
    response = admin_client.post(f"/api/v1/admin/flags/{flag_id}/dismiss", json={"note": "The paper supports it"})
    assert response.json["status"] == "dismissed" and listing.status == "published"
    assert outbox_events() == []
    body = assert_problem(admin_client.post(f"/api/v1/admin/flags/{flag_id}/dismiss", json={}), 409)
    assert body["current_state"] == "dismissed" and body["allowed_actions"] == []
    assert_problem(admin_client.post("/api/v1/admin/flags/424242/dismiss", json={}), 404)
    assert flag(reporter_client, listing).status_code == 201


# ---- the moderation queue -----------------------------------------------------------------------


def test_the_queue_lists_listings_in_review_oldest_submission_first(admin_client, make_listing, uni):
    now = utcnow()
    recent = make_listing(uni, "in_review", submitted_at=now - timedelta(hours=1))
    waiting = make_listing(uni, "in_review", submitted_at=now - timedelta(days=3))
    make_listing(uni, "draft")
    make_listing(uni, "published")
    page = admin_client.get("/api/v1/admin/moderation-queue").json
    assert page["total"] == 2
    assert [item["listing"]["id"] for item in page["items"]] == [waiting.id, recent.id]
    first = page["items"][0]
    assert first["is_first_review"] is True and first["changes"] == {} and first["open_flags"] == 0
    assert first["listing"]["university"]["name"] == uni.name


def test_the_queue_shows_what_changed_since_the_last_approved_version(admin_client, staff_client, make_listing, uni,
                                                                      reporter):
    listing = make_listing(uni, "published", keywords=["therapy"])
    old_title = listing.title
    db.session.add(ListingFlag(listing_id=listing.id, reporter_user_id=reporter.id, category="other", text="Typo"))
    db.session.commit()
    response = staff_client.patch(
        f"/api/v1/listings/{listing.id}",
        json={"title": "Selective kinase inhibitor for fibrosis", "keywords": ["fibrosis"], "trl": 4},
        headers={"If-Match": '"v1"'},
    )
    assert response.json["status"] == "in_review"
    [item] = admin_client.get("/api/v1/admin/moderation-queue").json["items"]
    assert item["is_first_review"] is False and item["open_flags"] == 1
    assert item["changes"] == {
        "title": {"before": old_title, "after": "Selective kinase inhibitor for fibrosis"},
        "keywords": {"before": ["therapy"], "after": ["fibrosis"]},
    }
    assert item["submitted_at"]
    admin_client.post(f"/api/v1/listings/{listing.id}/approve")
    assert admin_client.get("/api/v1/admin/moderation-queue").json["total"] == 0
    assert listing.approved_snapshot["title"] == "Selective kinase inhibitor for fibrosis"
