from marketplace.core.audit import AuditEvent
from marketplace.extensions import db
from tests.helpers import assert_problem, outbox


def test_admin_verifies_a_pending_organization_and_managers_are_emailed(admin_client, make_user):
    manager = make_user(org=None, kind="university")
    org = manager.organization
    org.verification_status, org.verified_at = "pending", None
    db.session.commit()
    response = admin_client.post(f"/api/v1/admin/organizations/{org.id}/verify")
    assert response.status_code == 200
    assert response.json["verification_status"] == "verified" and response.json["verified_at"]
    assert outbox(to=manager.email, category="organization_verified")
    event = db.session.query(AuditEvent).filter_by(action="organization.verify").one()
    assert event.changes == {"verification_status": ["pending", "verified"]}


def test_verifying_twice_is_an_illegal_transition(admin_client, make_org):
    org = make_org("company", verified=True)
    body = assert_problem(admin_client.post(f"/api/v1/admin/organizations/{org.id}/verify"), 409)
    assert body["allowed_actions"] == ["reject"]


def test_admin_rejects_with_reason_which_members_see(admin_client, login, make_user):
    manager = make_user(kind="startup")
    response = admin_client.post(f"/api/v1/admin/organizations/{manager.organization_id}/reject",
                                 json={"reason": "Website does not match"})
    assert response.json["verification_status"] == "rejected"
    me = login(manager).get("/api/v1/auth/me").json
    assert me["organization"]["rejection_reason"] == "Website does not match"


def test_reject_needs_a_reason(admin_client, make_org):
    assert_problem(admin_client.post(f"/api/v1/admin/organizations/{make_org().id}/reject", json={}), 422, "reason")


def test_admin_lists_and_filters_organizations(admin_client, make_org):
    make_org("university", verified=False)
    make_org("company")
    page = admin_client.get("/api/v1/admin/organizations?verification_status=pending").json
    assert page["total"] == 1 and page["items"][0]["kind"] == "university"
    assert page["items"][0]["member_count"] == 0


def test_suspension_stops_sessions_and_tokens_at_once_and_reactivation_restores(app, admin_client, login, make_user):
    user = make_user()
    session_client = login(user)
    token = session_client.post("/api/v1/auth/tokens", json={"name": "t"}).json["token"]
    response = admin_client.post(f"/api/v1/admin/users/{user.id}/suspend", json={"reason": "Spam"})
    assert response.status_code == 200 and response.json["is_active"] is False
    assert_problem(session_client.get("/api/v1/auth/me"), 401)
    bearer = {"Authorization": f"Bearer {token}"}
    assert_problem(app.test_client().get("/api/v1/auth/me", headers=bearer), 401)
    assert_problem(admin_client.post(f"/api/v1/admin/users/{user.id}/suspend", json={"reason": "again"}), 409)
    assert admin_client.post(f"/api/v1/admin/users/{user.id}/reactivate").status_code == 200
    assert app.test_client().get("/api/v1/auth/me", headers=bearer).status_code == 200
    login(user)


def test_admin_cannot_suspend_themselves(admin_client, admin):
    assert_problem(admin_client.post(f"/api/v1/admin/users/{admin.id}/suspend", json={"reason": "x"}), 409)


def test_admin_lists_users_and_audit_trail(admin_client, make_user):
    user = make_user(name="Findable Person")
    users = admin_client.get("/api/v1/admin/users?q=findable").json
    assert [u["id"] for u in users["items"]] == [user.id]
    admin_client.post(f"/api/v1/admin/users/{user.id}/suspend", json={"reason": "Spam"})
    trail = admin_client.get(f"/api/v1/admin/audit-events?object_type=user&object_id={user.id}").json
    assert trail["items"][0]["action"] == "user.suspend"
    assert trail["items"][0]["changes"] == {"reason": "Spam"}


def test_company_user_cannot_use_admin_endpoints(login, make_user):
    c = login(make_user(kind="company"))
    assert_problem(c.get("/api/v1/admin/organizations"), 403)
    assert_problem(c.post("/api/v1/admin/users/1/suspend", json={"reason": "x"}), 403)


def test_unknown_organization_is_404(admin_client):
    assert_problem(admin_client.post("/api/v1/admin/organizations/999999/verify"), 404)
