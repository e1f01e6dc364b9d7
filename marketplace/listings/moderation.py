"""The admins' moderation queue: listings in review, oldest submission first, with what changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from marketplace.core.pagination import Page, paginate
from marketplace.listings.models import Listing, ListingFlag
from marketplace.listings.services import SUMMARY_OPTIONS, content_snapshot


@dataclass
class QueueItem:
    listing: Listing
    submitted_at: datetime | None
    is_first_review: bool
    #: ``{field: {"before": ..., "after": ...}}`` since the last approved version
    changes: dict
    open_flags: int


def changes_since_approval(listing: Listing) -> dict:
    """What differs between the listing now and the version an admin last approved."""
    approved = listing.approved_snapshot
    if approved is None:
        return {}
    current = content_snapshot(listing)
    return {
        key: {"before": approved.get(key), "after": value}
        for key, value in current.items()
        if approved.get(key) != value
    }


def moderation_queue(session, *, page: int = 1, page_size: int = 20) -> Page:
    """Listings waiting for review, the longest-waiting first."""
    stmt = (
        sa.select(Listing)
        .where(Listing.status == "in_review")
        .options(*SUMMARY_OPTIONS, selectinload(Listing.assets))
        .order_by(Listing.submitted_at.asc().nulls_first(), Listing.id)
    )
    result = paginate(session, stmt, page, page_size)
    ids = [listing.id for listing in result.items]
    flags = dict(
        session.execute(
            sa.select(ListingFlag.listing_id, sa.func.count())
            .where(ListingFlag.listing_id.in_(ids), ListingFlag.status == "open")
            .group_by(ListingFlag.listing_id)
        ).all()
    ) if ids else {}
    result.items = [
        QueueItem(
            listing=listing,
            submitted_at=listing.submitted_at,
            is_first_review=listing.approved_snapshot is None,
            changes=changes_since_approval(listing),
            open_flags=flags.get(listing.id, 0),
        )
        for listing in result.items
    ]
    return result
