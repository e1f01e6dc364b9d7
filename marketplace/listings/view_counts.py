"""Public views of each listing counted per day, so a university can see views over any period."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core.db import Base


class ListingViewDay(Base):
    __tablename__ = "listing_view_days"

    listing_id: Mapped[int] = mapped_column(sa.ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True)
    #: the UTC day
    day: Mapped[date] = mapped_column(primary_key=True)
    views: Mapped[int] = mapped_column(default=0)


def count_view_on(session, listing_id: int, day: date) -> None:
    """Add one view to the listing's count for ``day`` (an atomic upsert: concurrent views all count)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(ListingViewDay).values(listing_id=listing_id, day=day, views=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[ListingViewDay.listing_id, ListingViewDay.day],
        set_={"views": ListingViewDay.views + 1},
    )
    session.execute(stmt)


def views_between(session, listing_id: int, start: date, end: date) -> int:
    """Views of the listing from ``start`` to ``end`` (both included)."""
    return session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(ListingViewDay.views), 0)).where(
            ListingViewDay.listing_id == listing_id, ListingViewDay.day.between(start, end)
        )
    ).scalar_one()
