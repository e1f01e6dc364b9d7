"""Every endpoint x every role -> the expected status. Later packages add their rows.

Roles: ``anonymous``; ``member`` and ``manager`` of a verified company; ``uni_manager`` of a
verified university (which owns the IP assets and listings of the world); ``admin``. Paths may
name objects of the world built below.
"""

from __future__ import annotations

import re
from datetime import date
from dataclasses import dataclass

import pytest

from marketplace.extensions import db
from tests.deals import authorization as deals
from tests.incubator.world import incubator_ids

A, M, G, U, D = "anonymous", "member", "manager", "uni_manager", "admin"
ROLES = (A, M, G, U, D)


def every(status: int, **overrides: int) -> dict[str, int]:
    table = dict.fromkeys(ROLES, status)
    table.update({role: s for role, s in overrides.items()})
    return table


def signed_in(status: int, **overrides: int) -> dict[str, int]:
    return every(status, anonymous=401, **overrides)


def admins_only(status: int) -> dict[str, int]:
    return every(403, anonymous=401, admin=status)


def staff_only(status: int) -> dict[str, int]:
    """Only the (verified) university's staff."""
    return every(403, anonymous=401, uni_manager=status)


def insiders(status: int, outsiders: int = 404) -> dict[str, int]:
    """The owning university's staff and admins; everyone else gets ``outsiders``."""
    return every(outsiders, uni_manager=status, admin=status)


@dataclass
class Row:
    method: str
    path: str
    expected: dict[str, int]
    json: dict | None = None
    headers: dict | None = None


NEW_LISTING = {"title": "Self-healing polymer coating", "summary": "A coating that repairs its own scratches.",
               "trl": 4, "development_stage": "prototype", "fields": ["CH.COAT"]}


