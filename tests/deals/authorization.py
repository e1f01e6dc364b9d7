"""Authorization-matrix rows for the deal and licensing endpoints, and the objects they name.

The matrix's company (its ``member`` and ``manager``) deals with the ``uni_manager``'s university:
an inquiry, an NDA request, an open license offer, a license with a milestone and a royalty report,
and a sponsorship agreement, all on listing A; listing B is free for new offers and NDA requests.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

from marketplace.core.db import utcnow
from marketplace.deals.inquiries import services as inquiries
from marketplace.deals.ndas import services as ndas
from marketplace.deals.offers import services as offers
from marketplace.extensions import db
from marketplace.deals.offers import terms as offer_terms
from marketplace.ip.licenses import reports, royalties
from marketplace.ip.licenses import services as licenses
from marketplace.ip.models import IPAsset
from marketplace.listings.models import Listing

A, M, G, U, D = "anonymous", "member", "manager", "uni_manager", "admin"


def _every(status, **overrides):
    table = dict.fromkeys((A, M, G, U, D), status)
    table.update(overrides)
    return table


def parties(status, **overrides):
    """Members of the company and the university; admins have no organization (403)."""
    return _every(status, anonymous=401, admin=403, **overrides)


def university_only(status, company=403):
    return parties(status, member=company, manager=company)


def company_only(status, university=403):
    return parties(status, uni_manager=university)


def rows(Row):
    """The rows, built with the matrix's own ``Row`` class."""
    license_terms = {"royalty_rate_bps": 900}
    lines = {"period_start": "{second_period}", "lines": [{"territory": "US", "net_sales_amount": 1000, "units": 1}]}
    return [
        # inquiries
        Row("GET", "/api/v1/inquiries", parties(200)),
        Row("POST", "/api/v1/inquiries", company_only(201),
            {"listing_id": "{listing_b}", "subject": "Question", "message": "Hello"}),
        Row("GET", "/api/v1/inquiries/unread-count", parties(200)),
        Row("GET", "/api/v1/inquiries/{inquiry_id}", parties(200)),
        Row("GET", "/api/v1/inquiries/{inquiry_id}/messages", parties(200)),
        Row("POST", "/api/v1/inquiries/{inquiry_id}/messages", parties(201), {"body": "Thanks"}),
        Row("POST", "/api/v1/inquiries/{inquiry_id}/read", parties(200)),
        # confidential details and NDAs
        Row("GET", "/api/v1/listings/{listing_a}/confidential-details", _every(200)),
        Row("PUT", "/api/v1/listings/{listing_a}/confidential-details", university_only(200),
            {"text": "Secret", "nda_title": "NDA", "nda_version": "2"}),
        Row("DELETE", "/api/v1/listings/{listing_a}/confidential-details", university_only(204)),
        Row("GET", "/api/v1/nda-requests", parties(200)),
        Row("POST", "/api/v1/nda-requests", company_only(201),
            {"listing_id": "{listing_b}", "nda_version": "1", "agree": True}),
        Row("GET", "/api/v1/nda-requests/{nda_request_id}", parties(200)),
        Row("POST", "/api/v1/nda-requests/{nda_request_id}/accept", university_only(200)),
        Row("POST", "/api/v1/nda-requests/{nda_request_id}/decline", university_only(200), {"reason": "No"}),
        # offers: the company proposed, so the university answers and the company may edit or withdraw
        Row("GET", "/api/v1/offers", parties(200)),
        Row("POST", "/api/v1/offers", company_only(201, university=403) | {M: 403},
            {"listing_id": "{listing_b}", "kind": "license", "terms": "{listing_b_terms}", "expires_on": "{in_30_days}"}),
        Row("GET", "/api/v1/offers/{offer_id}", parties(200)),
        Row("PATCH", "/api/v1/offers/{offer_id}", parties(428, member=403, uni_manager=409), {"terms": license_terms}),
        Row("GET", "/api/v1/offers/{offer_id}/revisions", parties(200)),
        Row("POST", "/api/v1/offers/{offer_id}/counter", parties(428, member=403, manager=409), {"terms": license_terms}),
        Row("POST", "/api/v1/offers/{offer_id}/accept", parties(200, member=403, manager=409)),
        Row("POST", "/api/v1/offers/{offer_id}/reject", parties(200, member=403, manager=409),
            {"reason": "price", "text": "Too low"}),
        Row("POST", "/api/v1/offers/{offer_id}/withdraw", parties(200, member=403, uni_manager=409), {}),
        Row("GET", "/api/v1/sponsorships", parties(200)),
        Row("GET", "/api/v1/sponsorships/{sponsorship_id}", parties(200)),
        # licenses
        Row("GET", "/api/v1/licenses", parties(200)),
        Row("GET", "/api/v1/licenses/late-royalty-reports", parties(200)),
        Row("GET", "/api/v1/licenses/{license_id}", parties(200)),
        Row("POST", "/api/v1/licenses/{license_id}/terminate", university_only(200), {"reason": "Breach"}),
        Row("GET", "/api/v1/licenses/{license_id}/milestones", parties(200)),
        Row("POST", "/api/v1/licenses/{license_id}/milestones/{milestone_id}/reach", company_only(200),
            {"evidence": "Approval letter"}),
        Row("POST", "/api/v1/licenses/{license_id}/milestones/{milestone_id}/confirm", university_only(200)),
        Row("GET", "/api/v1/licenses/{license_id}/royalty-reports", parties(200)),
        Row("POST", "/api/v1/licenses/{license_id}/royalty-reports", company_only(201), lines),
        Row("GET", "/api/v1/licenses/{license_id}/royalty-reports/{report_id}", parties(200)),
        # availability and statistics
        Row("GET", "/api/v1/listings/{listing_a}/availability", _every(200)),
        Row("GET", "/api/v1/ip/assets/{listed_asset_id}/availability", _every(200)),
        Row("GET", "/api/v1/listings/{listing_a}/stats", _every(403, anonymous=401, uni_manager=200, admin=200)),
    ]


