"""The served spec says what the API does: query parameters, nullable fields, 409 problems, ranking
scores, offer terms and country codes (issue 11, "The spec tells the truth")."""

from __future__ import annotations

import re
from datetime import date

import pytest
import schemathesis
import sqlalchemy as sa

from marketplace.accounts.models import Organization, User
from marketplace.accounts.seed import DEMO_PASSWORD
from marketplace.core.db import Base
from marketplace.extensions import db
from tests.helpers import assert_problem

SPEC = "/api/v1/openapi.json"


@pytest.fixture
def spec(client) -> dict:
    return client.get(SPEC).json


@pytest.fixture
def demo(app):
    """The demo data (what ``flask seed-demo`` loads)."""
    from marketplace.cli import SEEDERS

    for _name, seeder in SEEDERS:
        seeder(db.session)
        db.session.commit()


def _login(app, email: str):
    client = app.test_client()
    assert client.post("/api/v1/auth/login", json={"email": email, "password": DEMO_PASSWORD}).status_code == 200
    return client


#: path parameter -> (model, extra condition) that gives a demo object its caller can see
def _path_values() -> dict[str, int]:
    from marketplace.deals.inquiries.models import Inquiry
    from marketplace.incubator.models import Cohort, CohortMember
    from marketplace.listings.models import Listing

    first = lambda stmt: db.session.execute(stmt.limit(1)).scalar_one()  # noqa: E731
    return {
        "listing_id": first(sa.select(Listing.id).where(Listing.status == "published").order_by(Listing.id)),
        "inquiry_id": first(sa.select(Inquiry.id).order_by(Inquiry.id)),
        "cohort_id": first(sa.select(Cohort.id).where(Cohort.status == "running")),
        "member_id": first(sa.select(CohortMember.id).order_by(CohortMember.id)),
    }


def _operations(spec: dict, method: str = "get"):
    for path, item in spec["paths"].items():
        if method in item:
            yield path, item[method]


def test_every_api_operation_answers_422_to_an_unknown_query_parameter(app, demo, spec):
    """A parameter the operation does not take (a typo, ``q`` on the listings) is named in a 422,
    never silently ignored: every GET operation of the spec, called as someone who may call it."""
    clients = [app.test_client()] + [_login(app, email) for email in (
        "admin@demo.marketplace", "bd@helixbio.com", "tto@northbridge.edu", "programs@harbor-incubator.org",
        "founder@quantaleaf.io")]
    values = _path_values()
    unreachable, ignored = [], []
    for path, operation in _operations(spec):
        names = re.findall(r"{(\w+)}", path)
        if any(name not in values for name in names):
            continue
        url = path.format(**values)
        caller = next((c for c in clients if c.get(url).status_code == 200), None)
        if caller is None:
            unreachable.append(path)
            continue
        response = caller.get(url, query_string={"no_such_parameter": "1"})
        if response.status_code != 422 or "no_such_parameter" not in response.json.get("errors", {}):
            ignored.append((path, response.status_code))
    assert ignored == []
    assert unreachable == []
    listings = app.test_client().get("/api/v1/listings", query_string={"q": "graphene"})
    assert_problem(listings, 422, "q")


def test_every_list_endpoint_takes_one_query_schema_with_its_pagination(spec):
    """Paginated lists document ``page`` and ``page_size`` beside their filters (one schema each)."""
    lists = [(path, op) for path, op in _operations(spec)
             if "items" in str(op["responses"].get("200", {})) or any(p["name"] == "page" for p in op.get("parameters", []))]
    assert len(lists) >= 20
    for path, operation in lists:
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        if "page" in names:
            assert "page_size" in names, path
            assert len(names) == len(set(names)), path


# ---- nullable fields --------------------------------------------------------------------------

#: response schemas and the model whose nullable columns they show (by attribute name)
RESPONSE_MODELS = {
    "Organization": "Organization", "PublicOrganization": "Organization", "AdminOrganization": "Organization",
    "User": "User", "AdminUser": "User", "ApiToken": "ApiToken", "ApiTokenCreated": "ApiToken",
    "PublicAsset": "IPAsset", "Asset": "IPAsset", "Invoice": "Invoice", "Payment": "Payment", "Refund": "Refund",
    "License": "License", "Milestone": "LicenseMilestone", "RoyaltyReport": "RoyaltyReport", "Offer": "Offer",
    "Revision": "OfferRevision", "NDARequest": "NDARequest", "Sponsorship": "SponsorshipAgreement",
    "Tranche": "SponsorshipTranche", "Listing": "Listing", "ListingSummary": "Listing", "Transition": "ListingTransition",
    "AdminFlag": "ListingFlag", "SavedSearch": "SavedSearch", "Notification": "Notification",
    "AuditEvent": "AuditEvent", "Application": "Application", "CohortMember": "CohortMember",
    "CohortMilestone": "Milestone", "Payout": "Payout", "LedgerEntry": "LedgerEntry",
}


