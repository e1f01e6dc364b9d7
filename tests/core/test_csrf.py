from tests.conftest import PASSWORD
from tests.helpers import assert_problem


def test_cookie_session_unsafe_request_without_csrf_token_is_refused(client, make_user):
    user = make_user()
    client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    client.csrf_token = None  # behave like a forged cross-site form
    body = assert_problem(client.post("/api/v1/auth/tokens", json={"name": "x"}), 403)
    assert "CSRF" in body["detail"]


def test_cookie_session_with_wrong_csrf_token_is_refused(client, make_user):
    user = make_user()
    client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    client.csrf_token = "forged"
    assert_problem(client.post("/api/v1/auth/tokens", json={"name": "x"}), 403)


def test_cookie_session_with_csrf_token_is_accepted(login, make_user):
    assert login(make_user()).post("/api/v1/auth/tokens", json={"name": "x"}).status_code == 201


def test_safe_requests_need_no_csrf_token(client, make_user):
    user = make_user()
    client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    client.csrf_token = None
    assert client.get("/api/v1/auth/me").status_code == 200


def test_csrf_token_rotates_on_login(client, make_user):
    user = make_user()
    first = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}).json["csrf_token"]
    second = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}).json["csrf_token"]
    assert first != second
