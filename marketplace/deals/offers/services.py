"""Offer rules: a company proposes terms on a listing; the side whose turn it is accepts, rejects or
counters; the side that made the latest proposal may edit or withdraw it; an offer lapses after
its date. Acceptance makes the License or the SponsorshipAgreement, with their invoices."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from marketplace.core import audit
from marketplace.core.concurrency import check_if_match
from marketplace.core.db import utcnow
from marketplace.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from marketplace.core.pagination import Page, paginate
from marketplace.core.statemachine import StateMachine
from marketplace.accounts.notices import link, tell_organization
from marketplace.deals.offers import terms as offer_terms
from marketplace.deals.offers.models import Offer, OfferRevision
from marketplace.deals.parties import COMPANY, UNIVERSITY, party_side, published_listing, require_manager
from marketplace.deals.sponsorships import services as sponsorships
from marketplace.ip.licenses import services as licenses
from marketplace.ip.models import IPAsset

OFFER_WORKFLOW = StateMachine(
    "offer",
    {
        "counter": {"open": "open"},
        "edit": {"open": "open"},
        "accept": {"open": "accepted"},
        "reject": {"open": "rejected"},
        "withdraw": {"open": "withdrawn"},
        "expire": {"open": "expired"},
    },
)
#: what the side whose turn it is may do, and what the side that proposed may do
RESPONDER_ACTIONS = ("accept", "counter", "reject")
PROPOSER_ACTIONS = ("edit", "withdraw")
OPPORTUNITY_FOR_KIND = {"license": "license", "sponsored_research": "sponsored_research"}
MAX_VALIDITY_DAYS = 365


def today() -> date:
    return utcnow().date()


def other(side: str) -> str:
    return UNIVERSITY if side == COMPANY else COMPANY


def allowed_actions(offer: Offer, user) -> list[str]:
    """What the caller may do with the offer now (managers of the side concerned)."""
    side = party_side(user, offer, "offer")
    if offer.effective_status(today()) != "open" or not user.is_manager:
        return []
    return sorted(RESPONDER_ACTIONS if side == offer.turn else PROPOSER_ACTIONS)


def present(offers, user):
    """Attach what the caller sees now: the effective status, who is awaited, their allowed actions."""
    now = today()
    for offer in offers:
        offer.current_status = offer.effective_status(now)
        offer.current_awaiting = offer.turn if offer.current_status == "open" else None
        offer.allowed = allowed_actions(offer, user)
    return offers


# ---- loading ------------------------------------------------------------------------------------


def _load(session, user, offer_id: int, *, lock: bool = False) -> tuple[Offer, str]:
    stmt = sa.select(Offer).where(Offer.id == offer_id)
    if lock:
        stmt = stmt.with_for_update()
    offer = session.execute(stmt).scalar_one_or_none()
    if offer is None:
        raise NotFound("No such offer.")
    return offer, party_side(user, offer, "offer")


def get_offer(session, user, offer_id: int) -> Offer:
    offer, _ = _load(session, user, offer_id)
    return present([offer], user)[0]


def list_offers(session, user, *, status=None, kind=None, listing_id=None, awaiting_me=None, page=1, page_size=20) -> Page:
    """Offers made by, or to, the caller's organization, most recently changed first."""
    org = user.organization_id
    stmt = sa.select(Offer).where(sa.or_(Offer.company_id == org, Offer.university_id == org))
    now = today()
    if status == "expired":
        stmt = stmt.where(sa.or_(Offer.status == "expired", sa.and_(Offer.status == "open", Offer.expires_on < now)))
    elif status == "open":
        stmt = stmt.where(Offer.status == "open", Offer.expires_on >= now)
    elif status:
        stmt = stmt.where(Offer.status == status)
    if kind:
        stmt = stmt.where(Offer.kind == kind)
    if listing_id is not None:
        stmt = stmt.where(Offer.listing_id == listing_id)
    if awaiting_me is not None:
        mine = sa.or_(
            sa.and_(Offer.turn == COMPANY, Offer.company_id == org),
            sa.and_(Offer.turn == UNIVERSITY, Offer.university_id == org),
        )
        waiting = sa.and_(Offer.status == "open", Offer.expires_on >= now, mine)
        stmt = stmt.where(waiting if awaiting_me else ~waiting)
    result = paginate(session, stmt.order_by(Offer.updated_at.desc(), Offer.id.desc()), page, page_size)
    present(result.items, user)
    return result


def revisions(session, user, offer_id: int) -> list[OfferRevision]:
    """Every revision, oldest first, each with what changed since the one before."""
    offer, _ = _load(session, user, offer_id)
    previous = None
    for revision in offer.revisions:
        after = {**revision.terms, "expires_on": revision.expires_on.isoformat()}
        revision.changes = offer_terms.changes_between(previous, after) if previous is not None else {}
        previous = after
    return list(offer.revisions)


