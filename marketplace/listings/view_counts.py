"""Public views of each listing, counted once per viewer per window and kept per day, so a university
can see views over any period.

A read never writes: ``count_view`` buffers the view in the process (``core.deferred``) and
``record_views`` writes the buffer off the request path. A viewer is a keyed hash of the user's id,
or of an anonymous reader's address and User-Agent; a viewer counts once per listing per
``VIEW_WINDOW_SECONDS`` (a divisor of a day), in the process's buffer and, across worker processes, through the unique
key of ``listing_view_marks``. At most ``VIEW_MAX_AGENTS_PER_ADDRESS`` anonymous viewers count per
address, listing and window, so changing the User-Agent in a loop does not inflate the count. The
day counts, the listing's ``view_count`` and the marks change in one transaction: the stats say
exactly what was recorded.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core import deferred, http_cache
from marketplace.core.db import Base
from marketplace.listings.models import Listing

#: the deferred-writes buffer of views
BUFFER = "listing views"
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class ListingViewDay(Base):
    __tablename__ = "listing_view_days"

    listing_id: Mapped[int] = mapped_column(sa.ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True)
    #: the UTC day
    day: Mapped[date] = mapped_column(primary_key=True)
    views: Mapped[int] = mapped_column(default=0)


class ListingViewMark(Base):
    """A viewer already counted for a listing in a window; marks of past windows are pruned."""

    __tablename__ = "listing_view_marks"

    #: the start of the de-duplication window (``VIEW_WINDOW_SECONDS`` long, aligned to the epoch)
    window_start: Mapped[datetime] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(sa.ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True)
    #: keyed hash of the viewer: the user's id, or an anonymous reader's address and User-Agent
    viewer: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    #: keyed hash of an anonymous reader's address (None for users): caps the viewers counted per address
    address: Mapped[str | None] = mapped_column(sa.String(32))


def _digest(text: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()[:32]


def _window_start(epoch_seconds: float) -> int:
    seconds = current_app.config["VIEW_WINDOW_SECONDS"]
    return int(epoch_seconds) // seconds * seconds


def count_view(listing_id: int, user_id: int | None) -> None:
    """Buffer one view of the listing by this user (or by the anonymous reader of this request).

    Kept cheap, as it runs on every public read: the viewer is hashed when the buffer is written."""
    app = current_app._get_current_object()
    if user_id is not None:
        _buffer(app, listing_id, ("user", user_id))
        return
    _buffer(app, listing_id, _anonymous(request.environ) if has_request_context() else ("anonymous", None, ""))
    # an anonymous read may be answered from the public cache later: count those readers too
    http_cache.on_hit(lambda environ: _buffer(app, listing_id, _anonymous(environ)))


def _anonymous(environ: dict) -> tuple:
    return ("anonymous", environ.get("REMOTE_ADDR"), environ.get("HTTP_USER_AGENT", ""))


def _buffer(app, listing_id: int, viewer: tuple) -> None:
    window = app.config["VIEW_WINDOW_SECONDS"]
    deferred.add(BUFFER, (listing_id, int(time.time()) // window * window, viewer), None, app=app)


def record_views(session, views: dict) -> int:
    """Write buffered views (keys ``(listing id, window start, viewer)``): each viewer not yet counted
    in its window adds one to the listing's count for the window's day and to its ``view_count``."""
    window = current_app.config["VIEW_WINDOW_SECONDS"]
    cap = current_app.config["VIEW_MAX_AGENTS_PER_ADDRESS"]
    oldest_kept = _EPOCH + timedelta(seconds=_window_start(time.time()) - window)
    session.execute(sa.delete(ListingViewMark).where(ListingViewMark.window_start < oldest_kept))
    listing_ids = {listing_id for listing_id, _start, _viewer in views}
    existing = set(session.execute(sa.select(Listing.id).where(Listing.id.in_(listing_ids))).scalars())
    per_address: dict[tuple, int] = {}
    per_day: Counter = Counter()
    for listing_id, start_seconds, who in sorted(views, key=lambda view: (view[0], view[1])):
        if listing_id not in existing:
            continue
        start = _EPOCH + timedelta(seconds=start_seconds)
        if who[0] == "user":
            viewer, address = _digest(f"user:{who[1]}"), None
        else:
            viewer, address = _digest(f"anonymous:{who[1]}|{who[2]}"), _digest(f"address:{who[1]}")
            key = (start, listing_id, address)
            if key not in per_address:
                per_address[key] = _marks_of_address(session, *key)
            if per_address[key] >= cap:
                continue
        mark = _insert(session)(ListingViewMark).values(
            window_start=start, listing_id=listing_id, viewer=viewer, address=address
        )
        if session.execute(mark.on_conflict_do_nothing().returning(ListingViewMark.viewer)).first():
            per_day[(listing_id, start.date())] += 1
            if address is not None:
                per_address[key] += 1
    per_listing: Counter = Counter()
    for (listing_id, day), count in sorted(per_day.items()):
        count_views_on(session, listing_id, day, count)
        per_listing[listing_id] += count
    for listing_id, count in sorted(per_listing.items()):
        session.execute(
            sa.update(Listing)
            .where(Listing.id == listing_id)
            .values(view_count=Listing.view_count + count, updated_at=Listing.updated_at)
            .execution_options(synchronize_session=False)
        )
    return sum(per_day.values())


def _marks_of_address(session, start: datetime, listing_id: int, address: str) -> int:
    return session.execute(
        sa.select(sa.func.count()).where(
            ListingViewMark.window_start == start,
            ListingViewMark.listing_id == listing_id,
            ListingViewMark.address == address,
        )
    ).scalar_one()


def _insert(session):
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def count_views_on(session, listing_id: int, day: date, views: int = 1) -> None:
    """Add ``views`` to the listing's count for ``day`` (an atomic upsert: concurrent flushes all count)."""
    stmt = _insert(session)(ListingViewDay).values(listing_id=listing_id, day=day, views=views)
    stmt = stmt.on_conflict_do_update(
        index_elements=[ListingViewDay.listing_id, ListingViewDay.day],
        set_={"views": ListingViewDay.views + views},
    )
    session.execute(stmt)


def views_between(session, listing_id: int, start: date, end: date) -> int:
    """Views of the listing from ``start`` to ``end`` (both included)."""
    return session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(ListingViewDay.views), 0)).where(
            ListingViewDay.listing_id == listing_id, ListingViewDay.day.between(start, end)
        )
    ).scalar_one()
