"""Sessions end on the server: a copied cookie dies with logout, password changes and suspension."""

from marketplace.accounts.models import ApiToken
from marketplace.extensions import db
from tests.conftest import PASSWORD
from tests.helpers import assert_problem

NEW = "an-entirely-new-passphrase"


def copy_of(client):
    """Another browser holding a copy of ``client``'s session cookie (and its CSRF token)."""
    other = client.application.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    other.csrf_token = client.csrf_token
    return other


def bearer(app, secret: str):
    return app.test_client().get("/api/v1/auth/me", headers={"Authorization": f"Bearer {secret}"})


def test_a_copy_of_the_session_cookie_stops_working_after_logout(login, make_user):
    c = login(make_user())
    stolen = copy_of(c)
    assert stolen.get("/api/v1/auth/me").status_code == 200
    assert c.post("/api/v1/auth/logout").status_code == 204
    assert_problem(stolen.get("/api/v1/auth/me"), 401)
    assert_problem(stolen.post("/api/v1/auth/tokens", json={"name": "backdoor"}), 401)
    assert db.session.query(ApiToken).count() == 0


def test_logging_out_ends_only_that_session(login, make_user):
    user = make_user()
    laptop, phone = login(user), login(user)
    assert laptop.post("/api/v1/auth/logout").status_code == 204
    assert phone.get("/api/v1/auth/me").status_code == 200


def test_logging_in_again_ends_the_browsers_previous_session(login, make_user):
    user = make_user()
    c = login(user)
    before = copy_of(c)
    assert c.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}).status_code == 200
    assert_problem(before.get("/api/v1/auth/me"), 401)
    assert c.get("/api/v1/auth/me").status_code == 200


def test_password_change_ends_every_session_and_gives_the_current_browser_a_fresh_one(login, make_user):
    user = make_user()
    c, other = login(user), login(user)
    copy_before = copy_of(c)
    changed = c.post("/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": NEW})
    assert changed.status_code == 204
    assert c.get("/api/v1/auth/me").status_code == 200
    assert_problem(copy_before.get("/api/v1/auth/me"), 401)
    assert_problem(other.get("/api/v1/auth/me"), 401)


def test_password_change_revokes_api_tokens_by_default(app, login, make_user):
    c = login(make_user())
    secret = c.post("/api/v1/auth/tokens", json={"name": "CI"}).json["token"]
    assert bearer(app, secret).status_code == 200
    assert c.post("/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": NEW}).status_code == 204
    assert_problem(bearer(app, secret), 401)
    assert db.session.query(ApiToken).one().revoked_at is not None


def test_password_change_keeps_api_tokens_when_asked(app, login, make_user):
    c = login(make_user())
    secret = c.post("/api/v1/auth/tokens", json={"name": "CI"}).json["token"]
    changed = c.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": NEW, "revoke_api_tokens": False},
    )
    assert changed.status_code == 204
    assert bearer(app, secret).status_code == 200
    assert db.session.query(ApiToken).one().revoked_at is None


def test_password_change_by_a_bearer_client_hands_out_no_session_cookie(app, login, make_user):
    c = login(make_user())
    secret = c.post("/api/v1/auth/tokens", json={"name": "CI"}).json["token"]
    changed = app.test_client().post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": NEW, "revoke_api_tokens": False},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert changed.status_code == 204
    assert "Set-Cookie" not in changed.headers
    assert_problem(c.get("/api/v1/auth/me"), 401)


def test_suspension_ends_sessions_and_reactivation_does_not_bring_them_back(admin_client, login, make_user):
    user = make_user()
    c = login(user)
    assert admin_client.post(f"/api/v1/admin/users/{user.id}/suspend", json={"reason": "Spam"}).status_code == 200
    assert_problem(c.get("/api/v1/auth/me"), 401)
    assert admin_client.post(f"/api/v1/admin/users/{user.id}/reactivate").status_code == 200
    assert_problem(c.get("/api/v1/auth/me"), 401)
    assert login(user).get("/api/v1/auth/me").status_code == 200


def test_reading_with_a_session_writes_nothing(app, login, make_user):
    from sqlalchemy import event

    c = login(make_user())
    writes = []

    def record(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("SELECT", "BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE", "ROLLBACK")):
            writes.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert c.get("/api/v1/auth/me").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert writes == []


def test_password_reset_ends_sessions_and_revokes_api_tokens_unless_kept(app, client, login, make_user):
    from tests.helpers import outbox, token_from

    revoking, keeping = make_user(), make_user()
    for user, keep in ((revoking, None), (keeping, False)):
        c = login(user)
        secret = c.post("/api/v1/auth/tokens", json={"name": "CI"}).json["token"]
        client.post("/api/v1/auth/password-reset", json={"email": user.email})
        body = {"token": token_from(outbox(to=user.email)[0]), "new_password": NEW}
        if keep is not None:
            body["revoke_api_tokens"] = keep
        assert client.post("/api/v1/auth/password-reset/confirm", json=body).status_code == 204
        assert_problem(c.get("/api/v1/auth/me"), 401)
        assert bearer(app, secret).status_code == (200 if keep is False else 401)
