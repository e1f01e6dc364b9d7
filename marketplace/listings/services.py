"""Listing rules: who sees what, creating and editing (with optimistic concurrency), and lists."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from marketplace.accounts.models import Organization, User
from marketplace.core import audit
from marketplace.core.concurrency import check_if_match
from marketplace.core.db import utcnow
from marketplace.core.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from marketplace.core.pagination import Page, paginate
from marketplace.core.schemas import require_changes
from marketplace.core.taxonomy import expand
from marketplace.core.text import unique_slug
from marketplace.ip.models import IPAsset
from marketplace.ip.services import assets_of_university
from marketplace.ip.signals import asset_public_facts_changed
from marketplace.listings.models import LISTING_STATUSES, ExpressLicense, Listing, ListingField, listing_assets
from marketplace.listings.view_counts import count_view
from marketplace.listings.workflow import (
    LISTING_WORKFLOW,
    PUBLISHED,
    TOPIC_UPDATED,
    announce,
    record_transition,
)

#: edits of these send a published listing back to review: what a reviewer approved
SUBSTANCE = ("title", "summary", "description", "fields", "asset_ids", "express_license")
#: edits of these keep a published listing published
PRESENTATION = ("keywords", "trl", "development_stage", "opportunity_types", "contact_user_id")
CONTENT = SUBSTANCE + PRESENTATION
EXPRESS_LICENSE_TERMS = ("fields", "territories", "price_amount", "currency", "term_months", "terms")
#: statuses in which the owning university may edit (a suspended listing waits for an admin)
EDITABLE_STATUSES = tuple(s for s in LISTING_STATUSES if s != "suspended")
SUMMARY_OPTIONS = (selectinload(Listing.university), selectinload(Listing.express_license))
DETAIL_OPTIONS = SUMMARY_OPTIONS + (selectinload(Listing.assets), selectinload(Listing.contact))
#: one listing to read: its single related rows joined in the same statement (3 statements, not 6)
READ_OPTIONS = (joinedload(Listing.university), joinedload(Listing.express_license), joinedload(Listing.contact),
                selectinload(Listing.assets))


# ---- who sees what ------------------------------------------------------------------------------


def is_insider(user, listing: Listing) -> bool:
    """The owning university's members and admins see a listing in every state, with review notes."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_admin or (user.organization_id is not None and user.organization_id == listing.university_id))


def find_listing(session, listing_id: int | None = None, *, slug: str | None = None, lock: bool = False,
                 detail: bool = False) -> Listing | None:
    """The listing with this id or slug (locked for update when ``lock``), or None."""
    stmt = sa.select(Listing).where(Listing.id == listing_id if slug is None else Listing.slug == slug)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    if detail:
        stmt = stmt.options(*(DETAIL_OPTIONS if lock else READ_OPTIONS))
    return session.execute(stmt).scalar_one_or_none()


def get_listing(session, listing_id: int, *, lock: bool = False) -> Listing:
    """Any listing (for admins), or 404."""
    listing = find_listing(session, listing_id, lock=lock)
    if listing is None:
        raise NotFound("No such listing.")
    return listing


def visible_listing(session, viewer, listing_id: int | None = None, *, slug: str | None = None,
                    lock: bool = False, detail: bool = False) -> Listing:
    """The listing if ``viewer`` may see it: published, or theirs, or they are an admin; else 404."""
    listing = find_listing(session, listing_id, slug=slug, lock=lock, detail=detail)
    if listing is None or not (listing.status == PUBLISHED or is_insider(viewer, listing)):
        raise NotFound("No such listing.")
    return listing


def owned_listing(session, actor: User, listing_id: int, *, lock: bool = True) -> Listing:
    """A listing of the actor's university (404 when they cannot see it, 403 when it is not theirs)."""
    listing = visible_listing(session, actor, listing_id, lock=lock)
    if listing.university_id != actor.organization_id:
        raise Forbidden("Only the listing's university may do this.")
    return listing


