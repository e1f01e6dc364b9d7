from datetime import timedelta

from marketplace.accounts.models import PasswordResetToken
from marketplace.extensions import db
from tests.conftest import PASSWORD
from tests.helpers import assert_problem, outbox, token_from

NEW = "an-entirely-new-passphrase"


def test_password_change_needs_current_password_and_ends_other_sessions(login, make_user):
    user = make_user()
    first, second = login(user), login(user)
    assert_problem(first.post("/api/v1/auth/password", json={"current_password": "nope-nope-nope", "new_password": NEW}),
                   422, "current_password")
    assert first.post("/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": NEW}).status_code == 204
    assert first.get("/api/v1/auth/me").status_code == 200
    assert_problem(second.get("/api/v1/auth/me"), 401)
    login(user, NEW)


def test_password_change_refuses_weak_password(login, make_user):
    c = login(make_user())
    assert_problem(c.post("/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": "abc"}),
                   422, "new_password")


def test_reset_request_answers_the_same_for_unknown_email(client, make_user):
    user = make_user()
    known = client.post("/api/v1/auth/password-reset", json={"email": user.email})
    unknown = client.post("/api/v1/auth/password-reset", json={"email": "ghost@example.org"})
    assert known.status_code == unknown.status_code == 202
    assert known.get_data() == unknown.get_data()
    assert len(outbox(category="password_reset")) == 1


def test_reset_token_sets_new_password_once_and_ends_sessions(client, login, make_user):
    user = make_user()
    session_client = login(user)
    client.post("/api/v1/auth/password-reset", json={"email": user.email})
    email = outbox(to=user.email, category="password_reset")[0]
    assert email.status == "sent"  # delivered by the console backend after commit
    token = token_from(email)
    assert client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": NEW}).status_code == 204
    assert_problem(session_client.get("/api/v1/auth/me"), 401)
    login(user, NEW)
    reused = client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": NEW + "x"})
    assert_problem(reused, 422, "token")


def test_expired_reset_token_is_refused(client, make_user):
    user = make_user()
    client.post("/api/v1/auth/password-reset", json={"email": user.email})
    token = token_from(outbox(to=user.email)[0])
    reset = db.session.query(PasswordResetToken).one()
    reset.expires_at = reset.created_at - timedelta(seconds=1)
    db.session.commit()
    assert_problem(client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": NEW}),
                   422, "token")


def test_a_new_reset_request_invalidates_the_previous_token(client, make_user):
    user = make_user()
    client.post("/api/v1/auth/password-reset", json={"email": user.email})
    first = token_from(outbox(to=user.email)[0])
    client.post("/api/v1/auth/password-reset", json={"email": user.email})
    assert_problem(client.post("/api/v1/auth/password-reset/confirm", json={"token": first, "new_password": NEW}),
                   422, "token")


def test_reset_requests_are_rate_limited_per_email(client, make_user):
    user = make_user()
    statuses = [client.post("/api/v1/auth/password-reset", json={"email": user.email}).status_code for _ in range(6)]
    assert statuses == [202] * 5 + [429]
