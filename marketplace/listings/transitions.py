"""The workflow actions: submit and archive (the listing's university), approve, request changes,
suspend and reinstate (admins); each is recorded and the university's managers are told."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import User
from marketplace.accounts.services import active_members
from marketplace.core.db import utcnow
from marketplace.core.errors import Forbidden, ValidationFailed
from marketplace.listings.models import Listing, ListingTransition
from marketplace.listings.services import content_snapshot, get_listing, is_insider, owned_listing, visible_listing
from marketplace.listings.workflow import LISTING_WORKFLOW, PREVIOUS_STATE, record_transition
from marketplace.notifications.services import tell

#: where a listing goes back to when its pre-suspension state is unknown: the admins look again
FALLBACK_AFTER_SUSPENSION = "in_review"


def _move(session, listing: Listing, action: str, actor, reason: str | None = None) -> tuple[str, str]:
    before = listing.status
    after = LISTING_WORKFLOW.target(before, action)
    if after == PREVIOUS_STATE:
        after = _state_before_suspension(session, listing)
    record_transition(session, listing, action, before, after, actor, reason)
    return before, after


def _state_before_suspension(session, listing: Listing) -> str:
    previous = session.execute(
        sa.select(ListingTransition.from_status)
        .where(ListingTransition.listing_id == listing.id, ListingTransition.to_status == "suspended")
        .order_by(ListingTransition.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return previous or FALLBACK_AFTER_SUSPENSION


def submission_problems(listing: Listing) -> dict[str, list[str]]:
    """What a listing still lacks before it can be reviewed, by field."""
    errors: dict[str, list[str]] = {}
    if not (listing.description or "").strip():
        errors["description"] = ["Describe the technology before submitting."]
    if not listing.fields:
        errors["fields"] = ["Choose at least one technology field."]
    if not listing.opportunity_types:
        errors["opportunity_types"] = ["Say which kinds of partnership you offer."]
    if listing.contact_user_id is None:
        errors["contact_user_id"] = ["Name a contact person."]
    if listing.express_license is not None:
        if not listing.assets:
            errors.setdefault("asset_ids", []).append("An express license needs at least one linked IP asset.")
        if "license" not in (listing.opportunity_types or []):
            errors.setdefault("opportunity_types", []).append("A listing with an express license offers a license.")
    return errors


# ---- the university's actions --------------------------------------------------------------------


def submit(session, actor: User, listing_id: int) -> Listing:
    """Send a draft (or a listing sent back for changes, or an archived one) to review."""
    listing = owned_listing(session, actor, listing_id)
    LISTING_WORKFLOW.target(listing.status, "submit")
    problems = submission_problems(listing)
    if problems:
        raise ValidationFailed("The listing is not complete: " + ", ".join(sorted(problems)), errors=problems)
    listing.submitted_at = utcnow()
    _move(session, listing, "submit", actor)
    return listing


def archive(session, actor: User, listing_id: int) -> Listing:
    """Take a published listing off the catalogue."""
    listing = owned_listing(session, actor, listing_id)
    _move(session, listing, "archive", actor)
    return listing


# ---- the admins' actions ------------------------------------------------------------------------


def approve(session, admin: User, listing_id: int, *, tell_managers: bool = True) -> Listing:
    """Publish a listing in review; what was approved is kept to show reviewers later changes."""
    listing = get_listing(session, listing_id, lock=True)
    _move(session, listing, "approve", admin)
    listing.published_at = listing.published_at or utcnow()
    listing.review_note = None
    listing.approved_snapshot = content_snapshot(listing)
    if tell_managers:
        _tell_managers(
            session, listing, "listing_approved", f'"{listing.title}" is published',
            "It is now visible to everyone in the catalogue.",
        )
    return listing


def request_changes(session, admin: User, listing_id: int, reason: str) -> Listing:
    """Send a listing in review back to its university with what to change."""
    listing = get_listing(session, listing_id, lock=True)
    _move(session, listing, "request_changes", admin, reason)
    listing.review_note = reason
    _tell_managers(
        session, listing, "listing_changes_requested", f'Changes requested on "{listing.title}"',
        f"A reviewer asks for changes before it can be published:\n\n{reason}\n\n"
        "Edit the listing, then submit it again.",
    )
    return listing


def suspend(session, admin: User, listing_id: int, reason: str) -> Listing:
    """Suspend a listing in any state (a published one leaves the catalogue at once)."""
    listing = get_listing(session, listing_id, lock=True)
    _move(session, listing, "suspend", admin, reason)
    _tell_managers(
        session, listing, "listing_suspended", f'"{listing.title}" has been suspended',
        f"An administrator suspended it:\n\n{reason}\n\nReply to the platform team to have it reinstated.",
    )
    return listing


def reinstate(session, admin: User, listing_id: int) -> Listing:
    """Lift a suspension: the listing returns to the state it was suspended from."""
    listing = get_listing(session, listing_id, lock=True)
    _, after = _move(session, listing, "reinstate", admin)
    _tell_managers(
        session, listing, "listing_reinstated", f'"{listing.title}" has been reinstated',
        f"The suspension is lifted; the listing is {after.replace('_', ' ')} again.",
    )
    return listing


# ---- history and notices ------------------------------------------------------------------------


def history(session, viewer: User, listing_id: int) -> list[ListingTransition]:
    """Every workflow step of a listing, oldest first (its university and admins only)."""
    listing = visible_listing(session, viewer, listing_id)
    if not is_insider(viewer, listing):
        raise Forbidden("Only the listing's university and administrators see its history.")
    return list(
        session.execute(
            sa.select(ListingTransition)
            .where(ListingTransition.listing_id == listing.id)
            .options(selectinload(ListingTransition.actor))
            .order_by(ListingTransition.id)
        ).scalars()
    )


def _tell_managers(session, listing: Listing, kind: str, subject: str, message: str) -> None:
    link = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + f"/listings/{listing.slug}"
    tell(session, active_members(session, listing.university_id, managers_only=True), kind=kind, title=subject,
         body=message, link=link, data={"listing_id": listing.id})