def _listing(university, title: str) -> Listing:
    listing = Listing(
        university_id=university.id, slug=f"matrix-{title.lower()}-{university.id}", title=f"Listing {title}",
        summary="Summary", trl=5, development_stage="prototype", opportunity_types=["license", "sponsored_research"],
        status="published", published_at=utcnow(),
    )
    listing.assets = [IPAsset(university_id=university.id, kind="patent", title=f"Patent {title}", status="granted")]
    db.session.add(listing)
    return listing


def placeholders(row) -> set[str]:
    """The world's values a row names in its path and body."""
    return set(re.findall(r"\{(\w+)\}", row.path + json.dumps(row.json or {})))


def _license_terms(listing: Listing, today) -> dict:
    return {"asset_ids": [listing.assets[0].id], "exclusivity": "non_exclusive", "fields": ["LS.DIAG"],
            "territories": ["US"], "start_date": (today - timedelta(days=400)).isoformat(),
            "end_date": (today + timedelta(days=2000)).isoformat(), "currency": "USD", "royalty_rate_bps": 300,
            "reporting_period": "quarterly",
            "milestones": [{"name": "First sale", "amount": 5000, "trigger": "First sale"}]}


def build(needs: set[str], *, company_member, company_manager, uni_manager) -> dict:
    """Create only the deal objects ``needs`` names; returns their ids to fill paths and bodies with."""
    session = db.session
    university = uni_manager.organization
    today = utcnow().date()
    expires = today + timedelta(days=30)
    listings = {"A": _listing(university, "A")}
    if needs & {"listing_b", "listing_b_terms"}:
        listings["B"] = _listing(university, "B")
    session.flush()
    for listing in listings.values():
        ndas.set_confidential(session, uni_manager, listing.id, text="Secret data", document_names=["Data.pdf"],
                              nda_title="NDA", nda_version="1")
    listing_a = listings["A"]
    ids = {"listing_a": listing_a.id, "listed_asset_id": listing_a.assets[0].id, "in_30_days": expires.isoformat()}
    if "B" in listings:
        ids.update(listing_b=listings["B"].id, listing_b_terms=_license_terms(listings["B"], today))
    if "inquiry_id" in needs:
        ids["inquiry_id"] = inquiries.open_inquiry(session, company_member, listing_id=listing_a.id, subject="Hi",
                                                   message="Hello").id
    if "nda_request_id" in needs:
        ids["nda_request_id"] = ndas.request_nda(session, company_member, listing_id=listing_a.id, nda_version="1",
                                                 agree=True, message=None).id
    if "offer_id" in needs:
        ids["offer_id"] = offers.create_offer(session, company_manager, listing_id=listing_a.id, kind="license",
                                              terms=_license_terms(listing_a, today), expires_on=expires).id
    if needs & {"license_id", "milestone_id", "report_id", "second_period"}:
        terms = offer_terms.parse_terms("license", offer_terms.validate_terms("license", _license_terms(listing_a, today)))
        license = licenses.create_license(session, licensor_id=university.id, licensee_id=company_member.organization_id,
                                          assets=list(listing_a.assets), source_type="offer", source_id=None,
                                          listing_id=listing_a.id, terms=terms)
        licenses.grant(session, license)
        ids.update(license_id=license.id, milestone_id=license.milestones[0].id,
                   second_period=royalties.reporting_periods(license.start_date, None, "quarterly", today)[1]
                   .start.isoformat())
        if "report_id" in needs:
            ids["report_id"] = reports.submit(session, company_member, license.id, period_start=license.start_date,
                                              lines=[{"territory": "US", "net_sales_amount": 100_000, "units": 10}]).id
    if "sponsorship_id" in needs:
        start = (today + timedelta(days=10)).isoformat()
        research = offers.create_offer(session, company_manager, listing_id=listing_a.id, kind="sponsored_research",
                                       terms={"currency": "EUR", "total_amount": 10_000,
                                              "tranches": [{"due_date": start, "amount": 10_000}], "start_date": start,
                                              "duration_months": 12, "deliverables": ["Report"],
                                              "ip_ownership": "joint"},
                                       expires_on=expires)
        offers.accept(session, uni_manager, research.id)
        ids["sponsorship_id"] = research.sponsorship.id
    session.commit()
    return ids


def fill(value, ids: dict):
    """A row's body with ``"{name}"`` placeholders replaced by the world's values."""
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
        return ids[value[1:-1]]
    return value
