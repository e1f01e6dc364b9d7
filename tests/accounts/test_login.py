import pytest

from marketplace.core.audit import AuditEvent
from marketplace.extensions import db
from tests.conftest import PASSWORD
from tests.helpers import assert_problem


def test_login_sets_session_and_me_shows_user_organization_and_verification(client, make_user):
    user = make_user(kind="university")
    response = client.post("/api/v1/auth/login", json={"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 200
    session_cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    me = client.get("/api/v1/auth/me").json
    assert me["user"]["id"] == user.id
    assert me["organization"]["kind"] == "university"
    assert me["organization"]["verification_status"] == "verified"
    assert me["csrf_token"]


def test_wrong_password_and_unknown_email_answer_the_same(client, make_user):
    user = make_user()
    wrong = client.post("/api/v1/auth/login", json={"email": user.email, "password": "not-the-password"})
    unknown = client.post("/api/v1/auth/login", json={"email": "nobody@example.org", "password": "not-the-password"})
    assert_problem(wrong, 401)
    assert_problem(unknown, 401)
    assert wrong.json == unknown.json


def test_me_without_login_is_401_problem(client):
    assert_problem(client.get("/api/v1/auth/me"), 401)


def test_logout_ends_the_session(login, make_user):
    c = login(make_user())
    assert c.post("/api/v1/auth/logout").status_code == 204
    assert_problem(c.get("/api/v1/auth/me"), 401)


def test_login_is_rate_limited_per_account(app, client, make_user):
    user = make_user()
    for _ in range(5):
        client.post("/api/v1/auth/login", json={"email": user.email, "password": "wrong-password-x"})
    response = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    body = assert_problem(response, 429)
    assert int(response.headers["Retry-After"]) >= 1
    assert "Too many" in body["detail"]


def test_login_is_rate_limited_per_ip(app, client):
    app.config["LOGIN_RATE_LIMIT_PER_IP"] = "3 per minute"
    try:
        statuses = [
            client.post("/api/v1/auth/login", json={"email": f"x{i}@example.org", "password": "whatever-123"}).status_code
            for i in range(4)
        ]
    finally:
        app.config["LOGIN_RATE_LIMIT_PER_IP"] = "30 per minute"
    assert statuses == [401, 401, 401, 429]


def test_suspended_user_cannot_log_in(client, make_user):
    from marketplace.core.db import utcnow

    user = make_user(suspended_at=utcnow())
    assert_problem(client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}), 403)


def test_login_is_audited(client, make_user):
    user = make_user()
    client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    event = db.session.query(AuditEvent).filter_by(action="user.login").one()
    assert event.actor_user_id == user.id and event.object_id == str(user.id)


@pytest.mark.parametrize("payload,field", [({"email": "a@b.org"}, "password"), ({"password": "x"}, "email")])
def test_login_needs_email_and_password(client, payload, field):
    assert_problem(client.post("/api/v1/auth/login", json=payload), 422, field)
