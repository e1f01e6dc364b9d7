"""Outgoing webhooks: a manager registers an endpoint; published listings reach it signed (Standard
Webhooks, verified by a real receiver on 127.0.0.1); failures are retried, then the endpoint is
disabled with an email; deliveries can be redelivered; a worker killed mid-delivery does not lose one."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.jobs.webhooks.models import WebhookDelivery
from tests.helpers import assert_problem, outbox
from tests.jobs.conftest import wait_for
from tests.jobs.test_worker import log_in

ENDPOINTS = "/api/v1/webhooks/endpoints"


@pytest.fixture
def university(make_org):
    return make_org("university")


@pytest.fixture
def company_manager(make_user):
    return make_user(kind="company", role="manager")


def register(client, receiver, events=("listing.published",)) -> dict:
    created = client.post(ENDPOINTS, json={"url": receiver.url, "event_types": list(events), "description": "CRM"})
    assert created.status_code == 201, created.json
    receiver.secret = created.json["secret"]
    return created.json


def approve(client, listing) -> None:
    response = client.post(f"/api/v1/listings/{listing.id}/approve")
    assert response.status_code == 200, response.json


def test_a_published_listing_reaches_the_endpoint_signed_and_is_logged(login, admin_client, company_manager,
                                                                        make_listing, university, receiver):
    manager = login(company_manager)
    endpoint = register(manager, receiver)
    assert endpoint["secret"].startswith("whsec_") and endpoint["is_enabled"]
    assert "secret" not in manager.get(f"{ENDPOINTS}/{endpoint['id']}").json  # shown once
    listing = make_listing(university, "in_review", title="Graphene anode")

    approve(admin_client, listing)

    [request] = receiver.requests
    assert request["verified"] and request["id"].startswith("msg_")
    assert request["body"]["type"] == "listing.published"
    assert request["body"]["data"]["id"] == listing.id and request["body"]["data"]["title"] == "Graphene anode"
    [delivery] = manager.get(f"{ENDPOINTS}/{endpoint['id']}/deliveries").json["items"]
    assert delivery["status"] == "delivered" and delivery["message_id"] == request["id"]
    assert [a["response_status"] for a in delivery["attempts"]] == [204]


def test_an_endpoint_that_keeps_failing_is_disabled_with_an_email_and_can_be_redelivered_to(
        app, monkeypatch, login, admin_client, company_manager, make_listing, university, receiver):
    monkeypatch.setitem(app.config, "WEBHOOK_RETRY_DELAYS", (0, 0))  # three attempts, at once
    manager = login(company_manager)
    endpoint = register(manager, receiver)
    receiver.status = 500

    approve(admin_client, make_listing(university, "in_review"))

    assert [r["verified"] for r in receiver.requests] == [True, True, True]
    shown = manager.get(f"{ENDPOINTS}/{endpoint['id']}").json
    assert not shown["is_enabled"] and "kept failing" in shown["disabled_reason"]
    [email] = outbox(to=company_manager.email, category="webhook_endpoint_disabled")
    assert receiver.url in email.body
    [delivery] = manager.get(f"{ENDPOINTS}/{endpoint['id']}/deliveries").json["items"]
    assert delivery["status"] == "failed" and [a["response_status"] for a in delivery["attempts"]] == [500] * 3

    receiver.status = 200
    assert manager.patch(f"{ENDPOINTS}/{endpoint['id']}", json={"is_enabled": True}).json["is_enabled"]
    redelivered = manager.post(f"/api/v1/webhooks/deliveries/{delivery['id']}/redeliver")
    assert redelivered.status_code == 202
    assert receiver.requests[-1]["id"] == delivery["message_id"] and len(receiver.delivered_once()) == 1
    [delivery] = manager.get(f"{ENDPOINTS}/{endpoint['id']}/deliveries").json["items"]
    assert delivery["status"] == "delivered" and [a["response_status"] for a in delivery["attempts"]] == [500] * 3 + [200]


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/hook", "https://localhost/hook", "http://169.254.169.254/x",
                                 "https://10.1.2.3/hook"])
def test_private_loopback_and_link_local_urls_are_refused_when_the_setting_forbids_them(app, monkeypatch, login,
                                                                                        company_manager, url):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE_URLS", False)
    response = login(company_manager).post(ENDPOINTS, json={"url": url, "event_types": ["listing.published"]})
    assert_problem(response, 422, "url")


def test_only_the_organizations_managers_see_its_endpoints(login, make_user, company_manager, receiver):
    endpoint = register(login(company_manager), receiver)
    colleague = make_user(org=company_manager.organization, role="member")
    stranger = make_user(kind="company", role="manager")
    assert login(colleague).get(f"{ENDPOINTS}/{endpoint['id']}").status_code == 403
    assert login(stranger).get(f"{ENDPOINTS}/{endpoint['id']}").status_code == 404
    assert login(stranger).get(ENDPOINTS).json["total"] == 0


@pytest.mark.parametrize("queue_settings", ["sqlite"], indirect=True)
def test_a_worker_killed_mid_delivery_does_not_lose_it_and_the_receiver_sees_it_once(
        queued_app, start_worker, make_user, make_org, make_listing, admin, receiver):
    manager = make_user(kind="company", role="manager")
    endpoint = register(log_in(queued_app, manager), receiver)
    receiver.hang_first = True
    listing = make_listing(make_org("university"), "in_review")
    approve(log_in(queued_app, admin), listing)

    first = start_worker()
    assert receiver.first_arrived.wait(30), "the first delivery attempt never arrived"
    first.kill()  # SIGKILL in the middle of the HTTP request: the job is gone with the worker
    first.wait()
    receiver.release.set()
    start_worker()
    sweep = queued_app.extensions["jobs"].periodic["webhooks-deliver"]

    def delivered():
        sweep()  # what the scheduler enqueues every minute; due once the dead worker's claim expires
        db.session.rollback()
        return db.session.scalar(sa.select(WebhookDelivery.status)) == "delivered"

    wait_for(delivered, timeout=60, interval=1)
    ids = {r["id"] for r in receiver.requests}
    assert len(receiver.requests) >= 2 and len(ids) == 1 and all(r["verified"] for r in receiver.requests)
    [body] = receiver.delivered_once()
    assert body["data"]["id"] == listing.id
    assert endpoint["id"] == db.session.scalar(sa.select(WebhookDelivery.endpoint_id))
