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
