"""Confidential details of a listing, and NDA requests: a company agrees to the listing's NDA by
click, the university accepts (the company then sees the details) or declines with a reason."""

from __future__ import annotations

import sqlalchemy as sa

from marketplace.core import audit
from marketplace.core.db import utcnow
from marketplace.core.errors import Conflict, Forbidden, NotFound
from marketplace.core.pagination import Page, paginate
from marketplace.core.statemachine import StateMachine
from marketplace.deals.ndas.models import ConfidentialDetails, NDARequest
from marketplace.accounts.notices import link, tell_organization
from marketplace.deals.parties import party_side, published_listing, require_manager, visible_listing

NDA_WORKFLOW = StateMachine(
    "NDA request",
    {"accept": {"pending": "accepted"}, "decline": {"pending": "declined"}},
)


# ---- confidential details ---------------------------------------------------------------------


def _owned_listing(session, user, listing_id: int):
    listing = visible_listing(session, user, listing_id)
    if user.organization_id != listing.university_id:
        raise Forbidden("Only the listing's university can change its confidential details.")
    return listing


def _live_request(session, listing_id: int, organization_id: int) -> NDARequest | None:
    return session.execute(
        sa.select(NDARequest).where(NDARequest.live_key == f"{listing_id}:{organization_id}")
    ).scalar_one_or_none()


def confidential_view(session, user, listing_id: int) -> dict:
    """What the caller may see of a listing's confidential details: always whether they exist and
    under which NDA; their content only for the owner, companies with an accepted NDA, and admins."""
    listing = visible_listing(session, user, listing_id)
    details = session.get(ConfidentialDetails, listing.id)
    view: dict = {"listing_id": listing.id, "exists": details is not None, "nda_request_id": None}
    if details is None:
        return {**view, "access": "none", "document_count": 0}
    view.update(
        nda_title=details.nda_title,
        nda_version=details.nda_version,
        document_count=len(details.document_names),
        updated_at=details.updated_at,
    )
    org_id = getattr(user, "organization_id", None)
    live = _live_request(session, listing.id, org_id) if org_id else None
    if live is not None:
        view["nda_request_id"] = live.id
    entitled = user is not None and (user.is_admin or org_id == listing.university_id)
    if entitled or (live is not None and live.status == "accepted"):
        return {**view, "access": "granted", "text": details.text, "document_names": list(details.document_names)}
    return {**view, "access": "nda_pending" if live is not None else "nda_required"}


def set_confidential(session, user, listing_id: int, *, text: str, document_names: list[str], nda_title: str,
                     nda_version: str) -> dict:
    """The listing's university sets (or replaces) its confidential details and the NDA that guards them."""
    listing = _owned_listing(session, user, listing_id)
    details = session.get(ConfidentialDetails, listing.id)
    after = {"text": text, "document_names": document_names, "nda_title": nda_title, "nda_version": nda_version}
    if details is None:
        details = ConfidentialDetails(listing_id=listing.id, **after, updated_by_id=user.id)
        session.add(details)
        changes = {"document_names": document_names, "nda_title": nda_title, "nda_version": nda_version}
    else:
        before = {k: getattr(details, k) for k in after}
        changes = audit.diff(before, after)
        if "text" in changes:
            changes["text"] = "changed"  # confidential: the trail says that, not what
        for key, value in after.items():
            setattr(details, key, value)
        details.updated_by_id = user.id
    session.flush()
    audit.record(session, "listing.confidential_details_set", listing, changes=changes)
    return confidential_view(session, user, listing.id)


def remove_confidential(session, user, listing_id: int) -> None:
    listing = _owned_listing(session, user, listing_id)
    details = session.get(ConfidentialDetails, listing.id)
    if details is None:
        raise NotFound("This listing has no confidential details.")
    session.delete(details)
    audit.record(session, "listing.confidential_details_remove", listing)


# ---- NDA requests -----------------------------------------------------------------------------


def _load(session, user, request_id: int, *, lock: bool = False) -> tuple[NDARequest, str]:
    stmt = sa.select(NDARequest).where(NDARequest.id == request_id)
    if lock:
        stmt = stmt.with_for_update()
    request = session.execute(stmt).scalar_one_or_none()
    if request is None:
        raise NotFound("No such NDA request.")
    return request, party_side(user, request, "NDA request")