ROWS: list[Row] = [
    # auth
    Row("GET", "/api/v1/auth/me", signed_in(200)),
    Row("POST", "/api/v1/auth/logout", signed_in(204)),
    Row("GET", "/api/v1/auth/tokens", signed_in(200)),
    Row("POST", "/api/v1/auth/tokens", signed_in(201), {"name": "x"}),
    Row("DELETE", "/api/v1/auth/tokens/{member_token_id}", signed_in(404, member=204)),
    Row("POST", "/api/v1/auth/password", signed_in(422), {"current_password": "wrong-password", "new_password": "x"}),
    Row("POST", "/api/v1/auth/password-reset", every(202), {"email": "someone@example.org"}),
    # own organization
    Row("GET", "/api/v1/organizations/current", signed_in(200, admin=403)),
    Row("PATCH", "/api/v1/organizations/current", signed_in(200, member=403, admin=403), {"description": "New"}),
    Row("GET", "/api/v1/organizations/current/members", signed_in(200, admin=403)),
    Row("PATCH", "/api/v1/organizations/current/members/{member_id}", signed_in(404, member=403, manager=200, admin=403),
        {"role": "member"}),
    Row("DELETE", "/api/v1/organizations/current/members/{member_id}", signed_in(404, member=204, manager=204, admin=403)),
    Row("GET", "/api/v1/organizations/current/invitations", signed_in(200, member=403, admin=403)),
    Row("POST", "/api/v1/organizations/current/invitations", signed_in(201, member=403, admin=403),
        {"email": "new.person@example.org"}),
    Row("DELETE", "/api/v1/organizations/current/invitations/{invitation_id}",
        signed_in(404, member=403, manager=204, admin=403)),
    Row("GET", "/api/v1/organizations/{company_id}", every(200)),
    # outgoing webhooks: the organization's managers (the endpoint is the company's)
    Row("GET", "/api/v1/webhooks/endpoints", signed_in(200, member=403, admin=403)),
    Row("POST", "/api/v1/webhooks/endpoints", signed_in(201, member=403, admin=403),
        {"url": "https://hooks.example.org/in", "event_types": ["listing.published"]}),
    Row("GET", "/api/v1/webhooks/endpoints/{webhook_endpoint_id}", signed_in(404, member=403, manager=200, admin=403)),
    Row("PATCH", "/api/v1/webhooks/endpoints/{webhook_endpoint_id}", signed_in(404, member=403, manager=200, admin=403),
        {"description": "CRM"}),
    Row("DELETE", "/api/v1/webhooks/endpoints/{webhook_endpoint_id}",
        signed_in(404, member=403, manager=204, admin=403)),
    Row("GET", "/api/v1/webhooks/endpoints/{webhook_endpoint_id}/deliveries",
        signed_in(404, member=403, manager=200, admin=403)),
    Row("POST", "/api/v1/webhooks/deliveries/{webhook_delivery_id}/redeliver",
        signed_in(404, member=403, manager=202, admin=403)),
    # notifications
    Row("GET", "/api/v1/notifications", signed_in(200)),
    Row("GET", "/api/v1/notifications/unread-count", signed_in(200)),
    Row("POST", "/api/v1/notifications/read-all", signed_in(204)),
    Row("GET", "/api/v1/auth/me/reminder-preferences", signed_in(200)),
    Row("PUT", "/api/v1/auth/me/reminder-preferences", signed_in(200), {"muted": ["invoice_overdue"]}),
    # search and saved searches
    Row("GET", "/api/v1/search/listings", every(200)),
    Row("GET", "/api/v1/saved-searches", signed_in(200)),
    Row("POST", "/api/v1/saved-searches", signed_in(201), {"name": "Graphene", "criteria": {"q": "graphene"}}),
    Row("GET", "/api/v1/saved-searches/{saved_search_id}", signed_in(404, member=200)),
    Row("PATCH", "/api/v1/saved-searches/{saved_search_id}", signed_in(404, member=200), {"name": "Renamed"}),
    Row("DELETE", "/api/v1/saved-searches/{saved_search_id}", signed_in(404, member=204)),
    # admin
    Row("GET", "/api/v1/admin/organizations", admins_only(200)),
    Row("GET", "/api/v1/admin/organizations/{company_id}", admins_only(200)),
    Row("POST", "/api/v1/admin/organizations/{pending_id}/verify", admins_only(200)),
    Row("POST", "/api/v1/admin/organizations/{pending_id}/reject", admins_only(200), {"reason": "No"}),
    Row("GET", "/api/v1/admin/users", admins_only(200)),
    Row("POST", "/api/v1/admin/users/{target_user_id}/suspend", admins_only(200), {"reason": "Spam"}),
    Row("POST", "/api/v1/admin/users/{target_user_id}/reactivate", admins_only(409)),
    Row("GET", "/api/v1/admin/audit-events", admins_only(200)),
    # IP register
    Row("GET", "/api/v1/ip/assets", staff_only(200)),
    Row("POST", "/api/v1/ip/assets", staff_only(201), {"kind": "software", "title": "Image pipeline"}),
    Row("GET", "/api/v1/ip/assets/{asset_id}", staff_only(200)),
    Row("PATCH", "/api/v1/ip/assets/{asset_id}", staff_only(200), {"title": "Renamed asset"}),
    Row("DELETE", "/api/v1/ip/assets/{spare_asset_id}", staff_only(204)),
    # listings
    Row("GET", "/api/v1/listings", every(200)),
    Row("POST", "/api/v1/listings", staff_only(201), NEW_LISTING),
    Row("GET", "/api/v1/listings/technology-fields", every(200)),
    Row("GET", "/api/v1/listings/{published_id}", every(200)),
    Row("GET", "/api/v1/listings/{draft_id}", insiders(200)),
    Row("GET", "/api/v1/listings/by-slug/{published_slug}", every(200)),
    Row("GET", "/api/v1/listings/by-slug/{draft_slug}", insiders(200)),
    Row("PATCH", "/api/v1/listings/{draft_id}", staff_only(200), {"keywords": ["coating"]}, {"If-Match": '"v1"'}),
    Row("DELETE", "/api/v1/listings/{draft_id}", staff_only(204)),
    Row("GET", "/api/v1/listings/{draft_id}/history", insiders(200, outsiders=404) | {A: 401}),
    Row("GET", "/api/v1/listings/{published_id}/history", insiders(200, outsiders=403) | {A: 401}),
    Row("POST", "/api/v1/listings/{draft_id}/submit", staff_only(200)),
    Row("POST", "/api/v1/listings/{published_id}/archive", staff_only(200)),
    Row("POST", "/api/v1/listings/{in_review_id}/approve", admins_only(200)),
    Row("POST", "/api/v1/listings/{in_review_id}/request-changes", admins_only(200), {"reason": "Add results"}),
    Row("POST", "/api/v1/listings/{published_id}/suspend", admins_only(200), {"reason": "Misleading claims"}),
    Row("POST", "/api/v1/listings/{suspended_id}/reinstate", admins_only(200)),
    Row("POST", "/api/v1/listings/{published_id}/flags", signed_in(201), {"category": "spam", "text": "Advertising"}),
    Row("POST", "/api/v1/listings/{published_id}/express-license/purchase", signed_in(409, uni_manager=403, admin=403)),
    # moderation
    Row("GET", "/api/v1/admin/moderation-queue", admins_only(200)),
    Row("GET", "/api/v1/admin/flags", admins_only(200)),
    Row("POST", "/api/v1/admin/flags/{flag_id}/resolve", admins_only(200), {"note": "Corrected by the TTO"}),
    Row("POST", "/api/v1/admin/flags/{flag_id}/dismiss", admins_only(200)),
    # invoices (the company pays the university); paying a void invoice is refused before Stripe is called
    Row("GET", "/api/v1/invoices", signed_in(200)),
    Row("GET", "/api/v1/invoices/{invoice_id}", signed_in(200)),
    Row("POST", "/api/v1/invoices/{void_invoice_id}/pay", signed_in(409, uni_manager=403, admin=403), {},
        {"Idempotency-Key": "matrix-key-0001"}),
    Row("POST", "/api/v1/invoices/{invoice_id}/refresh", signed_in(200)),
    Row("POST", "/api/v1/invoices/{invoice_id}/refunds", signed_in(409, member=403, manager=403), {"reason": "Returned"}),
    Row("POST", "/api/v1/invoices/{invoice_id}/settle", signed_in(200, member=403, manager=403),
        {"reference": "SEPA-1", "settled_on": "2025-01-10"}),
    Row("POST", "/api/v1/invoices/{invoice_id}/void", admins_only(200), {"reason": "Issued twice"}),
    # payments: Stripe Connect (university managers), webhook (signature only), ledger
    Row("GET", "/api/v1/payments/connect", signed_in(403, uni_manager=200)),
    Row("POST", "/api/v1/payments/connect/onboarding-link", signed_in(403, uni_manager=201)),
    Row("POST", "/api/v1/payments/connect/refresh", signed_in(403, uni_manager=409)),
    Row("POST", "/api/v1/payments/stripe/webhook", every(400)),
    Row("GET", "/api/v1/payments/ledger", signed_in(200, admin=403)),
    Row("GET", "/api/v1/payments/balances", signed_in(200, admin=403)),
    Row("GET", "/api/v1/admin/platform-revenue", admins_only(200)),
    Row("GET", "/api/v1/admin/payouts", admins_only(200)),
    Row("POST", "/api/v1/admin/payouts", admins_only(409),
        {"organization_id": "{company_id}", "amount": 100, "currency": "EUR", "reference": "WIRE-1", "paid_on": "2025-01-10"}),
    Row("GET", "/api/v1/admin/payouts/due", admins_only(200)),
]
DEAL_ROWS = deals.rows(Row)
ROWS += DEAL_ROWS

