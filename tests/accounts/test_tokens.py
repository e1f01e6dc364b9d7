from marketplace.accounts.models import ApiToken
from marketplace.extensions import db
from tests.helpers import assert_problem


def test_token_is_shown_once_stored_hashed_and_works_as_bearer(app, login, make_user):
    c = login(make_user())
    created = c.post("/api/v1/auth/tokens", json={"name": "CI script"})
    assert created.status_code == 201
    secret = created.json["token"]
    assert secret.startswith("mkt_")
    stored = db.session.get(ApiToken, created.json["id"])
    assert stored.token_hash != secret and secret not in stored.token_hash
    listed = c.get("/api/v1/auth/tokens").json
    assert [t["name"] for t in listed] == ["CI script"] and "token" not in listed[0]
    bearer = app.test_client()
    me = bearer.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200 and me.json["user"]["id"] == stored.user_id
    assert me.json["csrf_token"] is None and "Set-Cookie" not in me.headers


def test_bearer_requests_need_no_csrf_token(app, login, make_user):
    c = login(make_user())
    secret = c.post("/api/v1/auth/tokens", json={"name": "bot"}).json["token"]
    bot = app.test_client()
    response = bot.post("/api/v1/auth/tokens", json={"name": "another"}, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 201


def test_revoked_token_stops_working_at_once(app, login, make_user):
    c = login(make_user())
    created = c.post("/api/v1/auth/tokens", json={"name": "tmp"}).json
    assert c.delete(f"/api/v1/auth/tokens/{created['id']}").status_code == 204
    response = app.test_client().get("/api/v1/auth/me", headers={"Authorization": f"Bearer {created['token']}"})
    assert_problem(response, 401)


def test_invalid_bearer_token_is_401(client):
    assert_problem(client.get("/api/v1/auth/me", headers={"Authorization": "Bearer mkt_nonsense"}), 401)


def test_expired_token_is_refused(app, login, make_user):
    c = login(make_user())
    created = c.post("/api/v1/auth/tokens", json={"name": "short", "expires_in_days": 1}).json
    token = db.session.get(ApiToken, created["id"])
    token.expires_at = token.created_at
    db.session.commit()
    assert_problem(app.test_client().get("/api/v1/auth/me", headers={"Authorization": f"Bearer {created['token']}"}), 401)


def test_cannot_revoke_someone_elses_token(login, make_user):
    owner, other = login(make_user()), login(make_user())
    token_id = owner.post("/api/v1/auth/tokens", json={"name": "mine"}).json["id"]
    assert_problem(other.delete(f"/api/v1/auth/tokens/{token_id}"), 404)


def test_token_name_is_required(login, make_user):
    assert_problem(login(make_user()).post("/api/v1/auth/tokens", json={}), 422, "name")
