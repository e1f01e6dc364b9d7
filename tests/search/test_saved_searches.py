"""Saved searches: CRUD for their owner, and alerts when a matching listing is published."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from marketplace.core.audit import AuditEvent
from marketplace.core.db import utcnow
from marketplace.core.outbox import emit
from marketplace.core.transaction import commit
from marketplace.extensions import db
from marketplace.notifications.models import Notification
from marketplace.search.models import SavedSearch, SavedSearchMatch
from tests.helpers import assert_problem, outbox

URL = "/api/v1/saved-searches"


def save(client, name="Graphene", alerts=True, **criteria):
    response = client.post(
        URL, json={"name": name, "criteria": criteria or {"q": "graphene"}, "alerts_enabled": alerts}
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.json


def test_user_saves_lists_renames_and_deletes_searches(login, make_user):
    user = make_user()
    client = login(user)
    first = save(client, "Graphene in Germany", q="graphene", country=["DE"], trl_min=4, field=["en.solr"])
    assert first["criteria"] == {"q": "graphene", "country": ["DE"], "trl_min": 4, "field": ["EN.SOLR"]}
    assert first["alerts_enabled"] is True
    second = save(client, "Vaccines", alerts=False, q="vaccine")
    listed = client.get(URL).json
    assert [s["id"] for s in listed["items"]] == [second["id"], first["id"]] and listed["total"] == 2
    renamed = client.patch(f"{URL}/{first['id']}", json={"name": "Solar graphene", "alerts_enabled": False})
    assert renamed.status_code == 200
    assert renamed.json["name"] == "Solar graphene" and renamed.json["alerts_enabled"] is False
    assert renamed.json["criteria"] == first["criteria"]
    assert client.delete(f"{URL}/{second['id']}").status_code == 204
    assert [s.name for s in db.session.execute(sa.select(SavedSearch)).scalars()] == ["Solar graphene"]
    actions = db.session.execute(sa.select(AuditEvent.action).order_by(AuditEvent.id)).scalars().all()
    assert actions[-4:] == ["saved_search.create", "saved_search.create", "saved_search.update", "saved_search.delete"]


def test_saved_searches_are_private_to_their_owner(login, make_user):
    owner, other = make_user(), make_user()
    saved = save(login(owner))
    intruder = login(other)
    assert intruder.get(URL).json["total"] == 0
    assert_problem(intruder.get(f"{URL}/{saved['id']}"), 404)
    assert_problem(intruder.patch(f"{URL}/{saved['id']}", json={"name": "Mine now"}), 404)
    assert_problem(intruder.delete(f"{URL}/{saved['id']}"), 404)
    assert db.session.get(SavedSearch, saved["id"]).name == "Graphene"


def test_saved_search_criteria_are_validated_like_a_search(login, make_user):
    client = login(make_user())
    assert_problem(client.post(URL, json={"name": "x", "criteria": {"trl_min": 0}}), 422, "criteria")
    assert_problem(client.post(URL, json={"name": "x", "criteria": {"q": '"open'}}), 422, "q")
    assert_problem(client.post(URL, json={"name": "", "criteria": {}}), 422, "name")
    assert_problem(client.post(URL, json={"name": "x", "criteria": {"colour": "red"}}), 422, "criteria")
    assert_problem(client.post(URL, json={"name": "x", "criteria": {}, "user_id": 1}), 422, "user_id")
    assert db.session.execute(sa.select(sa.func.count()).select_from(SavedSearch)).scalar_one() == 0


def notifications(user):
    return db.session.execute(sa.select(Notification).where(Notification.user_id == user.id)).scalars().all()


def test_publishing_a_matching_listing_notifies_and_emails_the_owner(login, make_user, search_backend, publish):
    user = make_user()
    client = login(user)
    saved = save(client, "Graphene solar", q="graphene", field=["EN"])
    publish("Graphene coating", fields=["LS.THER"])  # text matches, field does not
    publish("Perovskite cells", fields=["EN.SOLR"])  # field matches, text does not
    listing = publish("Graphene solar cells", fields=["EN.SOLR"])
    [note] = notifications(user)
    assert note.kind == "saved_search.match" and note.body == "Graphene solar cells"
    assert note.data == {"saved_search_id": saved["id"], "listing_id": listing.id, "listing_slug": listing.slug}
    [email] = outbox(to=user.email, category="saved_search_digest")
    assert "Graphene solar cells" in email.body and f"/listings/{listing.slug}" in email.body
    match = db.session.execute(sa.select(SavedSearchMatch)).scalar_one()
    assert match.listing_id == listing.id and match.emailed_at is not None


def test_at_most_one_digest_a_day_per_saved_search(app, login, make_user, search_backend, publish):
    user = make_user()
    save(login(user), "Graphene", q="graphene")
    publish("Graphene ink")
    publish("Graphene coating")
    publish("Graphene sensor")
    assert len(notifications(user)) == 3
    assert len(outbox(to=user.email, category="saved_search_digest")) == 1
    runner = app.test_cli_runner()
    assert "0 digests" in runner.invoke(args=["search", "send-digests"]).output  # not a day yet
    saved = db.session.execute(sa.select(SavedSearch)).scalar_one()
    saved.last_emailed_at = utcnow() - timedelta(days=1, minutes=1)
    db.session.commit()
    assert "1 digests" in runner.invoke(args=["search", "send-digests"]).output
    [_, digest] = outbox(to=user.email, category="saved_search_digest")
    assert "Graphene coating" in digest.body and "Graphene sensor" in digest.body and "Graphene ink" not in digest.body
    assert "0 digests" in runner.invoke(args=["search", "send-digests"]).output


def test_no_alert_when_alerts_are_off_or_for_edits_or_own_listings(
    login, make_user, search_backend, publish, university
):
    quiet = make_user()
    save(login(quiet), "Graphene", alerts=False, q="graphene")
    colleague = make_user(org=university)
    save(login(colleague), "Graphene", q="graphene")
    publish("Graphene ink")
    stranger = make_user()
    save(login(stranger), "Perovskite", q="perovskite")
    edited = publish("Silicon cells")
    edited.title, edited.version = "Perovskite cells", edited.version + 1
    emit(db.session, "listing.updated", "listing", edited.id)  # an edit of a published listing is no news
    commit()
    assert notifications(quiet) == [] and notifications(colleague) == [] and notifications(stranger) == []
    assert outbox(category="saved_search_digest") == []


def test_an_alert_is_sent_once_even_if_the_event_is_drained_again(login, make_user, search_backend, publish):
    from marketplace.core.outbox import OutboxEvent, drain

    user = make_user()
    save(login(user), "Graphene", q="graphene")
    listing = publish("Graphene ink")
    event = db.session.execute(sa.select(OutboxEvent).where(OutboxEvent.aggregate_id == listing.id)).scalar_one()
    event.processed_at = None
    db.session.commit()
    assert drain(db.session)[:2] == (1, 0)
    assert len(notifications(user)) == 1
    assert len(outbox(to=user.email, category="saved_search_digest")) == 1
