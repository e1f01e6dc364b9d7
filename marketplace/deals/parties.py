"""Who is on which side of a deal, and what each side may see."""

from __future__ import annotations

import sqlalchemy as sa

from marketplace.core.auth import require_membership
from marketplace.core.errors import Forbidden, NotFound
from marketplace.listings.models import Listing

#: organizations that buy licenses and sponsor research
COMPANY_KINDS = ("company", "startup")
COMPANY = "company"
UNIVERSITY = "university"


def require_company_member(*, role: str | None = None):
    """The caller, a member of a verified company or startup (401/403 otherwise)."""
    return require_membership(kinds=COMPANY_KINDS, role=role, verified=True)


def require_party():
    """The caller, a member of a company, startup or university (the parties to deals)."""
    return require_membership(kinds=(*COMPANY_KINDS, "university"))


def side_of(user, deal) -> str | None:
    """``company`` or ``university`` when the user's organization is a party to ``deal``, else None."""
    if user.organization_id == deal.company_id:
        return COMPANY
    if user.organization_id == deal.university_id:
        return UNIVERSITY
    return None


def party_side(user, deal, what: str) -> str:
    """The user's side of ``deal``; 404 for everyone else (they may not know it exists)."""
    side = side_of(user, deal)
    if side is None:
        raise NotFound(f"No such {what}.")
    return side


def require_manager(user, doing: str) -> None:
    if not user.is_manager:
        raise Forbidden(f"Only your organization's managers can {doing}.")


def published_listing(session, listing_id: int, *, lock: bool = False) -> Listing:
    """A published listing, or 404 (drafts and archived listings cannot be negotiated)."""
    stmt = sa.select(Listing).where(Listing.id == listing_id)
    if lock:
        stmt = stmt.with_for_update()
    listing = session.execute(stmt).scalar_one_or_none()
    if listing is None or listing.status != "published":
        raise NotFound("No such published listing.", errors={"listing_id": ["No such published listing."]})
    return listing


def visible_listing(session, user, listing_id: int) -> Listing:
    """A listing the caller may know about: published, or their own university's, or any for admins."""
    listing = session.get(Listing, listing_id)
    if listing is None:
        raise NotFound("No such listing.")
    if listing.status == "published" or (user is not None and (
        user.is_admin or user.organization_id == listing.university_id
    )):
        return listing
    raise NotFound("No such listing.")
