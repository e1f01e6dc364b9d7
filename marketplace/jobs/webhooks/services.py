"""Webhook endpoints (an organization's managers register, change and remove them), their
delivery log, and redelivery."""

from __future__ import annotations

import base64
import secrets

import sqlalchemy as sa
from flask import current_app

from marketplace.core import audit
from marketplace.core.db import utcnow
from marketplace.core.errors import NotFound, ValidationFailed
from marketplace.core.pagination import paginate
from marketplace.core.transaction import after_commit_batch
from marketplace.jobs.queue import current_jobs
from marketplace.jobs.webhooks.addresses import RefusedURL, check_url
from marketplace.jobs.webhooks.models import WebhookDelivery, WebhookEndpoint

#: the events an endpoint may subscribe to (public events: every organization may see them)
EVENT_TYPES = ("listing.published", "listing.unpublished")


def _checked_url(url: str) -> str:
    try:
        check_url(url, current_app.config)
    except RefusedURL as exc:
        raise ValidationFailed("The webhook URL is refused.", errors={"url": [str(exc)]}) from exc
    return url


def _new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def create_endpoint(session, manager, data: dict) -> WebhookEndpoint:
    """Register an endpoint for the manager's organization; its secret is returned this once."""
    endpoint = WebhookEndpoint(
        organization_id=manager.organization_id,
        url=_checked_url(data["url"]),
        description=data.get("description", ""),
        event_types=sorted(set(data["event_types"])),
        secret=_new_secret(),
    )
    session.add(endpoint)
    session.flush()
    audit.record(session, "webhook_endpoint.create", endpoint, actor=manager,
                 changes={"url": endpoint.url, "event_types": endpoint.event_types})
    return endpoint


def list_endpoints(session, manager, page: int = 1, page_size: int = 20):
    """The organization's endpoints, newest first."""
    stmt = (sa.select(WebhookEndpoint).where(WebhookEndpoint.organization_id == manager.organization_id)
            .order_by(WebhookEndpoint.id.desc()))
    return paginate(session, stmt, page, page_size)


def get_endpoint(session, manager, endpoint_id: int) -> WebhookEndpoint:
    """One of the organization's endpoints (404 for anyone else's)."""
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.organization_id != manager.organization_id:
        raise NotFound("No such webhook endpoint.")
    return endpoint


def update_endpoint(session, manager, endpoint_id: int, data: dict) -> WebhookEndpoint:
    """Change the URL, description or events, or enable/disable the endpoint."""
    endpoint = get_endpoint(session, manager, endpoint_id)
    if "url" in data:
        endpoint.url = _checked_url(data["url"])
    if "description" in data:
        endpoint.description = data["description"]
    if "event_types" in data:
        endpoint.event_types = sorted(set(data["event_types"]))
    if "is_enabled" in data and data["is_enabled"] != endpoint.is_enabled:
        endpoint.is_enabled = data["is_enabled"]
        endpoint.disabled_at = None if endpoint.is_enabled else utcnow()
        endpoint.disabled_reason = None if endpoint.is_enabled else f"Disabled by {manager.name}."
    audit.record(session, "webhook_endpoint.update", endpoint, actor=manager, changes=dict(data))
    return endpoint


def delete_endpoint(session, manager, endpoint_id: int) -> None:
    """Remove an endpoint and its delivery log."""
    endpoint = get_endpoint(session, manager, endpoint_id)
    audit.record(session, "webhook_endpoint.delete", endpoint, actor=manager, changes={"url": endpoint.url})
    session.delete(endpoint)


def list_deliveries(session, manager, endpoint_id: int, page: int = 1, page_size: int = 20):
    """The endpoint's deliveries with their attempts, newest first."""
    get_endpoint(session, manager, endpoint_id)
    stmt = (sa.select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
            .order_by(WebhookDelivery.id.desc()))
    return paginate(session, stmt, page, page_size)


def redeliver(session, manager, delivery_id: int) -> WebhookDelivery:
    """Send a delivery again (same ``webhook-id`` and body), with a fresh round of retries."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.endpoint.organization_id != manager.organization_id:
        raise NotFound("No such webhook delivery.")
    delivery.status = "pending"
    delivery.next_attempt_at = utcnow()
    delivery.claimed_until = None
    delivery.attempt_count = 0
    audit.record(session, "webhook_delivery.redeliver", delivery, actor=manager)
    announce(session, delivery)
    return delivery


def announce(session, delivery: WebhookDelivery) -> None:
    """Once the transaction commits, hand the delivery to the job queue (one job per delivery)."""
    after_commit_batch(session, "webhook_deliveries", delivery, _enqueue)


def _enqueue(deliveries: list[WebhookDelivery]) -> None:
    jobs = current_jobs()
    for delivery in deliveries:
        jobs.enqueue(jobs.deliver_webhook, sa.inspect(delivery).identity[0])  # no reload after commit