# ---- guards -------------------------------------------------------------------------------------


def _guard(offer: Offer, side: str, user, action: str, if_match=None, *, etag_required: bool = False) -> None:
    """Refuse an action that is not the caller's to take now: 403 (role), 409 (expiry, state, turn), then
    428/412 (the version the caller saw)."""
    require_manager(user, "negotiate offers")
    if offer.is_past_expiry(today()):
        raise InvalidTransition(
            f"This offer expired on {offer.expires_on.isoformat()}.",
            slug="offer-expired",
            current_state="expired",
            allowed_actions=[],
        )
    OFFER_WORKFLOW.target(offer.status, action)
    responding = action in RESPONDER_ACTIONS
    if responding != (side == offer.turn):
        waiting_for = "your" if side == offer.turn else f"the {offer.turn}'s"
        raise InvalidTransition(
            f"You cannot {action} now: the offer waits for {waiting_for} answer."
            + (" You made the latest proposal." if responding else " The other side made the latest proposal."),
            slug="out-of-turn",
            current_state=offer.status,
            awaiting=offer.turn,
            allowed_actions=sorted(RESPONDER_ACTIONS if side == offer.turn else PROPOSER_ACTIONS),
        )
    if etag_required or if_match:
        check_if_match(if_match, offer.version)


def _check_expiry(expires_on: date) -> None:
    now = today()
    if expires_on < now:
        raise ValidationFailed("The offer cannot expire in the past.", errors={"expires_on": ["In the past."]})
    if expires_on > now + timedelta(days=MAX_VALIDITY_DAYS):
        raise ValidationFailed(
            f"An offer stays open for at most {MAX_VALIDITY_DAYS} days.",
            errors={"expires_on": [f"At most {MAX_VALIDITY_DAYS} days ahead."]},
        )


def _check_terms_fit(session, offer_kind: str, listing, company, terms: dict) -> None:
    """Rules that need the listing and the company: the assets are the listing's, equity is for startups."""
    if offer_kind != "license":
        return
    listed = {a.id for a in listing.assets}
    unknown = sorted(set(terms["asset_ids"]) - listed)
    if unknown:
        raise ValidationFailed(
            "A license can only cover the listing's IP assets.",
            errors={"terms.asset_ids": [f"Not an asset of this listing: {', '.join(map(str, unknown))}."]},
        )
    if terms["equity_bps"] and company.kind != "startup":
        raise ValidationFailed(
            "Equity is part of a license only for startups.",
            errors={"terms.equity_bps": ["Only a startup licensee grants equity."]},
        )


def _bump(offer: Offer) -> None:
    offer.version += 1
    offer.updated_at = utcnow()


def _close(offer: Offer, user, action: str) -> tuple[str, str]:
    before, after = OFFER_WORKFLOW.apply(offer, action)
    offer.closed_at, offer.closed_by_id, offer.open_key = utcnow(), getattr(user, "id", None), None
    _bump(offer)
    return before, after


# ---- telling the other side ---------------------------------------------------------------------


def _tell(session, offer: Offer, to_side: str, *, kind: str, title: str, body: str, actor_id: int | None) -> None:
    org_id = offer.company_id if to_side == COMPANY else offer.university_id
    responsible = offer.created_by_id if to_side == COMPANY else offer.listing.contact_user_id
    tell_organization(
        session,
        org_id,
        kind=kind,
        title=title,
        body=f"{body}\n\nSee the offer: {link(f'/offers/{offer.id}')}",
        data={"offer_id": offer.id, "listing_id": offer.listing_id},
        responsible_user_id=responsible,
        actor_id=actor_id,
    )


def _kind_label(offer: Offer) -> str:
    return "license offer" if offer.kind == "license" else "sponsored-research offer"


# ---- proposing ----------------------------------------------------------------------------------