def test_every_field_that_can_be_null_is_declared_nullable(app):
    """A response field showing a nullable column is ``nullable`` in the spec (69 were not)."""
    from marketplace.extensions import api

    models = {m.class_.__name__: m for m in Base.registry.mappers}
    components = api.spec.to_dict()["components"]["schemas"]
    undeclared = []
    for schema_name, model_name in RESPONSE_MODELS.items():
        mapper = models[model_name]
        nullable = {c.key for c in mapper.column_attrs if all(col.nullable for col in c.columns)}
        properties = components[schema_name]["properties"]
        for name, prop in properties.items():
            column = prop.get("x-attribute", name)
            if column in nullable and not prop.get("nullable") and "anyOf" not in prop:
                undeclared.append(f"{schema_name}.{name}")
    assert undeclared == []


def test_a_bearer_client_is_told_its_csrf_token_is_null_as_the_spec_says(app, make_user, client, spec):
    from marketplace.accounts.services import create_api_token

    user = make_user()
    _, secret = create_api_token(db.session, user, name="script", expires_in_days=None)
    db.session.commit()
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200 and me.json["csrf_token"] is None and me.json["user"]["last_login_at"] is None
    operation = schemathesis.openapi.from_dict(spec)["/api/v1/auth/me"]["GET"]
    operation.validate_response(me)


# ---- 409 problems -----------------------------------------------------------------------------


def test_conflict_problems_are_declared_on_every_write(spec):
    conflict = spec["components"]["schemas"]["ConflictProblem"]["properties"]
    for member in ("current_state", "allowed_actions", "awaiting", "conflicts", "nda_request_id"):
        assert member in conflict
    for path, item in spec["paths"].items():
        for method in ("post", "put", "patch", "delete"):
            if method in item:
                assert item[method]["responses"]["409"] == {"$ref": "#/components/responses/CONFLICT"}, (method, path)


def test_an_illegal_transition_answers_the_declared_conflict_problem(app, make_user, make_listing, login, spec):
    university = make_user(kind="university").organization
    listing = make_listing(university, "published")
    staff = login(make_user(org=university))
    response = staff.post(f"/api/v1/listings/{listing.id}/submit")
    body = assert_problem(response, 409)
    assert body["current_state"] == "published" and "archive" in body["allowed_actions"]
    operation = schemathesis.openapi.from_dict(spec)["/api/v1/listings/{listing_id}/submit"]["POST"]
    operation.validate_response(response)


def test_a_stale_etag_answers_the_declared_precondition_problem(app, make_user, make_listing, login, spec):
    university = make_user(kind="university").organization
    listing = make_listing(university, "draft")
    staff = login(make_user(org=university))
    response = staff.patch(f"/api/v1/listings/{listing.id}", json={"keywords": ["x"]}, headers={"If-Match": '"v99"'})
    body = assert_problem(response, 412)
    assert body["current_etag"] == '"v1"'
    schemathesis.openapi.from_dict(spec)["/api/v1/listings/{listing_id}"]["PATCH"].validate_response(response)


# ---- ranking scores -------------------------------------------------------------------------


def test_ranking_scores_are_decimal_strings_in_the_spec_and_the_answers(spec):
    ranked = spec["components"]["schemas"]["RankedApplication"]["properties"]
    for name in ("weighted_average", "spread"):
        assert ranked[name]["type"] == "string" and ranked[name]["format"] == "decimal"
        assert re.fullmatch(ranked[name]["pattern"], "3.67") and not re.fullmatch(ranked[name]["pattern"], "3.666")
    review = spec["components"]["schemas"]["Review"]["properties"]["weighted_score"]
    assert review["type"] == "string" and review["nullable"] is True