def read_listing(session, viewer, listing_id: int | None = None, *, slug: str | None = None) -> Listing:
    """A listing for reading; a public read by anyone but its university and admins counts a view
    (buffered: the read itself writes nothing, see ``view_counts``)."""
    listing = visible_listing(session, viewer, listing_id, slug=slug, detail=True)
    if listing.status == PUBLISHED and not is_insider(viewer, listing):
        count_view(listing.id, viewer.id if viewer is not None else None)
    return listing


# ---- content --------------------------------------------------------------------------------------


def express_license_terms(offer: ExpressLicense | None) -> dict | None:
    if offer is None:
        return None
    return {key: getattr(offer, key) for key in EXPRESS_LICENSE_TERMS}


def content_snapshot(listing: Listing) -> dict:
    """The editable content of a listing as plain JSON (compared to tell what an edit changed)."""
    return {
        "title": listing.title,
        "summary": listing.summary,
        "description": listing.description,
        "fields": sorted(listing.fields),
        "asset_ids": sorted(asset.id for asset in listing.assets),
        "express_license": express_license_terms(listing.express_license),
        "keywords": list(listing.keywords or []),
        "trl": listing.trl,
        "development_stage": listing.development_stage,
        "opportunity_types": sorted(listing.opportunity_types or []),
        "contact_user_id": listing.contact_user_id,
    }


def _unique(values) -> list:
    return list(dict.fromkeys(values))


def _unique_keywords(keywords) -> list[str]:
    seen: dict[str, str] = {}
    for word in keywords:
        seen.setdefault(word.lower(), word)
    return list(seen.values())