# incubator: every object is another organization's to these roles (tests/incubator has its own matrix)
INC = "/api/v1/incubator"


def outsiders(status: int) -> dict[str, int]:
    """What callers outside an incubator get: ``status`` when signed in, 403 for an admin without organization."""
    return every(status, anonymous=401, admin=403)


ROWS += [
    Row("GET", f"{INC}/programs", outsiders(200)),
    Row("POST", f"{INC}/programs", outsiders(403), {"name": "Program", "currency": "EUR"}),
    Row("GET", f"{INC}/programs/{{inc_program_id}}", outsiders(200)),
    Row("PATCH", f"{INC}/programs/{{inc_program_id}}", outsiders(404), {"name": "Renamed"}),
    Row("POST", f"{INC}/programs/{{inc_program_id}}/cohorts", outsiders(404),
        {"name": "Cohort", "starts_on": "2030-01-01", "ends_on": "2030-06-01", "capacity": 3,
         "applications_open_at": "2029-01-01T00:00:00Z", "applications_close_at": "2029-06-01T00:00:00Z"}),
    Row("GET", f"{INC}/cohorts", outsiders(200)),
    Row("GET", f"{INC}/cohorts/{{inc_cohort_id}}", outsiders(200)),
    Row("PATCH", f"{INC}/cohorts/{{inc_cohort_id}}", outsiders(404), {"name": "Renamed"}),
    *(Row("POST", f"{INC}/cohorts/{{inc_cohort_id}}/{action}", outsiders(404))
      for action in ("open", "close", "start", "graduate")),
    Row("GET", f"{INC}/cohorts/{{inc_cohort_id}}/applications", outsiders(404)),
    Row("POST", f"{INC}/cohorts/{{inc_cohort_id}}/applications", outsiders(403), {"pitch": "Hello"}),
    Row("GET", f"{INC}/applications", outsiders(200)),
    Row("GET", f"{INC}/applications/{{inc_application_id}}", outsiders(404)),
    Row("PATCH", f"{INC}/applications/{{inc_application_id}}", outsiders(404), {"pitch": "Better"}),
    *(Row("POST", f"{INC}/applications/{{inc_application_id}}/{action}", outsiders(404))
      for action in ("submit", "withdraw", "accept", "waitlist", "reject")),
    Row("POST", f"{INC}/applications/{{inc_application_id}}/reviewers", outsiders(404), {"user_id": 1}),
    Row("DELETE", f"{INC}/applications/{{inc_application_id}}/reviewers/{{inc_staff_id}}", outsiders(404)),
    Row("GET", f"{INC}/applications/{{inc_application_id}}/reviews", outsiders(404)),
    Row("PUT", f"{INC}/applications/{{inc_application_id}}/review", outsiders(404),
        {"scores": [{"criterion_id": 1, "score": 3}]}),
    Row("GET", f"{INC}/cohorts/{{inc_cohort_id}}/ranking", outsiders(404)),
    Row("GET", f"{INC}/cohorts/{{inc_cohort_id}}/members", outsiders(404)),
    Row("GET", f"{INC}/members/{{inc_member_id}}", outsiders(404)),
    Row("POST", f"{INC}/members/{{inc_member_id}}/mentors", outsiders(404), {"user_id": 1}),
    Row("DELETE", f"{INC}/members/{{inc_member_id}}/mentors/{{inc_staff_id}}", outsiders(404)),
    Row("GET", f"{INC}/members/{{inc_member_id}}/licenses", outsiders(404)),
    Row("GET", f"{INC}/members/{{inc_member_id}}/invoices", outsiders(404)),
    Row("GET", f"{INC}/members/{{inc_member_id}}/milestones", outsiders(404)),
    Row("POST", f"{INC}/members/{{inc_member_id}}/milestones", outsiders(404), {"title": "T", "due_on": "2030-01-01"}),
    Row("PATCH", f"{INC}/milestones/{{inc_milestone_id}}", outsiders(404), {"title": "Renamed"}),
    Row("POST", f"{INC}/milestones/{{inc_milestone_id}}/evidence", outsiders(404), {"evidence": "Done"}),
    Row("POST", f"{INC}/milestones/{{inc_milestone_id}}/confirm", outsiders(404)),
    Row("POST", f"{INC}/milestones/{{inc_milestone_id}}/miss", outsiders(404)),
    Row("GET", f"{INC}/members/{{inc_member_id}}/kpi-reports", outsiders(404)),
    Row("POST", f"{INC}/members/{{inc_member_id}}/kpi-reports", outsiders(404),
        {"period_start": "2030-01-01", "period_end": "2030-01-31", "revenue_amount": 1, "headcount": 1,
         "customers": 1, "burn_amount": 1}),
    Row("PATCH", f"{INC}/kpi-reports/{{inc_kpi_report_id}}", outsiders(404), {"customers": 2}),
    Row("GET", f"{INC}/cohorts/{{inc_cohort_id}}/dashboard", outsiders(404)),
    Row("GET", f"{INC}/cohorts/{{inc_cohort_id}}/dashboard.csv", outsiders(404)),
]


