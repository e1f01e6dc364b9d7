"""Buying a listing's express license: a non-exclusive License plus its invoice, activated when paid.

The purchase creates the License (draft -> pending_payment) and an invoice through the payments
public API; at most one purchase per buyer and listing is open (a unique index). Payments tells
licensing what happened through its signals (it imports neither ip nor listings), and licensing's
receivers (``ip.licenses.receivers``) apply it on its one path for paid licenses
(``ip.licenses.upfront``): paid -> active (conflict check included; a license that can no longer
start gets its card payment refunded); a failed or cancelled payment leaves it pending and the
invoice payable again; a full refund or a void terminates it.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import User
from marketplace.accounts.services import active_members
from marketplace.core import audit
from marketplace.core.db import utcnow
from marketplace.core.errors import Conflict, Forbidden
from marketplace.ip.licenses import services as licensing
from marketplace.ip.licenses.models import License
from marketplace.listings.models import Listing
from marketplace.listings.services import visible_listing
from marketplace.notifications.services import tell
from marketplace.payments import api as payments

SOURCE = "express_license"
BUYER_KINDS = ("company", "startup")
PAYMENT_DAYS = 14


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (clamped to the month's last day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def purchase(session, buyer: User, listing_id: int) -> tuple[License, object]:
    """A verified company (or startup) buys the listing's express license: the license and its invoice."""
    org = buyer.organization
    if org is None or org.kind not in BUYER_KINDS:
        raise Forbidden("Only companies and startups buy express licenses.")
    if not org.is_verified:
        raise Forbidden("Your organization must be verified by an administrator first.")
    listing: Listing = visible_listing(session, buyer, listing_id)
    offer = listing.express_license
    if listing.status != "published" or offer is None or not offer.is_active:
        raise Conflict("This listing offers no express license to buy.")
    existing = _open_purchase(session, org.id, listing.id)
    if existing is not None:
        return _answer_again(session, existing)

    start = utcnow().date()
    license = License(
        licensor_id=listing.university_id,
        licensee_id=org.id,
        source_type=SOURCE,
        source_id=offer.id,
        listing_id=listing.id,
        exclusivity="non_exclusive",
        fields=list(offer.fields),
        territories=list(offer.territories),
        start_date=start,
        end_date=add_months(start, offer.term_months) - timedelta(days=1),
        currency=offer.currency,
        upfront_fee_amount=offer.price_amount,
        reporting_period="annual",
    )
    license.assets = list(listing.assets)
    try:
        with session.begin_nested():
            session.add(license)
            session.flush()
    except IntegrityError:
        # A simultaneous purchase by the same organization committed first (the unique index
        # waited for it): answer with that one.
        existing = _open_purchase(session, org.id, listing.id)
        if existing is None:
            raise
        return _answer_again(session, existing)
    licensing.ensure_no_conflict(session, license, statuses=licensing.HOLDING)
    licensing.LICENSE_WORKFLOW.apply(license, "request_payment")
    invoice = payments.issue_invoice(
        session,
        org,
        listing.university_id,
        offer.price_amount,
        offer.currency,
        SOURCE,
        license.id,
        f"Express license: {listing.title}",
        start + timedelta(days=PAYMENT_DAYS),
        actor=buyer,
    )
    license.upfront_invoice_id = invoice.id  # so the license's money (paid, outstanding, overdue) counts it
    audit.record(
        session,
        "license.express_purchase",
        license,
        changes={"listing_id": listing.id, "invoice_id": invoice.id, "amount": offer.price_amount,
                 "currency": offer.currency},
    )
    _tell(session, license, "express_license_purchased",
          f"Express license for {listing.title!r} ordered by {org.name}",
          f"{org.name} ordered the express license of {listing.title!r}; it becomes active once invoice "
          f"{invoice.id} is paid.")
    return license, invoice


def _open_purchase(session, organization_id: int, listing_id: int) -> License | None:
    """The organization's open purchase of the listing's express license (active first, then the oldest)."""
    return session.execute(
        sa.select(License)
        .where(
            License.source_type == SOURCE,
            License.listing_id == listing_id,
            License.licensee_id == organization_id,
            License.status.in_(("pending_payment", "active")),
        )
        .order_by(sa.case((License.status == "active", 0), else_=1), License.id)
        .limit(1)
    ).scalar_one_or_none()


def _answer_again(session, existing: License) -> tuple[License, object]:
    """Ordering again: the unpaid order is returned as it is; a license in force is a conflict."""
    if existing.status == "active":
        raise Conflict(f"Your organization already holds this express license (license {existing.id}).",
                       slug="express-license-held")
    invoice = payments.invoices_by_id(session, [existing.upfront_invoice_id]).get(existing.upfront_invoice_id) or next(
        (i for i in reversed(payments.find_invoices(session, SOURCE, existing.id)) if not payments.is_void(i)), None
    )
    if invoice is None:
        raise Conflict(f"Your organization's order of this express license (license {existing.id}) has no payable "
                       "invoice; ask the university to void it and order again.", slug="express-license-ordered")
    return existing, invoice


def _tell(session, license: License, kind: str, subject: str, message: str) -> None:
    """The licensee's and the licensor's managers hear of it, in the app and by email."""
    people = active_members(session, license.licensee_id, managers_only=True) + active_members(
        session, license.licensor_id, managers_only=True
    )
    link = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + f"/licenses/{license.id}"
    tell(session, people, kind=kind, title=subject, body=message, link=link, data={"license_id": license.id})
