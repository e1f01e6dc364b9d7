"""Flags: anyone logged in reports a published listing; admins resolve or dismiss the reports."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import User
from marketplace.core import audit
from marketplace.core.db import utcnow
from marketplace.core.errors import Conflict, NotFound
from marketplace.core.pagination import Page, paginate
from marketplace.listings.models import Listing, ListingFlag
from marketplace.listings.services import visible_listing
from marketplace.listings.transitions import suspend
from marketplace.listings.workflow import FLAG_WORKFLOW, PUBLISHED
from marketplace.notifications.services import notify


def flag_listing(session, reporter: User, listing_id: int, *, category: str, text: str) -> ListingFlag:
    """Report a published listing; one open report per person and listing."""
    listing = visible_listing(session, reporter, listing_id)
    if listing.status != PUBLISHED:
        raise Conflict("Only published listings can be flagged.", current_state=listing.status)
    already = session.execute(
        sa.select(ListingFlag.id).where(
            ListingFlag.listing_id == listing.id,
            ListingFlag.reporter_user_id == reporter.id,
            ListingFlag.status == "open",
        )
    ).first()
    if already is not None:
        raise Conflict("You already flagged this listing; an administrator will look at it.")
    flag = ListingFlag(listing_id=listing.id, reporter_user_id=reporter.id, category=category, text=text)
    session.add(flag)
    session.flush()
    audit.record(session, "listing_flag.create", flag, actor=reporter,
                 changes={"listing_id": listing.id, "category": category, "text": text})
    admins = session.execute(
        sa.select(User.id).where(User.is_admin.is_(True), User.suspended_at.is_(None), User.removed_at.is_(None))
    ).scalars()
    for admin_id in admins:
        notify(session, admin_id, kind="listing_flagged", title=f'"{listing.title}" was flagged ({category})',
               body=text, data={"listing_id": listing.id, "flag_id": flag.id})
    return flag


def list_flags(session, *, status="open", listing_id=None, page=1, page_size=20) -> Page:
    """Flags in a state (open by default), oldest first."""
    stmt = (
        sa.select(ListingFlag)
        .where(ListingFlag.status == status)
        .options(
            selectinload(ListingFlag.listing).selectinload(Listing.university),
            selectinload(ListingFlag.reporter),
            selectinload(ListingFlag.resolved_by),
        )
        .order_by(ListingFlag.created_at, ListingFlag.id)
    )
    if listing_id is not None:
        stmt = stmt.where(ListingFlag.listing_id == listing_id)
    return paginate(session, stmt, page, page_size)


def _get_flag(session, flag_id: int) -> ListingFlag:
    flag = session.execute(
        sa.select(ListingFlag).where(ListingFlag.id == flag_id).with_for_update()
    ).scalar_one_or_none()
    if flag is None:
        raise NotFound("No such flag.")
    return flag


def _close(session, admin: User, flag: ListingFlag, action: str, note: str | None, **details) -> None:
    before, after = FLAG_WORKFLOW.apply(flag, action)
    flag.resolution_note = note
    flag.resolved_by_id = admin.id
    flag.resolved_at = utcnow()
    audit.record(session, f"listing_flag.{action}", flag, actor=admin,
                 changes={"status": [before, after], "note": note, **details})
    if flag.reporter_user_id is not None:
        notify(session, flag.reporter_user_id, kind=f"flag_{after}",
               title=f"Your report was {after}", body=note or "",
               data={"listing_id": flag.listing_id, "flag_id": flag.id})


def resolve_flag(session, admin: User, flag_id: int, *, note: str | None, suspend_listing: bool) -> ListingFlag:
    """Accept a report; optionally suspend the listing in the same step (with the note as reason).

    A listing already suspended (by an earlier report) stays so: the flag is simply resolved.
    """
    flag = _get_flag(session, flag_id)
    FLAG_WORKFLOW.target(flag.status, "resolve")
    suspended = False
    if suspend_listing and flag.listing.status != "suspended":
        suspend(session, admin, flag.listing_id, note)
        suspended = True
    _close(session, admin, flag, "resolve", note, listing_suspended=suspended)
    return flag


def dismiss_flag(session, admin: User, flag_id: int, *, note: str | None) -> ListingFlag:
    """Reject a report as unfounded."""
    flag = _get_flag(session, flag_id)
    _close(session, admin, flag, "dismiss", note)
    return flag