@pytest.fixture
def world(app, make_org, make_user, admin, make_asset, make_listing, monkeypatch):
    """Organizations, people and objects the rows refer to, and the person acting in each role."""
    from marketplace.accounts import services as accounts
    from marketplace.core.transaction import commit
    from marketplace.listings.models import ListingFlag
    from marketplace.payments.services import create_invoice, void_invoice
    from tests.payments.stripe_fakes import StripeStub

    # Stripe Connect calls are answered by the stub, from Stripe's example objects.
    monkeypatch.setitem(app.config, "STRIPE_HTTP_CLIENT", StripeStub())

    company = make_org("company")
    manager = make_user(org=company, role="manager")
    member = make_user(org=company, role="member")
    uni_manager = make_user(kind="university")
    university = uni_manager.organization
    asset = make_asset(university)
    draft = make_listing(university, "draft", assets=[asset])
    published = make_listing(university, "published")
    in_review = make_listing(university, "in_review")
    suspended = make_listing(university, "suspended")
    pending = make_org("university", verified=False)
    target = make_user(kind="startup")
    flag = ListingFlag(listing_id=published.id, reporter_user_id=target.id, category="inaccurate", text="Wrong TRL")
    db.session.add(flag)
    member_token, _ = accounts.create_api_token(db.session, member, name="m", expires_in_days=None)
    invitation, _ = accounts.invite(db.session, manager, email="invitee@example.org", role="member")
    invoices = [
        create_invoice(db.session, company, university, 10_000, "EUR", "royalty", f"r-{n}", "Royalty", date(2030, 1, 1))
        for n in range(2)
    ]
    void_invoice(db.session, admin, invoices[1].id, "Issued twice")
    from marketplace.search.services import create_saved_search

    saved_search = create_saved_search(db.session, member, name="Mine", criteria={"q": "ink"})
    from marketplace.jobs.webhooks.models import WebhookDelivery, WebhookEndpoint

    # nothing listens on port 9: a redelivery fails at once and is logged
    endpoint = WebhookEndpoint(organization_id=company.id, url="http://127.0.0.1:9/hook", secret="whsec_dGVzdA==",
                               event_types=["listing.published"])
    delivery = WebhookDelivery(endpoint=endpoint, message_id="msg_1", event_type="listing.published",
                               payload={"type": "listing.published"}, status="failed")
    db.session.add(delivery)
    commit(db.session)
    people = {A: None, M: member, G: manager, U: uni_manager, D: admin}
    ids = {
        "company_id": company.id,
        "pending_id": pending.id,
        "member_id": member.id,
        "target_user_id": target.id,
        "member_token_id": member_token.id,
        "invitation_id": invitation.id,
        "asset_id": asset.id,
        "spare_asset_id": make_asset(university).id,
        "draft_id": draft.id,
        "draft_slug": draft.slug,
        "published_id": published.id,
        "published_slug": published.slug,
        "in_review_id": in_review.id,
        "suspended_id": suspended.id,
        "flag_id": flag.id,
        "invoice_id": invoices[0].id,
        "void_invoice_id": invoices[1].id,
        "saved_search_id": saved_search.id,
        "webhook_endpoint_id": endpoint.id,
        "webhook_delivery_id": delivery.id,
    }
    ids["people"] = {"company_member": member, "company_manager": manager, "uni_manager": uni_manager}
    ids.update(incubator_ids(make_org, make_user))
    return people, ids


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.method} {r.path}")
@pytest.mark.parametrize("role", ROLES)
def test_authorization_matrix(app, login, world, row, role):
    people, ids = world
    if row in DEAL_ROWS:
        ids = {**ids, **deals.build(deals.placeholders(row), **ids["people"])}
    c = app.test_client() if people[role] is None else login(people[role])
    response = c.open(row.path.format(**ids), method=row.method, json=deals.fill(row.json, ids), headers=row.headers)
    assert response.status_code == row.expected[role], (role, response.get_data(as_text=True))