def create_offer(session, user, *, listing_id: int, kind: str, terms: dict, expires_on: date,
                 message: str | None = None) -> Offer:
    """A company proposes a license or sponsored research on a published listing."""
    require_manager(user, "make offers")
    listing = published_listing(session, listing_id)
    if OPPORTUNITY_FOR_KIND[kind] not in (listing.opportunity_types or []):
        raise ValidationFailed(
            "This listing does not invite this kind of offer.",
            errors={"kind": [f"The listing offers: {', '.join(listing.opportunity_types or []) or 'nothing'}."]},
        )
    _check_expiry(expires_on)
    canonical = offer_terms.validate_terms(kind, terms)
    _check_terms_fit(session, kind, listing, user.organization, offer_terms.parse_terms(kind, canonical))
    key = f"{listing.id}:{user.organization_id}"
    existing = session.execute(sa.select(Offer).where(Offer.open_key == key).with_for_update()).scalar_one_or_none()
    if existing is not None and existing.is_past_expiry(today()):
        _expire(session, existing)
        session.flush()
    elif existing is not None:
        raise Conflict(
            "Your organization already has an open offer on this listing: counter, edit or withdraw it instead.",
            slug="offer-exists",
            offer_id=existing.id,
        )
    offer = Offer(
        listing=listing,
        company_id=user.organization_id,
        university_id=listing.university_id,
        kind=kind,
        status="open",
        turn=UNIVERSITY,
        revision_number=1,
        terms=canonical,
        expires_on=expires_on,
        created_by_id=user.id,
        open_key=key,
    )
    offer.revisions.append(
        OfferRevision(number=1, kind="offer", side=COMPANY, author_id=user.id, terms=canonical, message=message,
                      expires_on=expires_on)
    )
    session.add(offer)
    session.flush()
    audit.record(session, "offer.create", offer,
                 changes={"listing_id": listing.id, "kind": kind, "terms": canonical, "expires_on": expires_on})
    _tell(session, offer, UNIVERSITY, kind="offer_received",
          title=f"New {_kind_label(offer)} on “{listing.title}” from {user.organization.name}",
          body=f"{user.name} ({user.organization.name}) made a {_kind_label(offer)}; it is open until "
               f"{expires_on.isoformat()}." + (f"\n\nTheir message:\n{message}" if message else ""),
          actor_id=user.id)
    return present([offer], user)[0]


def _revise(session, user, offer_id: int, action: str, *, if_match, terms: dict | None, expires_on: date | None,
            message: str | None) -> Offer:
    offer, side = _load(session, user, offer_id, lock=True)
    _guard(offer, side, user, action, if_match, etag_required=True)
    merged = offer_terms.merge(offer.terms, terms or {})
    canonical = offer_terms.validate_terms(offer.kind, merged)
    _check_terms_fit(session, offer.kind, offer.listing, offer.company, offer_terms.parse_terms(offer.kind, canonical))
    new_expiry = expires_on or offer.expires_on
    _check_expiry(new_expiry)
    changes = offer_terms.changes_between(offer.terms, canonical)
    if action == "counter" and not changes:
        raise ValidationFailed("A counter-offer changes at least one term.", errors={"terms": ["Nothing changed."]})
    if action == "edit" and not changes and new_expiry == offer.expires_on:
        raise ValidationFailed("The edit changes nothing.", errors={"terms": ["Nothing changed."]})
    if new_expiry != offer.expires_on:
        changes["expires_on"] = [offer.expires_on.isoformat(), new_expiry.isoformat()]
    OFFER_WORKFLOW.apply(offer, action)
    offer.revision_number += 1
    offer.revisions.append(
        OfferRevision(number=offer.revision_number, kind=action, side=side, author_id=user.id, terms=canonical,
                      message=message, expires_on=new_expiry)
    )
    offer.terms, offer.expires_on = canonical, new_expiry
    if action == "counter":
        offer.turn = other(side)
    _bump(offer)
    session.flush()
    audit.record(session, f"offer.{action}", offer,
                 changes={"revision": offer.revision_number, "side": side, **changes})
    changed = ", ".join(k.replace("_", " ") for k in changes) or "nothing"
    who = user.organization.name
    title = (f"Counter-offer from {who} on “{offer.listing.title}”" if action == "counter"
             else f"{who} revised its offer on “{offer.listing.title}”")
    _tell(session, offer, other(side), kind=f"offer_{action}", title=title,
          body=f"{user.name} ({who}) proposed revision {offer.revision_number}. Changed: {changed}."
               + (f"\n\nTheir message:\n{message}" if message else ""),
          actor_id=user.id)
    return present([offer], user)[0]


def counter(session, user, offer_id: int, *, if_match, terms: dict, expires_on: date | None = None,
            message: str | None = None) -> Offer:
    """The side whose turn it is answers with changed terms; the turn passes to the other side."""
    return _revise(session, user, offer_id, "counter", if_match=if_match, terms=terms, expires_on=expires_on,
                   message=message)


def edit(session, user, offer_id: int, *, if_match, terms: dict | None = None, expires_on: date | None = None,
         message: str | None = None) -> Offer:
    """The side that made the latest proposal amends it (a new revision) before the other side answers."""
    return _revise(session, user, offer_id, "edit", if_match=if_match, terms=terms, expires_on=expires_on,
                   message=message)


# ---- deciding -----------------------------------------------------------------------------------


