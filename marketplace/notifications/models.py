"""Notices for users: in-app rows and queued emails."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core.db import Base, utcnow

EMAIL_STATES = ("queued", "sent", "failed")


class OutboundEmail(Base):
    """One email waiting for, or past, delivery. Written in the business transaction."""

    __tablename__ = "outbound_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(sa.String(320), index=True)
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    #: what caused it, e.g. ``password_reset``, ``invitation``
    category: Mapped[str] = mapped_column(sa.String(60), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class Notification(Base):
    """An in-app notice shown to one user."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(60))
    title: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    #: what the notice is about, for the client to link to (``{"listing_id": 3}``)
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    __table_args__ = (sa.Index("ix_notifications_user_unread", "user_id", "read_at"),)


class ReminderSent(Base):
    """One reminder given to one person: the unique key makes each go at most once, even when two runs race."""

    __tablename__ = "reminders_sent"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: what the reminder is about, e.g. ``invoice_overdue`` (one of the registered kinds)
    kind: Mapped[str] = mapped_column(sa.String(60))
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int]
    #: the point reached, e.g. ``overdue_7`` or ``2026-01-01/due_in_7`` for a royalty period
    stage: Mapped[str] = mapped_column(sa.String(60))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("kind", "object_type", "object_id", "stage", "user_id", name="uq_reminders_sent_once"),
    )


class ReminderMute(Base):
    """A person who asked not to receive one kind of reminder."""

    __tablename__ = "reminder_mutes"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
