"""Availability of a listing's (or an asset's) IP for new licenses, and a listing's performance."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa

from marketplace.core.db import utcnow
from marketplace.core.errors import Forbidden, NotFound, ValidationFailed
from marketplace.deals.inquiries.models import Inquiry
from marketplace.deals.ndas.models import NDA_STATUSES, NDARequest
from marketplace.deals.offers.models import OFFER_STATUSES, Offer
from marketplace.deals.parties import visible_listing
from marketplace.deals.sponsorships.models import SponsorshipAgreement
from marketplace.deals import billing
from marketplace.ip.licenses import portfolio
from marketplace.ip.licenses import services as licenses
from marketplace.ip.licenses.models import LICENSE_STATUSES, License
from marketplace.ip.models import IPAsset
from marketplace.listings.models import Listing, listing_assets
from marketplace.listings.view_counts import views_between

MAX_STATS_DAYS = 3 * 366
DEFAULT_STATS_DAYS = 30


def _public_taken(result: dict) -> dict:
    """Availability without the license ids: who holds what is not public, what is taken is."""
    taken = [{k: v for k, v in entry.items() if k != "license_id"} for entry in result["taken"]]
    return {**result, "taken": taken}


def listing_availability(session, user, listing_id: int) -> dict:
    """What is still open on a listing's assets for an exclusive license, and what is taken until when."""
    listing = visible_listing(session, user, listing_id)
    result = licenses.availability(session, list(listing.assets))
    return {"listing_id": listing.id, "asset_ids": [a.id for a in listing.assets], **_public_taken(result)}


def asset_availability(session, user, asset_id: int) -> dict:
    """The same for one asset: visible when a published listing shows it, to its university and to admins."""
    asset = session.get(IPAsset, asset_id)
    if asset is None:
        raise NotFound("No such IP asset.")
    insider = user is not None and (user.is_admin or user.organization_id == asset.university_id)
    if not insider:
        published = session.execute(
            sa.select(
                sa.exists()
                .where(listing_assets.c.asset_id == asset.id, listing_assets.c.listing_id == Listing.id)
                .where(Listing.status == "published")
            )
        ).scalar()
        if not published:
            raise NotFound("No such IP asset.")
    return {"asset_ids": [asset.id], **_public_taken(licenses.availability(session, [asset]))}


def _period(start: date | None, end: date | None) -> tuple[date, date]:
    end = end or utcnow().date()
    start = start or end - timedelta(days=DEFAULT_STATS_DAYS - 1)
    if start > end:
        raise ValidationFailed("The period starts after it ends.", errors={"start": ["After the end."]})
    if (end - start).days >= MAX_STATS_DAYS:
        raise ValidationFailed("Choose a period of at most three years.", errors={"start": ["Too long a period."]})
    return start, end


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (datetime.combine(start, time.min, timezone.utc), datetime.combine(end + timedelta(days=1), time.min, timezone.utc))


def _count_by(session, column, status_column, where) -> dict[str, int]:
    rows = session.execute(sa.select(status_column, sa.func.count(column)).where(*where).group_by(status_column))
    return dict(rows.all())


def listing_stats(session, user, listing_id: int, *, start: date | None = None, end: date | None = None) -> dict:
    """How a listing performed from ``start`` to ``end`` (both included; the last 30 days by default):
    views, inquiries, NDA requests, offers by state, licenses and agreements made, money received."""
    listing = visible_listing(session, user, listing_id)
    if not (user.is_admin or user.organization_id == listing.university_id):
        raise Forbidden("Only the listing's university sees its statistics.")
    start, end = _period(start, end)
    since, until = _bounds(start, end)
    today = utcnow().date()

    inquiries = session.execute(
        sa.select(sa.func.count(Inquiry.id)).where(
            Inquiry.listing_id == listing.id, Inquiry.created_at >= since, Inquiry.created_at < until
        )
    ).scalar_one()
    ndas = _count_by(session, NDARequest.id, NDARequest.status,
                     [NDARequest.listing_id == listing.id, NDARequest.created_at >= since, NDARequest.created_at < until])
    lapsed = sa.and_(Offer.status == "open", Offer.expires_on < today)
    offer_state = sa.case((lapsed, "expired"), else_=Offer.status)
    offers = _count_by(session, Offer.id, offer_state,
                       [Offer.listing_id == listing.id, Offer.created_at >= since, Offer.created_at < until])
    made = _count_by(session, License.id, License.status,
                     [License.listing_id == listing.id, License.created_at >= since, License.created_at < until])
    agreements = session.execute(
        sa.select(sa.func.count(SponsorshipAgreement.id)).where(
            SponsorshipAgreement.listing_id == listing.id,
            SponsorshipAgreement.created_at >= since,
            SponsorshipAgreement.created_at < until,
        )
    ).scalar_one()
    return {
        "listing_id": listing.id,
        "start": start,
        "end": end,
        "views": views_between(session, listing.id, start, end),
        "inquiries": inquiries,
        "nda_requests": {"total": sum(ndas.values()), **{s: ndas.get(s, 0) for s in NDA_STATUSES}},
        "offers": {"total": sum(offers.values()), **{s: offers.get(s, 0) for s in OFFER_STATUSES}},
        "licenses": {"total": sum(made.values()), **{s: made.get(s, 0) for s in LICENSE_STATUSES if s != "draft"}},
        "sponsorships": agreements,
        "money_received": billing.received(session, _listing_invoice_ids(session, listing.id), since, until),
    }


def _listing_invoice_ids(session, listing_id: int) -> list[int]:
    """Every invoice of the licenses and agreements that came from the listing."""
    licenses_of = list(session.execute(sa.select(License).where(License.listing_id == listing_id)).scalars())
    ids = [i for values in portfolio.invoice_ids(session, licenses_of).values() for i in values]
    agreements = session.execute(
        sa.select(SponsorshipAgreement).where(SponsorshipAgreement.listing_id == listing_id)
    ).scalars()
    ids.extend(t.invoice_id for a in agreements for t in a.tranches if t.invoice_id is not None)
    return ids
