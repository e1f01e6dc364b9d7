"""Inquiries: threads between a company and a listing's university, unread counts, notices."""

from __future__ import annotations

import sqlalchemy as sa

from marketplace.core.audit import AuditEvent
from marketplace.extensions import db
from marketplace.notifications.models import Notification
from tests.helpers import assert_problem, outbox


def open_inquiry(world, client=None, **overrides):
    body = {"listing_id": world.listing.id, "subject": "Field trial data?", "message": "Do you have field data?"}
    body.update(overrides)
    return (client or world.buyer_staff).post("/api/v1/inquiries", json=body)


def test_company_member_opens_an_inquiry_and_the_university_is_told(world):
    response = open_inquiry(world)
    assert response.status_code == 201, response.json
    inquiry = response.json
    assert inquiry["listing"]["id"] == world.listing.id and inquiry["university"]["id"] == world.university.id
    assert inquiry["message_count"] == 1 and inquiry["unread_count"] == 0
    # every university member is notified in-app; the listing's contact is emailed
    notified = db.session.scalars(sa.select(Notification.user_id).where(Notification.kind == "inquiry_message")).all()
    assert sorted(notified) == sorted([world.uni_manager.id, world.uni_member.id])
    emails = outbox(category="inquiry_message")
    assert [e.to_address for e in emails] == [world.uni_member.email]
    assert "Do you have field data?" in emails[0].body
    assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.object_type == "inquiry")) == "inquiry.open"


def test_thread_is_shared_by_both_organizations_with_unread_counts(world):
    inquiry = open_inquiry(world).json
    url = f"/api/v1/inquiries/{inquiry['id']}"
    assert world.uni.get(url).json["unread_count"] == 1
    assert world.uni.get("/api/v1/inquiries/unread-count").json == {"unread": 1, "threads": 1}
    reply = world.uni.post(f"{url}/messages", json={"body": "Yes, from two sites."})
    assert reply.status_code == 201 and reply.json["author_organization"]["id"] == world.university.id
    # the company side: the opener is emailed, every member has one unread message
    assert [e.to_address for e in outbox(category="inquiry_message")][-1] == world.company_member.email
    assert world.buyer.get(url).json["unread_count"] == 1
    assert world.buyer.get("/api/v1/inquiries?unread=true").json["total"] == 1
    read = world.buyer.post(f"{url}/read")
    assert read.status_code == 200 and read.json["unread_count"] == 0
    assert world.buyer.get("/api/v1/inquiries/unread-count").json == {"unread": 0, "threads": 0}
    assert world.buyer_staff.get(url).json["unread_count"] == 1  # read marks are per person
    # replying counts as having read the thread; a colleague who did not reply still has it unread
    assert world.uni.get(url).json["unread_count"] == 0
    assert world.uni_staff.get(url).json["unread_count"] == 1
    messages = world.uni_staff.get(f"{url}/messages").json
    assert [m["body"] for m in messages["items"]] == ["Do you have field data?", "Yes, from two sites."]
    assert world.uni.get(url).json["message_count"] == 2


def test_outsiders_cannot_see_or_write_in_a_thread(world):
    inquiry = open_inquiry(world).json
    url = f"/api/v1/inquiries/{inquiry['id']}"
    assert_problem(world.third.get(url), 404)
    assert_problem(world.third.get(f"{url}/messages"), 404)
    assert_problem(world.third.post(f"{url}/messages", json={"body": "Hi"}), 404)
    assert_problem(world.third.post(f"{url}/read"), 404)
    assert world.third.get("/api/v1/inquiries").json["total"] == 0
    assert_problem(world.anonymous.get(url), 401)


def test_only_companies_open_inquiries_on_published_listings(world, deal_listing):
    assert_problem(open_inquiry(world, client=world.uni), 403)
    draft = deal_listing(world.university, "draft")
    assert_problem(open_inquiry(world, listing_id=draft.id), 404)
    assert_problem(open_inquiry(world, subject=""), 422, "subject")


def test_inquiry_list_filters_by_listing(world, deal_listing):
    other = deal_listing(world.university)
    open_inquiry(world)
    open_inquiry(world, listing_id=other.id)
    assert world.uni.get("/api/v1/inquiries").json["total"] == 2
    assert world.uni.get(f"/api/v1/inquiries?listing_id={other.id}").json["total"] == 1
