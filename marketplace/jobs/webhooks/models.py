"""Webhook endpoints, the deliveries of events to them, and each delivery's attempts."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.db import Base, TimestampMixin, utcnow

DELIVERY_STATES = ("pending", "delivered", "failed")


class WebhookEndpoint(TimestampMixin, Base):
    """An organization's HTTPS URL that receives the events it subscribed to."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(sa.String(2000))
    description: Mapped[str] = mapped_column(sa.String(300), default="")
    #: event types it receives, e.g. ``["listing.published"]``
    event_types: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: the Standard Webhooks signing secret (``whsec_`` + base64), shown to the managers once
    secret: Mapped[str] = mapped_column(sa.String(100))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    #: why it was disabled (by a manager, or after deliveries kept failing)
    disabled_reason: Mapped[str | None] = mapped_column(sa.String(300))
    disabled_at: Mapped[datetime | None]


class WebhookDelivery(Base):
    """One event for one endpoint: delivered at least once, or failed after the last retry."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True)
    #: the ``webhook-id`` header: the same on every attempt, so receivers can deduplicate
    message_id: Mapped[str] = mapped_column(sa.String(60))
    event_type: Mapped[str] = mapped_column(sa.String(80))
    #: the JSON body sent (fixed when the event happened; a redelivery sends the same)
    payload: Mapped[dict] = mapped_column(sa.JSON)
    status: Mapped[str] = mapped_column(sa.String(20), default="pending")
    #: attempts in the current round (a redelivery starts a new one; ``attempts`` keeps them all)
    attempt_count: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    #: a worker delivering it holds it until then; a worker killed mid-delivery lets it go by then
    claimed_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]

    endpoint: Mapped[WebhookEndpoint] = relationship()
    attempts: Mapped[list[WebhookAttempt]] = relationship(
        order_by="WebhookAttempt.id", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        sa.UniqueConstraint("endpoint_id", "message_id", name="uq_webhook_deliveries_endpoint_message"),
        sa.Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )


class WebhookAttempt(Base):
    """One HTTP request of a delivery: when, the response status (or the error), how long it took."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(sa.ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    response_status: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(sa.String(500))
    duration_ms: Mapped[int] = mapped_column(default=0)
