"""A transactional outbox: domain packages record events in their own transaction; consumers
(search, alerts) drain them out of the request, without the producer importing the consumer.

Once a transaction that emitted events commits, ``events_committed`` is sent with their ids (the
job queue connects to it and drains them in a worker). Consumers register once
(``register_consumer``) and receive batches of events in id order. They must be idempotent: an
event whose batch failed stays pending (``attempts`` and ``last_error`` tell why) and is delivered
again by the next drain: a retry, the periodic sweep or ``flask search sync``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable

import sqlalchemy as sa
from blinker import signal
from sqlalchemy.orm import Mapped, Session, mapped_column

from marketplace.core.db import Base, utcnow
from marketplace.core.transaction import after_commit_batch, commit

log = logging.getLogger(__name__)

#: sent after a commit with ``ids``: the events that transaction emitted, to be drained
events_committed = signal("outbox-events-committed")


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


Handler = Callable[[Session, list[OutboxEvent]], None]


@dataclass(frozen=True)
class Consumer:
    name: str
    handler: Handler
    #: topics this consumer wants; None for every topic
    topics: frozenset[str] | None = None

    def wants(self, event: OutboxEvent) -> bool:
        return self.topics is None or event.topic in self.topics


_consumers: list[Consumer] = []


def register_consumer(name: str, handler: Handler, topics: Iterable[str] | None = None) -> None:
    """Deliver drained events (of ``topics``) to ``handler(session, events)``, in registration order.

    Registering a name again replaces the earlier consumer (app factories may run many times).
    """
    consumer = Consumer(name, handler, frozenset(topics) if topics is not None else None)
    for i, existing in enumerate(_consumers):
        if existing.name == name:
            _consumers[i] = consumer
            return
    _consumers.append(consumer)


def consumers() -> list[Consumer]:
    return list(_consumers)


def emit(session, topic: str, aggregate_type: str, aggregate_id: int, payload: dict | None = None) -> OutboxEvent:
    """Record an event in the caller's transaction; it is drained once that transaction commits."""
    event = OutboxEvent(topic=topic, aggregate_type=aggregate_type, aggregate_id=aggregate_id, payload=payload or {})
    session.add(event)
    after_commit_batch(session, "outbox", event, _announce_committed)
    return event


def _announce_committed(events: list[OutboxEvent]) -> None:
    ids = [sa.inspect(e).identity[0] for e in events if sa.inspect(e).identity]
    if ids:
        events_committed.send(None, ids=ids)


def pending_count(session) -> int:
    return session.execute(sa.select(sa.func.count()).where(OutboxEvent.processed_at.is_(None))).scalar_one()


def drain_pending(session) -> tuple[int, int]:
    """Drain every pending event, batch after batch; returns ``(processed, failed)``."""
    processed = failed = 0
    last_id = 0
    while True:
        p, f, last_id = drain(session, after_id=last_id)
        processed, failed = processed + p, failed + f
        if p + f == 0:
            return processed, failed


def drain(session, ids: list[int] | None = None, limit: int = 500, after_id: int = 0) -> tuple[int, int, int]:
    """Deliver pending events (all, or those in ``ids``) to the consumers and commit.

    Returns ``(processed, failed, last_id)``. A batch is delivered at once; when a consumer fails,
    its events are retried one by one so that one bad event does not hold back the others.
    """
    stmt = (
        sa.select(OutboxEvent)
        .where(OutboxEvent.processed_at.is_(None), OutboxEvent.id > after_id)
        .order_by(OutboxEvent.id)
        .limit(limit)
    )
    if ids is not None:
        stmt = stmt.where(OutboxEvent.id.in_(ids))
    if session.get_bind().dialect.name == "postgresql":
        # Two drains (a request and `flask search sync`) never take the same rows.
        stmt = stmt.with_for_update(skip_locked=True)
    events = session.execute(stmt).scalars().all()
    if not events:
        session.rollback()
        return 0, 0, after_id
    last_id = events[-1].id
    event_ids = [e.id for e in events]
    try:
        _deliver(session, events)
    except Exception as exc:  # noqa: BLE001 - a consumer failed: isolate the bad event(s) below
        session.rollback()
        if len(event_ids) == 1:
            _record_failure(session, event_ids[0], exc)
            return 0, 1, last_id
        processed = failed = 0
        for event_id in event_ids:
            p, f, _ = drain(session, ids=[event_id])
            processed, failed = processed + p, failed + f
        return processed, failed, last_id
    return len(event_ids), 0, last_id


def _deliver(session, events: list[OutboxEvent]) -> None:
    for consumer in _consumers:
        batch = [e for e in events if consumer.wants(e)]
        if batch:
            consumer.handler(session, batch)
    now = utcnow()
    for e in events:
        e.processed_at = now
        e.attempts += 1
        e.last_error = None
    commit(session)


def _record_failure(session, event_id: int, exc: Exception) -> None:
    log.error("outbox event %s failed: %r", event_id, exc, exc_info=exc)
    event = session.get(OutboxEvent, event_id)
    if event is not None:
        event.attempts += 1
        event.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    session.commit()
