"""A university with a published listing on two assets, a company and a startup that deal with it,
and a third company that must see nothing of their deals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from marketplace.core.db import utcnow
from marketplace.listings.models import Listing


def today() -> date:
    return utcnow().date()


def days(n: int) -> str:
    """An ISO date ``n`` days from today."""
    return (today() + timedelta(days=n)).isoformat()


@dataclass
class World:
    university: object
    company: object
    listing: Listing
    assets: list
    uni_manager: object
    uni_member: object
    company_manager: object
    company_member: object
    outsider: object
    uni: object  # clients
    uni_staff: object
    buyer: object
    buyer_staff: object
    third: object
    anonymous: object


@pytest.fixture
def deal_listing(make_listing, make_asset):
    """``deal_listing(university, status="published", *, assets=None, **overrides)``: a listing on two
    IP assets (a granted patent and software) that invites license and sponsored-research offers."""

    def make(university, status: str = "published", *, assets=None, **overrides) -> Listing:
        if assets is None:
            assets = [make_asset(university, kind="patent", status="granted", patent_number=None),
                      make_asset(university, kind="software", application_number=None, jurisdiction=None)]
        return make_listing(university, status, assets=assets, **overrides)

    return make


@pytest.fixture
def world(app, make_org, make_user, deal_listing, login) -> World:
    university = make_org("university")
    company = make_org("company")
    uni_manager = make_user(org=university, role="manager")
    uni_member = make_user(org=university, role="member")
    company_manager = make_user(org=company, role="manager")
    company_member = make_user(org=company, role="member")
    outsider = make_user(kind="company", role="manager")
    listing = deal_listing(university, contact_user_id=uni_member.id)
    return World(
        university=university,
        company=company,
        listing=listing,
        assets=list(listing.assets),
        uni_manager=uni_manager,
        uni_member=uni_member,
        company_manager=company_manager,
        company_member=company_member,
        outsider=outsider,
        uni=login(uni_manager),
        uni_staff=login(uni_member),
        buyer=login(company_manager),
        buyer_staff=login(company_member),
        third=login(outsider),
        anonymous=app.test_client(),
    )


def license_terms(world: World, **overrides) -> dict:
    terms = {
        "asset_ids": [a.id for a in world.assets],
        "exclusivity": "exclusive",
        "fields": ["LS.DIAG"],
        "territories": ["US"],
        "start_date": days(-400),
        "end_date": days(3000),
        "currency": "USD",
        "upfront_fee_amount": 0,
        "royalty_rate_bps": 300,
        "minimum_annual_royalty_amount": 0,
        "reporting_period": "quarterly",
    }
    terms.update(overrides)
    return terms


def sponsorship_terms(**overrides) -> dict:
    terms = {
        "currency": "EUR",
        "total_amount": 300_000_00,
        "tranches": [
            {"due_date": days(10), "amount": 100_000_00},
            {"due_date": days(190), "amount": 100_000_00},
            {"due_date": days(370), "amount": 100_000_00},
        ],
        "start_date": days(10),
        "duration_months": 24,
        "deliverables": ["Prototype assay", "Validation report"],
        "ip_ownership": "university",
    }
    terms.update(overrides)
    return terms


def make_offer(world: World, kind: str = "license", terms: dict | None = None, *, expires_in: int = 30, client=None):
    """Create an offer through the API as the company's manager; returns the response."""
    if terms is None:
        terms = license_terms(world) if kind == "license" else sponsorship_terms()
    response = (client or world.buyer).post(
        "/api/v1/offers",
        json={"listing_id": world.listing.id, "kind": kind, "terms": terms, "expires_on": days(expires_in),
              "message": "We would like to license this."},
    )
    return response