def _contact(session, university_id: int, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.organization_id != university_id or not user.is_active:
        raise ValidationFailed(
            "The contact person must be an active member of the listing's university.",
            errors={"contact_user_id": ["Not an active member of this university."]},
        )
    return user


def _set_fields(listing: Listing, codes: list[str]) -> None:
    wanted = _unique(codes)
    kept = {link.code: link for link in listing.field_links if link.code in wanted}
    listing.field_links = [kept.get(code) or ListingField(code=code) for code in sorted(wanted)]


def _set_express_license(listing: Listing, terms: dict | None) -> None:
    if terms is None:
        listing.express_license = None
        return
    terms = {**terms, "fields": _unique(terms["fields"]), "territories": _unique(terms["territories"])}
    if listing.express_license is None:
        listing.express_license = ExpressLicense(**terms)
    else:
        for key, value in terms.items():
            setattr(listing.express_license, key, value)


def _apply(session, listing: Listing, data: dict) -> None:
    """Copy the allowed fields of ``data`` onto ``listing``, checking what points elsewhere."""
    for key in ("title", "summary", "description", "trl", "development_stage"):
        if key in data:
            setattr(listing, key, data[key])
    if "keywords" in data:
        listing.keywords = _unique_keywords(data["keywords"])
    if "opportunity_types" in data:
        listing.opportunity_types = _unique(data["opportunity_types"])
    if "fields" in data:
        _set_fields(listing, data["fields"])
    if "asset_ids" in data:
        listing.assets = assets_of_university(session, listing.university_id, data["asset_ids"])
    if "contact_user_id" in data:
        contact_id = data["contact_user_id"]
        listing.contact = _contact(session, listing.university_id, contact_id) if contact_id else None
        listing.contact_user_id = contact_id
    if "express_license" in data:
        _set_express_license(listing, data["express_license"])


def create_listing(session, actor: User, data: dict) -> Listing:
    """A new draft listing of the actor's university (its slug is set now and never changes)."""
    listing = Listing(
        university_id=actor.organization_id,
        slug=unique_slug(session, Listing, data["title"]),
        created_by_id=actor.id,
        contact=actor,
        contact_user_id=actor.id,
        status="draft",
        version=1,
        keywords=[],
        opportunity_types=[],
        description="",
    )
    if data.get("contact_user_id") is None:
        data = {k: v for k, v in data.items() if k != "contact_user_id"}
    _apply(session, listing, data)
    session.add(listing)
    session.flush()
    audit.record(session, "listing.create", listing, actor=actor, changes=content_snapshot(listing))
    return listing


def update_listing(session, actor: User, listing_id: int, changes: dict, *, if_match: str | None) -> Listing:
    """Edit a listing of the actor's university; ``if_match`` must name its current version.

    A published listing whose substance changed goes back to review (and leaves the public
    catalogue); other edits keep it published.
    """
    listing = owned_listing(session, actor, listing_id)
    check_if_match(if_match, listing.version)
    require_changes(changes)
    if listing.status not in EDITABLE_STATUSES:
        raise InvalidTransition(
            f"A {listing.status} listing cannot be edited.",
            current_state=listing.status,
            allowed_actions=LISTING_WORKFLOW.allowed_actions(listing.status),
        )
    before = content_snapshot(listing)
    _apply(session, listing, changes)
    delta = audit.diff(before, content_snapshot(listing))
    if not delta:
        return listing
    listing.version += 1
    audit.record(session, "listing.update", listing, actor=actor, changes=delta)
    substantive = [key for key in SUBSTANCE if key in delta]
    if listing.status == PUBLISHED and substantive:
        listing.submitted_at = utcnow()
        session.flush()
        record_transition(
            session, listing, "revise", PUBLISHED, "in_review", actor, reason="Changed: " + ", ".join(substantive)
        )
    elif listing.status == PUBLISHED:
        announce(session, listing.id, TOPIC_UPDATED)
    return listing


def delete_listing(session, actor: User, listing_id: int) -> None:
    """Delete a draft of the actor's university (other states are kept for the record)."""
    listing = owned_listing(session, actor, listing_id)
    if listing.status != "draft":
        raise InvalidTransition(
            "Only drafts can be deleted; archive a published listing instead.",
            current_state=listing.status,
            allowed_actions=LISTING_WORKFLOW.allowed_actions(listing.status),
        )
    facts = {"title": listing.title, "slug": listing.slug, "university_id": listing.university_id}
    session.delete(listing)
    audit.record(session, "listing.delete", object_type="listing", object_id=listing_id, actor=actor, changes=facts)


# ---- lists ----------------------------------------------------------------------------------------


def list_listings(session, viewer, *, status=None, university_id=None, university=None, field=None, mine=False,
                  page=1, page_size=20) -> Page:
    """Listings the viewer may see, filtered; newest publication first.

    Without ``status`` only published listings are listed, or with ``mine`` every listing of
    the viewer's university. Statuses other than published only ever match the viewer's own
    university's listings (or any, for admins).
    """
    stmt = sa.select(Listing).options(*SUMMARY_OPTIONS)
    if mine:
        org_id = getattr(viewer, "organization_id", None) if viewer is not None else None
        if org_id is None:
            raise Forbidden("Only members of an organization have listings of their own.")
        stmt = stmt.where(Listing.university_id == org_id)
    statuses = status or (list(LISTING_STATUSES) if mine else [PUBLISHED])
    stmt = stmt.where(Listing.status.in_(statuses))
    if viewer is None or not viewer.is_admin:
        own = getattr(viewer, "organization_id", None) if viewer is not None else None
        visible = Listing.status == PUBLISHED
        if own is not None:
            visible = sa.or_(visible, Listing.university_id == own)
        stmt = stmt.where(visible)
    if university_id is not None:
        stmt = stmt.where(Listing.university_id == university_id)
    if university:
        stmt = stmt.where(
            Listing.university_id.in_(sa.select(Organization.id).where(Organization.slug == university))
        )
    if field:
        codes = expand(field)
        stmt = stmt.where(
            Listing.id.in_(sa.select(ListingField.listing_id).where(ListingField.code.in_(sorted(codes))))
        )
    stmt = stmt.order_by(Listing.published_at.desc().nulls_last(), Listing.id.desc())
    return paginate(session, stmt, page, page_size)


# ---- IP changes shown on published listings ----------------------------------------------------------


@asset_public_facts_changed.connect
def _reannounce_listings_showing(session, asset: IPAsset, **kwargs) -> None:
    """A published listing shows its assets' public facts: tell search that it changed."""
    listing_ids = session.execute(
        sa.select(Listing.id)
        .join(listing_assets, listing_assets.c.listing_id == Listing.id)
        .where(listing_assets.c.asset_id == asset.id, Listing.status == PUBLISHED)
    ).scalars()
    for listing_id in listing_ids:
        announce(session, listing_id, TOPIC_UPDATED)