def test_the_demo_ranking_validates_against_the_spec(app, demo, spec):
    from marketplace.incubator.models import Cohort

    cohort_id = db.session.execute(sa.select(Cohort.id).where(Cohort.status != "running").limit(1)).scalar_one()
    response = _login(app, "programs@harbor-incubator.org").get(f"/api/v1/incubator/cohorts/{cohort_id}/ranking")
    assert response.status_code == 200
    assert any(isinstance(row["weighted_average"], str) for row in response.json["items"])
    schemathesis.openapi.from_dict(spec)["/api/v1/incubator/cohorts/{cohort_id}/ranking"]["GET"].validate_response(response)


# ---- offer terms, countries, royalty periods --------------------------------------------------


def test_offer_terms_are_declared_per_kind(spec):
    schemas = spec["components"]["schemas"]
    terms = schemas["OfferCreate"]["properties"]["terms"]
    assert terms["oneOf"] == [{"$ref": "#/components/schemas/LicenseTerms"},
                              {"$ref": "#/components/schemas/SponsorshipTerms"}]
    license_terms, sponsorship = schemas["LicenseTerms"], schemas["SponsorshipTerms"]
    assert set(license_terms["required"]) >= {"asset_ids", "exclusivity", "fields", "territories", "start_date",
                                              "currency"}
    assert license_terms["properties"]["exclusivity"]["enum"] == ["exclusive", "sole", "non_exclusive"]
    assert license_terms["properties"]["reporting_period"]["enum"] == ["quarterly", "semiannual", "annual"]
    assert license_terms["properties"]["milestones"]["items"] == {"$ref": "#/components/schemas/MilestoneTerms"}
    assert "WORLDWIDE" in license_terms["properties"]["territories"]["items"]["enum"]
    assert set(sponsorship["required"]) >= {"tranches", "deliverables", "ip_ownership", "total_amount"}
    assert sponsorship["properties"]["ip_ownership"]["enum"] == ["university", "sponsor", "joint"]
    assert sponsorship["properties"]["tranches"]["items"] == {"$ref": "#/components/schemas/TrancheTerms"}
    assert license_terms["additionalProperties"] is False and sponsorship["additionalProperties"] is False


def test_an_offer_built_from_the_spec_alone_is_accepted(app, make_user, make_org, make_asset, make_listing, login, spec):
    """Every required term, with values taken from the spec's enums, makes a valid offer."""
    university = make_org("university")
    asset = make_asset(university)
    listing = make_listing(university, "published", assets=[asset])
    company = login(make_user(kind="company", role="manager"))
    license_terms = spec["components"]["schemas"]["LicenseTerms"]["properties"]
    terms = {
        "asset_ids": [asset.id],
        "exclusivity": license_terms["exclusivity"]["enum"][0],
        "fields": [license_terms["fields"]["items"]["enum"][0]],
        "territories": [license_terms["territories"]["items"]["enum"][-1]],
        "start_date": date.today().isoformat(),
        "currency": license_terms["currency"]["enum"][0],
    }
    response = company.post("/api/v1/offers", json={"listing_id": listing.id, "kind": "license", "terms": terms,
                                                    "expires_on": date.today().replace(year=date.today().year + 1).isoformat()})
    assert response.status_code == 201, response.json
    schemathesis.openapi.from_dict(spec)["/api/v1/offers"]["POST"].validate_response(response)


def test_country_codes_and_royalty_periods_are_described(spec):
    schemas = spec["components"]["schemas"]
    country = schemas["OrganizationCreate"]["properties"]["country"]
    assert "US" in country["enum"] and "VN" in country["enum"] and "EU" not in country["enum"]
    assert all(re.fullmatch("[A-Z]{2}", code) for code in country["enum"])
    report = schemas["RoyaltyReportCreate"]
    assert "reporting_period" in report["description"] and "30 days" in report["description"]
    assert "start_date" in report["properties"]["period_start"]["description"]


def test_registration_with_a_country_the_spec_lists_succeeds_and_one_it_does_not_is_refused(client, spec):
    country = spec["components"]["schemas"]["OrganizationCreate"]["properties"]["country"]["enum"]
    body = {"email": "new@example.org", "password": "correct-horse-battery-9", "name": "New Person",
            "organization": {"kind": "company", "name": "Newco", "country": country[-1]}}
    assert client.post("/api/v1/auth/register", json=body).status_code == 201
    body = {**body, "email": "other@example.org", "organization": {**body["organization"], "country": "XX"}}
    assert "XX" not in country
    assert_problem(client.post("/api/v1/auth/register", json=body), 422, "organization")
    assert db.session.execute(sa.select(sa.func.count(Organization.id))).scalar() == 1
    assert db.session.execute(sa.select(sa.func.count(User.id))).scalar() == 1
