"""The admin pages through the Flask test client: who may see them, and every decision with its reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.core.audit import AuditEvent
from marketplace.core.db import utcnow
from marketplace.extensions import db
from marketplace.listings.models import ListingFlag
from marketplace.listings.services import content_snapshot
from tests.helpers import outbox
from tests.web.pages import EN, submit, text

ADMIN_PAGES = ("/admin/organizations", "/admin/moderation", "/admin/flags", "/admin/users", "/admin/audit")


@pytest.fixture
def admin_browser(app, admin):
    from tests.accounts.test_pages import page_login

    browser = app.test_client()
    page_login(browser, admin)
    return browser


def test_admin_pages_send_anonymous_visitors_to_log_in_and_refuse_everyone_else(client, login, make_user):
    for path in ADMIN_PAGES:
        answer = client.get(path)
        assert answer.status_code == 303 and answer.headers["Location"].startswith("/login?next=%2Fadmin%2F"), path
    manager = login(make_user(role="manager"))
    for path in ADMIN_PAGES:
        answer = manager.get(path, headers=EN)
        assert answer.status_code == 403 and answer.mimetype == "text/html", path
    assert manager.post("/admin/users/1/suspend", data={"reason": "x"}).status_code == 403
    assert "Administration" not in text(manager.get("/account", headers=EN))


def test_admin_verifies_and_rejects_organizations_with_a_reason(admin_browser, make_org, make_user):
    waiting = make_org("company", verified=False, name="Mekong Xanh")
    manager = make_user(org=waiting, role="manager")
    other = make_org("university", verified=False, name="Cần Thơ")
    make_org("company", name="Already verified")
    page = admin_browser.get("/admin/organizations", headers=EN)
    assert "Mekong Xanh" in text(page) and "Cần Thơ" in text(page) and "Already verified" not in text(page)
    assert "Administration" in text(page)  # the header link

    no_reason = submit(admin_browser, "/admin/organizations", f"/admin/organizations/{other.id}/reject", {"reason": " "})
    assert no_reason.status_code == 400 and "Mekong Xanh" in text(no_reason)
    db.session.refresh(other)
    assert other.verification_status == "pending"
    rejected = submit(admin_browser, "/admin/organizations", f"/admin/organizations/{other.id}/reject",
                      {"reason": "No proof this is a university."})
    assert rejected.status_code == 303
    db.session.refresh(other)
    assert other.verification_status == "rejected" and other.rejection_reason == "No proof this is a university."

    verified = submit(admin_browser, "/admin/organizations", f"/admin/organizations/{waiting.id}/verify",
                      {"next": "/admin/organizations?verification_status=pending"})
    assert verified.status_code == 303
    assert verified.headers["Location"] == "/admin/organizations?verification_status=pending&done=verified"
    db.session.refresh(waiting)
    assert waiting.verification_status == "verified" and len(outbox(to=manager.email)) == 1
    twice = submit(admin_browser, "/admin/organizations", f"/admin/organizations/{waiting.id}/verify")
    assert twice.status_code == 409 and "form-error" in twice.get_data(as_text=True)
    assert admin_browser.get("/admin/organizations?verification_status=bogus", headers=EN).status_code == 400


def test_moderation_queue_shows_the_change_since_the_last_approval_and_each_decision(
    admin_browser, make_org, make_user, make_listing
):
    uni = make_org("university")
    make_user(org=uni, role="manager")
    new = make_listing(uni, status="in_review", title="A first submission")
    edited = make_listing(uni, status="in_review", title="Sodium battery")
    edited.approved_snapshot = {**content_snapshot(edited), "title": "Old battery title"}
    db.session.commit()
    page = admin_browser.get("/admin/moderation", headers=EN)
    body = text(page)
    assert " 2 listings wait for review" in body and "First review: everything is new." in body
    assert "Old battery title" in body and "Sodium battery" in body  # before and now

    assert submit(admin_browser, "/admin/moderation", f"/admin/listings/{new.id}/request-changes",
                  {"reason": ""}).status_code == 400
    asked = submit(admin_browser, "/admin/moderation", f"/admin/listings/{new.id}/request-changes",
                   {"reason": "Add the patent number."})
    assert asked.status_code == 303
    db.session.refresh(new)
    assert new.status == "changes_requested" and new.review_note == "Add the patent number."

    approved = submit(admin_browser, "/admin/moderation", f"/admin/listings/{edited.id}/approve")
    assert approved.status_code == 303
    db.session.refresh(edited)
    assert edited.status == "published"
    again = submit(admin_browser, "/admin/moderation", f"/admin/listings/{edited.id}/approve")
    assert again.status_code == 409

    suspended = submit(admin_browser, "/admin/moderation", f"/admin/listings/{edited.id}/suspend",
                       {"reason": "Infringes a patent."})
    assert suspended.status_code == 303
    db.session.refresh(edited)
    assert edited.status == "suspended"
    assert "Sodium battery" in text(admin_browser.get("/admin/moderation", headers=EN))  # under "Suspended listings"
    assert submit(admin_browser, "/admin/moderation", f"/admin/listings/{edited.id}/reinstate").status_code == 303
    db.session.refresh(edited)
    assert edited.status == "published"


def test_flags_are_resolved_with_a_suspension_or_dismissed(admin_browser, make_listing, make_user):
    listing = make_listing(status="published", title="Copied work")
    reporter = make_user()
    spam = ListingFlag(listing_id=listing.id, reporter_user_id=reporter.id, category="spam", text="Looks like spam.")
    stolen = ListingFlag(listing_id=listing.id, reporter_user_id=reporter.id, category="infringing",
                         text="This is our patent.")
    db.session.add_all([spam, stolen])
    db.session.commit()
    page = admin_browser.get("/admin/flags", headers=EN)
    assert " 2 flags" in text(page) and "This is our patent." in text(page)
    no_reason = submit(admin_browser, "/admin/flags", f"/admin/flags/{stolen.id}/resolve", {"suspend_listing": "true"})
    assert no_reason.status_code == 400 and "Say why the listing is suspended." in text(no_reason)
    resolved = submit(admin_browser, "/admin/flags", f"/admin/flags/{stolen.id}/resolve",
                      {"suspend_listing": "true", "note": "Confirmed with the patent office."})
    assert resolved.status_code == 303
    dismissed = submit(admin_browser, "/admin/flags", f"/admin/flags/{spam.id}/dismiss", {"note": "Not spam."})
    assert dismissed.status_code == 303
    db.session.refresh(stolen), db.session.refresh(spam), db.session.refresh(listing)
    assert (stolen.status, spam.status, listing.status) == ("resolved", "dismissed", "suspended")
    assert " 1 flag " in text(admin_browser.get("/admin/flags?status=dismissed", headers=EN))


def test_admin_suspends_and_reactivates_users(app, admin, admin_browser, login, make_user):
    user = make_user(name="Sam Rivera")
    their_browser = login(user)
    page = admin_browser.get("/admin/users?q=rivera", headers=EN)
    assert " 1 user " in text(page) and "Sam Rivera" in text(page)
    assert submit(admin_browser, "/admin/users", f"/admin/users/{user.id}/suspend", {"reason": ""}).status_code == 400
    done = submit(admin_browser, "/admin/users", f"/admin/users/{user.id}/suspend", {"reason": "Spamming."})
    assert done.status_code == 303
    assert their_browser.get("/api/v1/auth/me").status_code == 401
    assert "Suspended: Spamming." in text(admin_browser.get("/admin/users?suspended=true", headers=EN))
    assert submit(admin_browser, "/admin/users", f"/admin/users/{admin.id}/suspend", {"reason": "x"}).status_code == 409
    assert submit(admin_browser, "/admin/users", f"/admin/users/{user.id}/reactivate").status_code == 303
    db.session.refresh(user)
    assert user.suspended_at is None


def test_audit_trail_filters_by_actor_object_action_and_days_with_pages(admin_browser, admin, make_user):
    actor = make_user()
    now = utcnow()
    for n in range(25):
        db.session.add(AuditEvent(action="listing.approve", object_type="listing", object_id=str(n),
                                  actor_user_id=actor.id, created_at=now - timedelta(days=n % 3)))
    db.session.add(AuditEvent(action="user.suspend", object_type="user", object_id="7", actor_user_id=admin.id,
                              created_at=now - timedelta(days=10)))
    db.session.commit()
    total = db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar_one()
    everything = admin_browser.get("/admin/audit", headers=EN)
    assert f" {total} events" in text(everything) and 'rel="next"' in everything.get_data(as_text=True)
    by_actor = admin_browser.get(f"/admin/audit?actor_user_id={actor.id}", headers=EN)
    assert " 25 events" in text(by_actor)
    assert " 25 events" in text(admin_browser.get("/admin/audit?action=listing", headers=EN))
    assert " 1 event " in text(admin_browser.get("/admin/audit?object_type=user&object_id=7", headers=EN))
    today = now.date()
    only_today = admin_browser.get(f"/admin/audit?action=listing&from={today}&to={today}", headers=EN)
    assert f" {sum(1 for n in range(25) if n % 3 == 0)} events" in text(only_today)
    old = admin_browser.get(f"/admin/audit?to={today - timedelta(days=5)}", headers=EN)
    assert " 1 event " in text(old) and "user.suspend" in text(old)
    bad = admin_browser.get("/admin/audit?from=yesterday&actor_user_id=x", headers=EN)
    assert bad.status_code == 400 and "Enter a date like" in text(bad)
