"""Webhook delivery: events from the outbox become deliveries to the endpoints subscribed to them;
a worker POSTs each with Standard Webhooks headers, logs the attempt, retries with exponential
backoff for about three days, and disables an endpoint whose delivery failed to the last retry
(emailing its managers)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from flask import current_app
from standardwebhooks import Webhook

from marketplace.accounts.services import active_members
from marketplace.core.db import utcnow
from marketplace.core.transaction import commit
from marketplace.jobs.webhooks.addresses import RefusedURL, check_url
from marketplace.jobs.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from marketplace.jobs.webhooks.services import EVENT_TYPES, announce
from marketplace.listings.models import Listing
from marketplace.notifications.services import tell

#: seconds between attempts: 5 s, 1 min, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, 1 day, 1 day (about 3 days)
RETRY_DELAYS = (5, 60, 300, 1800, 7200, 18000, 36000, 36000, 86400, 86400)


def fan_out(session, events) -> None:
    """Outbox consumer: one delivery per (event, subscribed enabled endpoint), each once."""
    wanted = [e for e in events if e.topic in EVENT_TYPES]
    if not wanted:
        return
    endpoints = session.execute(sa.select(WebhookEndpoint).where(WebhookEndpoint.is_enabled)).scalars().all()
    for event in wanted:
        subscribers = [ep for ep in endpoints if event.topic in ep.event_types]
        if not subscribers:
            continue
        message_id = f"msg_{event.id}"
        done = set(session.execute(sa.select(WebhookDelivery.endpoint_id).where(
            WebhookDelivery.message_id == message_id)).scalars())
        payload = _payload(session, event)
        for endpoint in subscribers:
            if endpoint.id in done:
                continue  # the event was drained before
            delivery = WebhookDelivery(endpoint_id=endpoint.id, message_id=message_id, event_type=event.topic,
                                       payload=payload)
            session.add(delivery)
            announce(session, delivery)
    session.flush()


def _payload(session, event) -> dict:
    listing = session.get(Listing, event.aggregate_id)
    data = {"id": event.aggregate_id}
    if listing is not None:
        base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
        data |= {"slug": listing.slug, "title": listing.title, "summary": listing.summary, "status": listing.status,
                 "university_id": listing.university_id, "url": f"{base}/listings/{listing.slug}"}
    return {"type": event.topic, "timestamp": event.created_at.isoformat().replace("+00:00", "Z"), "data": data}


def due_deliveries(session, limit: int = 500) -> list[int]:
    """Pending deliveries whose time has come and that no live worker holds (the sweep's list)."""
    now = utcnow()
    stmt = (
        sa.select(WebhookDelivery.id)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.status == "pending", WebhookEndpoint.is_enabled,
               WebhookDelivery.next_attempt_at <= now,
               sa.or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now))
        .order_by(WebhookDelivery.id)
        .limit(limit)
    )
    ids = list(session.execute(stmt).scalars())
    session.rollback()
    return ids


def _claim(session, delivery_id: int, config) -> bool:
    """Take the delivery for one attempt (a conditional update: one worker wins)."""
    now = utcnow()
    hold = timedelta(seconds=config["WEBHOOK_TIMEOUT_SECONDS"] + 5)
    claimed = session.execute(
        sa.update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == "pending",
               WebhookDelivery.next_attempt_at <= now + timedelta(seconds=1),  # a retry job may run early
               sa.or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now))
        .values(claimed_until=now + hold)
    ).rowcount
    session.commit()
    return claimed == 1


def deliver(session, delivery_id: int) -> float | None:
    """Make one attempt at a due delivery (unless it is not due, or taken); returns the seconds until
    the next attempt when this one failed and retries remain, else None.

    Raises nothing on HTTP failure: the attempt is logged and the next one planned on the row (the
    caller schedules a job for it; the sweep catches any that get lost)."""
    config = current_app.config
    if not _claim(session, delivery_id, config):
        return None
    delivery = session.get(WebhookDelivery, delivery_id)
    endpoint = delivery.endpoint if delivery is not None else None
    if endpoint is None:
        session.rollback()
        return None  # the endpoint was removed meanwhile
    request = (endpoint.url, endpoint.secret, delivery.message_id, delivery.payload, endpoint.is_enabled)
    session.rollback()  # no transaction stays open during the HTTP request
    url, secret, message_id, payload, enabled = request
    if not enabled:
        return None
    started = time.perf_counter()
    status_code, error = _post(url, secret, message_id, payload, config)
    duration_ms = int((time.perf_counter() - started) * 1000)

    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        session.rollback()
        return None
    delivery.attempts.append(WebhookAttempt(response_status=status_code, error=error, duration_ms=duration_ms))
    delivery.attempt_count += 1
    delivery.claimed_until = None
    delays = retry_delays(config)
    retry_in = None
    if status_code is not None and 200 <= status_code < 300:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", utcnow(), None
    elif delivery.attempt_count > len(delays):
        delivery.status, delivery.next_attempt_at = "failed", None
        _disable(session, delivery.endpoint, delivery)
    else:
        retry_in = delays[delivery.attempt_count - 1]
        delivery.next_attempt_at = utcnow() + timedelta(seconds=retry_in)
    commit(session)
    return retry_in


def retry_delays(config) -> tuple[float, ...]:
    return tuple(config.get("WEBHOOK_RETRY_DELAYS") or RETRY_DELAYS)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer like any other non-2xx: the attempt failed


_opener = urllib.request.build_opener(_NoRedirects)


def _post(url: str, secret: str, message_id: str, payload: dict, config) -> tuple[int | None, str | None]:
    """POST the signed payload; returns (response status, error)."""
    try:
        check_url(url, config)  # again: the name may resolve elsewhere now
    except RefusedURL as exc:
        return None, f"refused: {exc}"
    body = json.dumps(payload, separators=(",", ":"))
    now = datetime.now(timezone.utc)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Marketplace-Webhooks/1",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, now, body),
    }
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=config["WEBHOOK_TIMEOUT_SECONDS"]) as response:
            return response.status, None
    except urllib.error.HTTPError as exc:
        return exc.code, None
    except OSError as exc:  # refused, reset, timed out, TLS
        return None, f"{type(exc).__name__}: {exc}"[:500]


def _disable(session, endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> None:
    if not endpoint.is_enabled:
        return
    endpoint.is_enabled = False
    endpoint.disabled_at = utcnow()
    endpoint.disabled_reason = f"Deliveries kept failing (the last: {delivery.event_type} {delivery.message_id})."
    managers = active_members(session, endpoint.organization_id, managers_only=True)
    tell(session, managers, kind="webhook_endpoint_disabled", title="Webhook endpoint disabled",
         body=f"We could not deliver events to {endpoint.url} after retrying for days, so we stopped sending "
              "them. Fix the receiver, enable the endpoint again and redeliver what it missed.",
         data={"webhook_endpoint_id": endpoint.id})