def request_nda(session, user, *, listing_id: int, nda_version: str, agree: bool, message: str | None) -> NDARequest:
    """A company agrees (by click) to the listing's NDA and asks the university to open the details."""
    listing = published_listing(session, listing_id)
    details = session.get(ConfidentialDetails, listing.id)
    if details is None:
        raise Conflict("This listing has no confidential details to request.", slug="no-confidential-details")
    if nda_version != details.nda_version:
        raise Conflict(
            f"The NDA is now “{details.nda_title}” version {details.nda_version}: read it and agree to that version.",
            slug="nda-version-changed",
            current_version=details.nda_version,
        )
    live = _live_request(session, listing.id, user.organization_id)
    if live is not None:
        raise Conflict(
            f"Your organization already has {'an accepted' if live.status == 'accepted' else 'a pending'} "
            "NDA request for this listing.",
            slug="nda-request-exists",
            nda_request_id=live.id,
        )
    now = utcnow()
    request = NDARequest(
        listing=listing,
        company_id=user.organization_id,
        university_id=listing.university_id,
        nda_title=details.nda_title,
        nda_version=details.nda_version,
        requested_by_id=user.id,
        agreed_at=now,
        message=message,
        created_at=now,
        live_key=f"{listing.id}:{user.organization_id}",
    )
    session.add(request)
    session.flush()
    audit.record(
        session,
        "nda_request.create",
        request,
        changes={"listing_id": listing.id, "nda_title": details.nda_title, "nda_version": details.nda_version,
                 "agreed_at": now},
    )
    tell_organization(
        session,
        listing.university_id,
        kind="nda_request",
        title=f"NDA request for “{listing.title}” from {user.organization.name}",
        body=(
            f"{user.name} ({user.organization.name}) agreed to “{details.nda_title}” version {details.nda_version} "
            f"and asks to see the confidential details of “{listing.title}”."
            + (f"\n\nTheir message:\n{message}" if message else "")
            + f"\n\nAccept or decline: {link(f'/nda-requests/{request.id}')}"
        ),
        data={"nda_request_id": request.id, "listing_id": listing.id},
        responsible_user_id=listing.contact_user_id,
        actor_id=user.id,
    )
    return request


def _decide(session, user, request_id: int, action: str, reason: str | None = None) -> NDARequest:
    request, side = _load(session, user, request_id, lock=True)
    if side != "university":
        raise Forbidden("Only the listing's university can decide on an NDA request.")
    require_manager(user, f"{action} NDA requests")
    before, after = NDA_WORKFLOW.apply(request, action)
    request.decided_by_id, request.decided_at = user.id, utcnow()
    if action == "decline":
        request.decline_reason, request.live_key = reason, None
    session.flush()
    changes = {"status": [before, after], "nda_title": request.nda_title, "nda_version": request.nda_version}
    if reason:
        changes["reason"] = reason
    audit.record(session, f"nda_request.{action}", request, changes=changes)
    listing = request.listing
    verdict = "accepted" if action == "accept" else "declined"
    body = f"{request.university.name} {verdict} your NDA request for “{listing.title}”."
    body += (
        f"\n\nThe confidential details are now open to your organization: {link(f'/listings/{listing.slug}')}"
        if action == "accept"
        else f"\n\nReason: {reason}"
    )
    tell_organization(
        session,
        request.company_id,
        kind=f"nda_request_{verdict}",
        title=f"NDA request {verdict}: “{listing.title}”",
        body=body,
        data={"nda_request_id": request.id, "listing_id": listing.id},
        responsible_user_id=request.requested_by_id,
        actor_id=user.id,
    )
    return request


def accept(session, user, request_id: int) -> NDARequest:
    """The university accepts: who and when are recorded; the company sees the details from now on."""
    return _decide(session, user, request_id, "accept")


def decline(session, user, request_id: int, reason: str) -> NDARequest:
    """The university declines with a reason; the company may ask again later."""
    return _decide(session, user, request_id, "decline", reason)


def list_requests(session, user, *, status=None, listing_id=None, page=1, page_size=20) -> Page:
    """NDA requests made by, or addressed to, the caller's organization, newest first."""
    org = user.organization_id
    stmt = sa.select(NDARequest).where(sa.or_(NDARequest.company_id == org, NDARequest.university_id == org))
    if status:
        stmt = stmt.where(NDARequest.status == status)
    if listing_id is not None:
        stmt = stmt.where(NDARequest.listing_id == listing_id)
    return paginate(session, stmt.order_by(NDARequest.id.desc()), page, page_size)


def get_request(session, user, request_id: int) -> NDARequest:
    return _load(session, user, request_id)[0]