def _listing_assets(session, offer: Offer, asset_ids: list[int]) -> list[IPAsset]:
    listed = {a.id: a for a in offer.listing.assets}
    missing = [i for i in asset_ids if i not in listed]
    if missing:
        raise Conflict(
            f"Asset {', '.join(map(str, missing))} is no longer part of the listing; counter with the listing's assets.",
            slug="asset-unlisted",
        )
    return [listed[i] for i in asset_ids]


def accept(session, user, offer_id: int, *, if_match=None) -> Offer:
    """Accept the latest terms: a License (pending payment, or active) or a SponsorshipAgreement, with invoices."""
    offer, side = _load(session, user, offer_id, lock=True)
    _guard(offer, side, user, "accept", if_match)
    parsed = offer_terms.parse_terms(offer.kind, offer.terms)
    if offer.kind == "license":
        license = licenses.create_license(
            session,
            licensor_id=offer.university_id,
            licensee_id=offer.company_id,
            assets=_listing_assets(session, offer, parsed["asset_ids"]),
            source_type="offer",
            source_id=offer.id,
            listing_id=offer.listing_id,
            terms=parsed,
        )
        # a company accepting a counter-offer learns what is taken, not by whom
        licenses.grant(session, license, reveal_conflicts=side == UNIVERSITY)
        offer.license_id = license.id
        outcome = {"license_id": license.id, "license_status": license.status}
    else:
        agreement = sponsorships.create_from_offer(session, offer, parsed)
        outcome = {"sponsorship_id": agreement.id}
    before, after = _close(offer, user, "accept")
    session.flush()
    audit.record(session, "offer.accept", offer,
                 changes={"status": [before, after], "revision": offer.revision_number, "side": side, **outcome})
    what = ("The license is active." if outcome.get("license_status") == "active"
            else "The license becomes active once the upfront fee is paid; the invoice is issued."
            if offer.kind == "license" else "The sponsorship agreement is made; the tranche invoices are issued.")
    _tell(session, offer, other(side), kind="offer_accepted",
          title=f"Offer accepted: “{offer.listing.title}”",
          body=f"{user.organization.name} accepted revision {offer.revision_number} of the {_kind_label(offer)}. {what}",
          actor_id=user.id)
    return present([offer], user)[0]


def reject(session, user, offer_id: int, *, reason: str, text: str, if_match=None) -> Offer:
    """Turn the offer down with a structured reason and an explanation; the negotiation ends."""
    offer, side = _load(session, user, offer_id, lock=True)
    _guard(offer, side, user, "reject", if_match)
    before, after = _close(offer, user, "reject")
    offer.rejection_reason, offer.rejection_text = reason, text
    session.flush()
    audit.record(session, "offer.reject", offer,
                 changes={"status": [before, after], "side": side, "reason": reason, "text": text})
    _tell(session, offer, other(side), kind="offer_rejected",
          title=f"Offer rejected: “{offer.listing.title}”",
          body=f"{user.organization.name} rejected the {_kind_label(offer)} ({reason.replace('_', ' ')}): {text}",
          actor_id=user.id)
    return present([offer], user)[0]


def withdraw(session, user, offer_id: int, *, reason: str | None = None, if_match=None) -> Offer:
    """The side that made the latest proposal takes it back; the negotiation ends."""
    offer, side = _load(session, user, offer_id, lock=True)
    _guard(offer, side, user, "withdraw", if_match)
    before, after = _close(offer, user, "withdraw")
    session.flush()
    audit.record(session, "offer.withdraw", offer, changes={"status": [before, after], "side": side, "reason": reason})
    _tell(session, offer, other(side), kind="offer_withdrawn",
          title=f"Offer withdrawn: “{offer.listing.title}”",
          body=f"{user.organization.name} withdrew its proposal." + (f" Reason: {reason}" if reason else ""),
          actor_id=user.id)
    return present([offer], user)[0]


# ---- expiry ---------------------------------------------------------------------------------------


def _expire(session, offer: Offer) -> None:
    before, after = _close(offer, None, "expire")
    audit.record(session, "offer.expire", offer, actor=None,
                 changes={"status": [before, after], "expires_on": offer.expires_on})
    for side in (COMPANY, UNIVERSITY):
        _tell(session, offer, side, kind="offer_expired", title=f"Offer expired: “{offer.listing.title}”",
              body=f"The {_kind_label(offer)} lapsed unanswered after {offer.expires_on.isoformat()}.", actor_id=None)


def expire_lapsed(session, on: date | None = None) -> list[Offer]:
    """Close open offers whose date has passed (idempotent: a second run finds none)."""
    on = on or today()
    due = list(
        session.execute(
            sa.select(Offer)
            .where(Offer.status == "open", Offer.expires_on < on)
            .options(selectinload(Offer.listing))
            .order_by(Offer.id)
            .with_for_update()
        ).scalars()
    )
    for offer in due:
        _expire(session, offer)
    session.flush()
    return due
