"""Saved searches and the listings their alerts already announced."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.core.db import Base, TimestampMixin, utcnow


class SavedSearch(TimestampMixin, Base):
    """A user's named search (text and filters) with an optional alert on new matching listings."""

    __tablename__ = "saved_searches"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    #: the search parameters as the search endpoint takes them (``q``, ``field``, ``trl_min``...)
    criteria: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    alerts_enabled: Mapped[bool] = mapped_column(default=True, index=True)
    #: when the last alert digest email went out (at most one a day)
    last_emailed_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class SavedSearchMatch(Base):
    """A listing that matched a saved search when it was published (each is announced once)."""

    __tablename__ = "saved_search_matches"

    id: Mapped[int] = mapped_column(primary_key=True)
    saved_search_id: Mapped[int] = mapped_column(sa.ForeignKey("saved_searches.id", ondelete="CASCADE"))
    listing_id: Mapped[int] = mapped_column(sa.ForeignKey("listings.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: set once the match was part of a digest email
    emailed_at: Mapped[datetime | None]

    __table_args__ = (
        sa.UniqueConstraint("saved_search_id", "listing_id", name="uq_saved_search_matches_search_listing"),
        sa.Index("ix_saved_search_matches_pending", "saved_search_id", "emailed_at"),
    )
