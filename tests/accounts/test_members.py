from datetime import timedelta

from marketplace.accounts.models import Invitation, User
from marketplace.extensions import db
from tests.helpers import assert_problem, outbox, token_from

NEW_PASSWORD = "welcome-aboard-friend"


def invite(client, email="colleague@example.org", role="member"):
    response = client.post("/api/v1/organizations/current/invitations", json={"email": email, "role": role})
    assert response.status_code == 201, response.json
    assert "token" not in response.json
    return token_from(outbox(to=email, category="invitation")[-1])


def test_manager_invites_colleague_who_joins_as_member(app, login, make_user):
    manager = make_user(kind="university")
    token = invite(login(manager))
    newcomer = app.test_client()
    response = newcomer.post("/api/v1/organizations/invitations/accept",
                             json={"token": token, "name": "New Colleague", "password": NEW_PASSWORD})
    assert response.status_code == 201, response.json
    assert response.json["user"]["role"] == "member"
    assert response.json["organization"]["id"] == manager.organization_id
    members = login(manager).get("/api/v1/organizations/current/members").json
    assert sorted(m["role"] for m in members) == ["manager", "member"]


def test_invitation_token_is_single_use(app, login, make_user):
    token = invite(login(make_user()))
    body = {"token": token, "name": "A", "password": NEW_PASSWORD}
    assert app.test_client().post("/api/v1/organizations/invitations/accept", json=body).status_code == 201
    again = app.test_client().post("/api/v1/organizations/invitations/accept", json=body)
    assert_problem(again, 422, "token")


def test_expired_invitation_is_refused(app, login, make_user):
    token = invite(login(make_user()))
    invitation = db.session.query(Invitation).one()
    invitation.expires_at = invitation.created_at - timedelta(seconds=1)
    db.session.commit()
    response = app.test_client().post("/api/v1/organizations/invitations/accept",
                                      json={"token": token, "name": "A", "password": NEW_PASSWORD})
    assert_problem(response, 422, "token")


def test_revoked_invitation_is_refused(app, login, make_user):
    c = login(make_user())
    token = invite(c)
    invitation_id = c.get("/api/v1/organizations/current/invitations").json[0]["id"]
    assert c.delete(f"/api/v1/organizations/current/invitations/{invitation_id}").status_code == 204
    assert c.get("/api/v1/organizations/current/invitations").json[0]["status"] == "revoked"
    response = app.test_client().post("/api/v1/organizations/invitations/accept",
                                      json={"token": token, "name": "A", "password": NEW_PASSWORD})
    assert_problem(response, 422, "token")


def test_inviting_an_existing_account_is_a_conflict(login, make_user):
    manager = make_user()
    other = make_user()
    response = login(manager).post("/api/v1/organizations/current/invitations", json={"email": other.email})
    assert_problem(response, 409, "email")


def test_member_cannot_invite_or_change_roles(login, make_user):
    manager = make_user()
    member = make_user(org=manager.organization, role="member")
    c = login(member)
    assert_problem(c.post("/api/v1/organizations/current/invitations", json={"email": "x@example.org"}), 403)
    assert_problem(c.patch(f"/api/v1/organizations/current/members/{manager.id}", json={"role": "member"}), 403)
    assert_problem(c.delete(f"/api/v1/organizations/current/members/{manager.id}"), 403)


def test_manager_promotes_then_last_manager_rule_holds(login, make_user):
    manager = make_user()
    member = make_user(org=manager.organization, role="member")
    c = login(manager)
    assert_problem(c.patch(f"/api/v1/organizations/current/members/{manager.id}", json={"role": "member"}), 409)
    assert_problem(c.delete(f"/api/v1/organizations/current/members/{manager.id}"), 409)
    promoted = c.patch(f"/api/v1/organizations/current/members/{member.id}", json={"role": "manager"})
    assert promoted.status_code == 200 and promoted.json["role"] == "manager"
    assert c.delete(f"/api/v1/organizations/current/members/{manager.id}").status_code == 204
    assert_problem(c.get("/api/v1/auth/me"), 401)  # the one who left is logged out


def test_removed_member_loses_access_and_tokens(app, login, make_user):
    manager = make_user()
    member = make_user(org=manager.organization, role="member")
    member_client = login(member)
    token = member_client.post("/api/v1/auth/tokens", json={"name": "t"}).json["token"]
    assert login(manager).delete(f"/api/v1/organizations/current/members/{member.id}").status_code == 204
    assert_problem(member_client.get("/api/v1/auth/me"), 401)
    assert_problem(app.test_client().get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}), 401)
    assert db.session.get(User, member.id).removed_at is not None


def test_member_may_leave(login, make_user):
    manager = make_user()
    member = make_user(org=manager.organization, role="member")
    assert login(member).delete(f"/api/v1/organizations/current/members/{member.id}").status_code == 204


def test_member_of_another_organization_is_not_found(login, make_user):
    manager = make_user()
    stranger = make_user()
    assert_problem(login(manager).patch(f"/api/v1/organizations/current/members/{stranger.id}",
                                        json={"role": "member"}), 404)


def test_manager_edits_organization_profile_and_member_cannot(login, make_user):
    manager = make_user()
    member = make_user(org=manager.organization, role="member")
    response = login(manager).patch("/api/v1/organizations/current", json={"website": "https://new.example.org"})
    assert response.status_code == 200 and response.json["website"] == "https://new.example.org"
    assert_problem(login(member).patch("/api/v1/organizations/current", json={"name": "Hijack"}), 403)


def test_public_profile_of_an_organization(client, make_org):
    org = make_org("university")
    body = client.get(f"/api/v1/organizations/{org.id}").json
    assert body["name"] == org.name and body["is_verified"] is True
    assert "rejection_reason" not in body
