"""A transactional outbox: domain packages record events in their own transaction; consumers
(search, alerts) drain them after commit without the producer importing the consumer."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core.db import Base, utcnow


class OutboxEvent(Base):
    __tablename__ = "outbox_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: e.g. ``listing.published``, ``listing.unpublished``, ``listing.updated``
    topic: Mapped[str] = mapped_column(sa.String(80), index=True)
    #: what the event is about: ``listing``
    aggregate_type: Mapped[str] = mapped_column(sa.String(40))
    aggregate_id: Mapped[int]
    payload: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: set once every consumer handled the event; failed rows stay null for a retry
    processed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (sa.Index("ix_outbox_events_pending", "processed_at", "id"),)


def emit(session, topic: str, aggregate_type: str, aggregate_id: int, payload: dict | None = None) -> OutboxEvent:
    """Record an event in the caller's transaction."""
    event = OutboxEvent(topic=topic, aggregate_type=aggregate_type, aggregate_id=aggregate_id, payload=payload or {})
    session.add(event)
    return event
