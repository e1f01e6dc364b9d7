"""Saved-search alerts: when a listing is published, run each alert-enabled saved search against
that listing only; notify in-app at once and email a digest at most once a day per saved search."""

from __future__ import annotations

import logging
from datetime import timedelta

import marshmallow as ma
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import contains_eager

from marketplace.accounts.models import User
from marketplace.core.db import utcnow
from marketplace.core.errors import ValidationFailed
from marketplace.listings.models import Listing
from marketplace.notifications.services import notify, queue_email
from marketplace.search.backends import get_backend
from marketplace.search.models import SavedSearch, SavedSearchMatch
from marketplace.search.query import SearchQuery, build_query
from marketplace.search.schemas import CriteriaSchema

log = logging.getLogger(__name__)

DIGEST_INTERVAL = timedelta(days=1)


def saved_query(saved: SavedSearch) -> SearchQuery | None:
    """The saved search's query, or None when its criteria are no longer valid (e.g. a retired field)."""
    try:
        return build_query(CriteriaSchema().load(saved.criteria))
    except (ma.ValidationError, ValidationFailed) as exc:
        log.warning("saved search %s has invalid criteria, skipped: %s", saved.id, exc)
        return None


def alert_on_published(session, listing_ids) -> int:
    """Record and announce the matches of newly published listings; returns how many matched."""
    listings = (
        session.execute(sa.select(Listing).where(Listing.id.in_(list(listing_ids)), Listing.status == "published"))
        .scalars()
        .all()
    )
    if not listings:
        return 0
    searches = (
        session.execute(
            sa.select(SavedSearch)
            .join(User, User.id == SavedSearch.user_id)
            .where(SavedSearch.alerts_enabled, User.suspended_at.is_(None), User.removed_at.is_(None))
            .options(contains_eager(SavedSearch.user))
            .order_by(SavedSearch.id)
        )
        .scalars()
        .all()
    )
    candidates = [(saved, q) for saved in searches if (q := saved_query(saved)) is not None]
    if not candidates:
        return 0
    backend = get_backend()
    matched = 0
    for listing in listings:
        # The publishing university's own people need no alert about their own listing.
        mine = [(saved, q) for saved, q in candidates if saved.user.organization_id != listing.university_id]
        for (saved, _), is_match in zip(mine, backend.matches(session, listing.id, [q for _, q in mine])):
            if is_match and _record_match(session, saved, listing):
                matched += 1
    session.flush()
    return matched


def _record_match(session, saved: SavedSearch, listing: Listing) -> bool:
    exists = session.execute(
        sa.select(SavedSearchMatch.id).where(
            SavedSearchMatch.saved_search_id == saved.id, SavedSearchMatch.listing_id == listing.id
        )
    ).first()
    if exists:
        return False  # announced already (the event was drained before)
    session.add(SavedSearchMatch(saved_search_id=saved.id, listing_id=listing.id))
    session.flush()
    notify(
        session,
        saved.user_id,
        kind="saved_search.match",
        title=f"New listing for your saved search “{saved.name}”",
        body=listing.title,
        data={"saved_search_id": saved.id, "listing_id": listing.id, "listing_slug": listing.slug},
    )
    now = utcnow()
    if saved.last_emailed_at is None or now - saved.last_emailed_at >= DIGEST_INTERVAL:
        send_digest(session, saved, now)
    return True


def send_digest(session, saved: SavedSearch, now=None) -> bool:
    """Email the saved search's owner the listings matched since the last digest; False if none."""
    now = now or utcnow()
    rows = session.execute(
        sa.select(SavedSearchMatch, Listing)
        .join(Listing, Listing.id == SavedSearchMatch.listing_id)
        .where(SavedSearchMatch.saved_search_id == saved.id, SavedSearchMatch.emailed_at.is_(None))
        .order_by(SavedSearchMatch.id)
    ).all()
    if not rows:
        return False
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    lines = [f"New listings match your saved search “{saved.name}”:", ""]
    for match, listing in rows:
        match.emailed_at = now
        if listing.status == "published":
            lines.append(f"- {listing.title}\n  {base}/listings/{listing.slug}")
    saved.last_emailed_at = now
    if len(lines) > 2:
        lines += [
            "",
            "You receive at most one such email a day per saved search. Turn alerts off in your saved searches.",
        ]
        queue_email(
            session,
            to=saved.user.email,
            subject=f"New listings for “{saved.name}”",
            body="\n".join(lines),
            category="saved_search_digest",
        )
    session.flush()
    return len(lines) > 2


def send_due_digests(session, now=None) -> int:
    """Send the digests of saved searches with matches not yet emailed whose last one is a day old."""
    now = now or utcnow()
    pending = sa.select(SavedSearchMatch.saved_search_id).where(SavedSearchMatch.emailed_at.is_(None))
    searches = (
        session.execute(
            sa.select(SavedSearch).where(
                SavedSearch.id.in_(pending),
                SavedSearch.alerts_enabled,
                sa.or_(SavedSearch.last_emailed_at.is_(None), SavedSearch.last_emailed_at <= now - DIGEST_INTERVAL),
            )
        )
        .scalars()
        .all()
    )
    return sum(send_digest(session, saved, now) for saved in searches)
