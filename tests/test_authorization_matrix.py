"""Every endpoint x every role -> the expected status. Later packages add their rows.

Roles: ``anonymous``; ``member`` and ``manager`` of a verified company; ``uni_manager`` of a
verified university; ``admin``. Paths may name objects of the world built below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

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


@dataclass
class Row:
    method: str
    path: str
    expected: dict[str, int]
    json: dict | None = None


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
    # notifications
    Row("GET", "/api/v1/notifications", signed_in(200)),
    Row("GET", "/api/v1/notifications/unread-count", signed_in(200)),
    Row("POST", "/api/v1/notifications/read-all", signed_in(204)),
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
]


@pytest.fixture
def world(app, make_org, make_user, admin, login):
    """Organizations, people and objects the rows refer to, with a client per role."""
    company = make_org("company")
    manager = make_user(org=company, role="manager")
    member = make_user(org=company, role="member")
    uni_manager = make_user(kind="university")
    pending = make_org("university", verified=False)
    target = make_user(kind="startup")
    clients = {
        A: app.test_client(),
        M: login(member),
        G: login(manager),
        U: login(uni_manager),
        D: login(admin),
    }
    member_token_id = clients[M].post("/api/v1/auth/tokens", json={"name": "m"}).json["id"]
    invitation = clients[G].post("/api/v1/organizations/current/invitations", json={"email": "invitee@example.org"})
    saved_search = clients[M].post("/api/v1/saved-searches", json={"name": "Mine", "criteria": {"q": "ink"}})
    ids = {
        "company_id": company.id,
        "pending_id": pending.id,
        "member_id": member.id,
        "target_user_id": target.id,
        "member_token_id": member_token_id,
        "invitation_id": invitation.json["id"],
        "saved_search_id": saved_search.json["id"],
    }
    return clients, ids


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.method} {r.path}")
@pytest.mark.parametrize("role", ROLES)
def test_authorization_matrix(world, row, role):
    clients, ids = world
    response = clients[role].open(row.path.format(**ids), method=row.method, json=row.json)
    assert response.status_code == row.expected[role], (role, response.get_data(as_text=True))


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