PATCH_ROWS = [(row, next(role for role in ROLES if row.expected[role] == 200))
              for row in ROWS if row.method == "PATCH" and 200 in row.expected.values()]


@pytest.mark.parametrize("row, role", PATCH_ROWS, ids=lambda x: getattr(x, "path", x))
def test_a_patch_without_any_field_is_422_for_whoever_may_edit(app, login, world, row, role):
    people, ids = world
    response = login(people[role]).patch(row.path.format(**ids), json={}, headers=row.headers)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"


def test_every_patch_endpoint_is_walked_with_an_empty_body(app):
    """Offers keep their own check (an edit that changes nothing is 422 after If-Match; tests/deals)."""
    walked = {re.sub(r"\{[^}]+\}", "{}", row.path) for row, _ in PATCH_ROWS}
    walked.add("/api/v1/offers/{}")
    walked |= {re.sub(r"\{[^}]+\}", "{}", f"{INC}/{p}") for p in
               ("programs/{p}", "cohorts/{c}", "applications/{a}", "milestones/{m}", "kpi-reports/{k}")}
    patches = {re.sub(r"<[^>]+>", "{}", rule.rule) for rule in app.url_map.iter_rules() if "PATCH" in rule.methods}
    assert patches - walked == set()


def test_every_api_endpoint_has_a_row(app):
    covered = {(row.method, re.sub(r"\{[^}]+\}", "{}", row.path)) for row in ROWS}
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule.endswith("openapi.json"):
            continue
        path = re.sub(r"<[^>]+>", "{}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            entry = f"{method} {rule.rule}"
            if (method, path) not in covered and entry not in EXEMPT:
                missing.append(entry)
    assert missing == []


EXEMPT = {
    # public flows exercised end to end in their own tests (they need a valid secret to succeed)
    "POST /api/v1/auth/register",
    "POST /api/v1/auth/login",
    "POST /api/v1/auth/password-reset/confirm",
    "POST /api/v1/organizations/invitations/accept",
    "POST /api/v1/notifications/<int:notification_id>/read",
}

