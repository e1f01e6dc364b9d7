"""The account pages through the Flask test client: forms, their errors beside the fields, CSRF, roles."""

from __future__ import annotations

import re

import sqlalchemy as sa

from marketplace.accounts.models import ApiToken, Invitation, Organization, User, UserSession
from marketplace.extensions import db
from marketplace.notifications.models import Notification
from marketplace.notifications.services import notify
from tests.conftest import PASSWORD
from tests.helpers import outbox
from tests.web.pages import EN, VI, csrf_from, field_errors, link_in, submit, text

NEW = "an-entirely-new-passphrase"


def sessions_of(user) -> int:
    return db.session.execute(sa.select(sa.func.count()).where(UserSession.user_id == user.id)).scalar_one()


def page_login(client, user, password=PASSWORD, next_path="/account"):
    return submit(client, f"/login?next={next_path}", "/login",
                  {"email": user.email, "password": password, "next": next_path})


# ---- log in and out -----------------------------------------------------------------------------


def test_login_page_opens_a_server_session_returns_to_next_and_logout_ends_it(app, make_user):
    user = make_user(name="Lan")
    browser = app.test_client()
    answer = page_login(browser, user)
    assert answer.status_code == 303 and answer.headers["Location"] == "/account"
    assert sessions_of(user) == 1
    account = browser.get("/account", headers=EN)
    assert account.status_code == 200 and "Lan" in text(account)
    copied_cookie = browser.get_cookie("session").value

    out = browser.post("/logout", data={"csrf_token": csrf_from(account)})
    assert out.status_code == 303 and sessions_of(user) == 0
    thief = app.test_client()
    thief.set_cookie("session", copied_cookie)
    assert thief.get("/account").status_code == 303  # to the login page: the session ended on the server


def test_login_errors_show_beside_the_fields_and_wrong_passwords_above_the_form(client, make_user):
    user = make_user()
    empty = submit(client, "/login", data={"email": "not-an-email", "password": ""})
    assert empty.status_code == 400
    assert field_errors(empty, "email") == ["Not a valid email address."]
    assert field_errors(empty, "password")
    assert 'aria-invalid="true"' in empty.get_data(as_text=True)
    wrong = submit(client, "/login", data={"email": user.email, "password": "wrong-password-here"})
    assert wrong.status_code == 401 and "Invalid email or password." in text(wrong)
    assert sessions_of(user) == 0


def test_pages_that_need_login_send_anonymous_visitors_to_log_in_and_back(client):
    answer = client.get("/account/tokens")
    assert answer.status_code == 303 and answer.headers["Location"] == "/login?next=%2Faccount%2Ftokens"


def test_forms_used_before_login_refuse_a_post_without_the_csrf_token(client, make_user):
    user = make_user()
    for path, data in (
        ("/login", {"email": user.email, "password": PASSWORD}),
        ("/register", {"email": "x@example.org"}),
        ("/forgot-password", {"email": user.email}),
        ("/reset-password", {"token": "x" * 20, "new_password": NEW}),
        ("/accept-invitation", {"token": "x" * 20, "name": "X", "password": NEW}),
    ):
        client.get(path)  # the session has a token, the post does not carry it
        assert client.post(path, data=data).status_code == 403, path
        assert client.post(path, data={**data, "csrf_token": "forged"}).status_code == 403, path
    assert sessions_of(user) == 0 and outbox() == []


def test_logged_in_forms_refuse_a_post_without_the_csrf_token(app, make_user):
    user = make_user(name="Before")
    browser = app.test_client()
    page_login(browser, user)
    for path, data in (("/account/profile", {"name": "After"}), ("/logout", {}), ("/account/tokens", {"name": "t"})):
        assert browser.post(path, data=data).status_code == 403, path
    db.session.refresh(user)
    assert user.name == "Before" and sessions_of(user) == 1


# ---- register ------------------------------------------------------------------------------------


def test_register_page_creates_the_organization_and_its_first_manager(client):
    answer = submit(client, "/register", data={
        "organization.kind": "university", "organization.name": "Đại học Cần Thơ", "organization.country": "VN",
        "organization.website": "", "name": "Lê Hoàng Phúc", "email": "Phuc@CTU.edu.vn", "password": NEW,
    })
    assert answer.status_code == 303 and answer.headers["Location"] == "/account?done=registered"
    user = db.session.execute(sa.select(User).where(User.email == "phuc@ctu.edu.vn")).scalar_one()
    assert user.role == "manager" and user.organization.name == "Đại học Cần Thơ"
    assert user.organization.verification_status == "pending"
    welcome = client.get(answer.headers["Location"], headers=EN)
    assert "waits for an administrator" in text(welcome)


def test_register_page_shows_each_problem_beside_its_field(client, make_user):
    taken = make_user()
    invalid = submit(client, "/register", data={
        "organization.kind": "club", "organization.name": "", "organization.country": "XX",
        "organization.website": "ftp://x", "name": "", "email": "nope", "password": "short",
    })
    assert invalid.status_code == 400
    for name in ("organization.kind", "organization.name", "organization.country", "organization.website", "name", "email"):
        assert field_errors(invalid, name), name
    assert 'value="ftp://x"' in invalid.get_data(as_text=True)  # what was typed stays, except the password
    assert 'value="short"' not in invalid.get_data(as_text=True)

    weak = submit(client, "/register", data={
        "organization.kind": "company", "organization.name": "Mekong Xanh", "organization.country": "VN",
        "name": "Anh", "email": "anh@mekong.vn", "password": "short",
    })
    assert weak.status_code == 422 and field_errors(weak, "password")
    duplicate = submit(client, "/register", data={
        "organization.kind": "company", "organization.name": "Mekong Xanh", "organization.country": "VN",
        "name": "Anh", "email": taken.email, "password": NEW,
    })
    assert duplicate.status_code == 409 and field_errors(duplicate, "email") == ["Already registered."]
    assert db.session.execute(sa.select(sa.func.count()).select_from(Organization)).scalar_one() == 1


# ---- passwords -----------------------------------------------------------------------------------


def test_forgotten_password_is_reset_through_the_emailed_link(app, client, login, make_user):
    user = make_user()
    old_session = login(user)
    token_id = old_session.post("/api/v1/auth/tokens", json={"name": "ci"}).json["id"]
    asked = submit(client, "/forgot-password", data={"email": user.email})
    assert asked.status_code == 200 and "If an account has this email" in text(asked)
    link = link_in(outbox(to=user.email, category="password_reset")[0], "/reset-password")
    assert link.startswith("/reset-password?token=")

    weak = submit(client, link, "/reset-password", {"token": link.split("=", 1)[1], "new_password": "abc"})
    assert weak.status_code == 422 and field_errors(weak, "new_password")
    done = submit(client, link, "/reset-password", {"token": link.split("=", 1)[1], "new_password": NEW})
    assert done.status_code == 303 and done.headers["Location"] == "/login?done=password_reset"
    assert old_session.get("/account").status_code == 303  # every old session ended
    assert db.session.get(ApiToken, token_id).revoked_at is not None  # the default: tokens revoked too
    assert page_login(app.test_client(), user, NEW).status_code == 303

    again = submit(client, link, "/reset-password", {"token": link.split("=", 1)[1], "new_password": NEW + "x"})
    assert again.status_code == 422 and field_errors(again, "token")
    assert "Ask for a new link" in text(again)


def test_reset_can_keep_the_api_tokens(client, login, make_user):
    user = make_user()
    token_id = login(user).post("/api/v1/auth/tokens", json={"name": "ci"}).json["id"]
    submit(client, "/forgot-password", data={"email": user.email})
    link = link_in(outbox(to=user.email)[0], "/reset-password")
    submit(client, link, "/reset-password", {"token": link.split("=", 1)[1], "new_password": NEW,
                                             "revoke_api_tokens": "false"})
    assert db.session.get(ApiToken, token_id).revoked_at is None


def test_password_change_on_the_profile_page(app, login, make_user):
    user = make_user()
    other_browser = login(user)
    token_id = other_browser.post("/api/v1/auth/tokens", json={"name": "ci"}).json["id"]
    browser = app.test_client()
    page_login(browser, user)
    wrong = submit(browser, "/account", "/account/password", {"current_password": "not-my-password", "new_password": NEW})
    assert wrong.status_code == 422 and field_errors(wrong, "current_password") == ["Wrong password."]
    page = browser.get("/account", headers=EN).get_data(as_text=True)
    assert 'name="revoke_api_tokens" value="true" checked' in page  # revoking is the default choice
    changed = submit(browser, "/account", "/account/password", {"current_password": PASSWORD, "new_password": NEW,
                                                                "revoke_api_tokens": "true"})
    assert changed.status_code == 303
    assert browser.get("/account").status_code == 200  # this browser got a fresh session
    assert other_browser.get("/api/v1/auth/me").status_code == 401
    assert db.session.get(ApiToken, token_id).revoked_at is not None


# ---- profile, tokens ----------------------------------------------------------------------------


def test_profile_saves_name_and_language_and_pages_follow_the_language(app, make_user):
    user = make_user()
    browser = app.test_client()
    page_login(browser, user)
    blank = submit(browser, "/account", "/account/profile", {"name": "  ", "locale": "vi"})
    assert blank.status_code == 400 and field_errors(blank, "name")
    bad = submit(browser, "/account", "/account/profile", {"name": "Lan", "locale": "fr"})
    assert bad.status_code == 400 and field_errors(bad, "locale")
    saved = submit(browser, "/account", "/account/profile", {"name": "Nguyễn Thị Lan", "locale": "vi"})
    assert saved.status_code == 303
    db.session.refresh(user)
    assert user.name == "Nguyễn Thị Lan" and user.locale == "vi"
    page = browser.get("/account", headers=EN)  # the saved language wins over the browser's
    assert 'lang="vi"' in page.get_data(as_text=True) and "Tài khoản của bạn" in text(page)


def test_tokens_page_shows_the_secret_once_and_revokes(app, make_user):
    user = make_user()
    browser = app.test_client()
    page_login(browser, user)
    invalid = submit(browser, "/account/tokens", data={"name": "", "expires_in_days": "9999"})
    assert invalid.status_code == 400 and field_errors(invalid, "name") and field_errors(invalid, "expires_in_days")
    created = submit(browser, "/account/tokens", data={"name": "nightly export", "expires_in_days": "30"})
    assert created.status_code == 201
    html = created.get_data(as_text=True)
    secret = re.search(r'id="new-token" value="(mkt_[^"]+)"', html).group(1)
    assert app.test_client().get("/api/v1/auth/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    listing = browser.get("/account/tokens", headers=EN)
    assert secret not in listing.get_data(as_text=True) and "nightly export" in text(listing)
    token = db.session.execute(sa.select(ApiToken)).scalar_one()
    revoked = submit(browser, "/account/tokens", f"/account/tokens/{token.id}/revoke")
    assert revoked.status_code == 303
    assert app.test_client().get("/api/v1/auth/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    other = make_user()
    stranger = app.test_client()
    page_login(stranger, other)
    assert submit(stranger, "/account/tokens", f"/account/tokens/{token.id}/revoke").status_code == 404


# ---- members and invitations ----------------------------------------------------------------------


def test_members_page_is_for_managers_only(app, make_org, make_user):
    org = make_org("university")
    make_user(org=org, role="manager")
    member = make_user(org=org, role="member")
    browser = app.test_client()
    page_login(browser, member)
    assert browser.get("/organization/members", headers=EN).status_code == 403
    assert submit(browser, "/account", "/organization/invitations", {"email": "x@example.org"}).status_code == 403
    assert submit(browser, "/account", f"/organization/members/{member.id}/role", {"role": "manager"}).status_code == 403
    assert "Members" not in text(browser.get("/account", headers=EN)).split("Your account")[0]
    assert outbox() == []


def test_manager_invites_changes_roles_and_removes_members(app, make_org, make_user):
    org = make_org("university")
    manager = make_user(org=org, role="manager", name="Minh")
    colleague = make_user(org=org, role="member", name="Huy")
    stranger = make_user(name="Elsewhere")
    browser = app.test_client()
    page_login(browser, manager)
    page = browser.get("/organization/members", headers=EN)
    assert page.status_code == 200 and "Huy" in text(page) and "Elsewhere" not in text(page)

    bad = submit(browser, "/organization/members", "/organization/invitations", {"email": "nope", "role": "boss"})
    assert bad.status_code == 400 and field_errors(bad, "email") and field_errors(bad, "role")
    taken = submit(browser, "/organization/members", "/organization/invitations", {"email": colleague.email})
    assert taken.status_code == 409 and field_errors(taken, "email")
    sent = submit(browser, "/organization/members", "/organization/invitations", {"email": "lan@vnu.edu.vn", "role": "member"})
    assert sent.status_code == 303 and len(outbox(to="lan@vnu.edu.vn", category="invitation")) == 1
    assert "lan@vnu.edu.vn" in text(browser.get("/organization/members", headers=EN))

    promoted = submit(browser, "/organization/members", f"/organization/members/{colleague.id}/role", {"role": "manager"})
    assert promoted.status_code == 303
    db.session.refresh(colleague)
    assert colleague.role == "manager"
    assert submit(browser, "/organization/members", f"/organization/members/{stranger.id}/role",
                  {"role": "member"}).status_code == 404
    removed = submit(browser, "/organization/members", f"/organization/members/{colleague.id}/remove")
    assert removed.status_code == 303
    db.session.refresh(colleague)
    assert colleague.removed_at is not None
    last = submit(browser, "/organization/members", f"/organization/members/{manager.id}/remove")
    assert last.status_code == 409 and "The last manager cannot leave" in text(last)

    invitation = db.session.execute(sa.select(Invitation)).scalar_one()
    withdrawn = submit(browser, "/organization/members", f"/organization/invitations/{invitation.id}/revoke")
    assert withdrawn.status_code == 303
    db.session.refresh(invitation)
    assert invitation.revoked_at is not None


def test_invitation_is_accepted_through_the_emailed_link(app, client, make_org, make_user):
    org = make_org("university", name="VNU")
    manager = make_user(org=org, role="manager")
    browser = app.test_client()
    page_login(browser, manager)
    submit(browser, "/organization/members", "/organization/invitations", {"email": "lan@vnu.edu.vn", "role": "member"})
    link = link_in(outbox(to="lan@vnu.edu.vn")[0], "/accept-invitation")
    assert link.startswith("/accept-invitation?token=")
    token = link.split("=", 1)[1]
    weak = submit(client, link, "/accept-invitation", {"token": token, "name": "Lan", "password": "abc"})
    assert weak.status_code == 422 and field_errors(weak, "password")
    joined = submit(client, link, "/accept-invitation", {"token": token, "name": "Nguyễn Thị Lan", "password": NEW})
    assert joined.status_code == 303 and joined.headers["Location"] == "/account?done=joined"
    account = client.get(joined.headers["Location"], headers=EN)
    assert "You have joined your organization" in text(account) and "VNU" in text(account)
    used = submit(app.test_client(), link, "/accept-invitation", {"token": token, "name": "X", "password": NEW})
    assert used.status_code == 422 and field_errors(used, "token")


# ---- notifications -------------------------------------------------------------------------------


def test_notifications_page_reads_without_writing_and_marking_read_is_a_post(app, make_user):
    user = make_user()
    for n in range(3):
        notify(db.session, user.id, kind="test", title=f"Notice {n}", body="Something happened.")
    db.session.commit()
    browser = app.test_client()
    page_login(browser, user)
    page = browser.get("/notifications", headers=EN)
    assert page.status_code == 200 and "3 unread notifications" in text(page)
    assert "Notifications 3 unread" in text(page)  # the count in the header
    unread = sa.select(sa.func.count()).where(Notification.read_at.is_(None))
    assert db.session.execute(unread).scalar_one() == 3  # reading did not mark anything

    first = db.session.execute(sa.select(Notification).order_by(Notification.id)).scalars().first()
    assert submit(browser, "/notifications", f"/notifications/{first.id}/read").status_code == 303
    assert db.session.execute(unread).scalar_one() == 2
    assert "Notifications 2 unread" in text(browser.get("/account", headers=EN))
    assert submit(browser, "/notifications", "/notifications/read-all").status_code == 303
    assert db.session.execute(unread).scalar_one() == 0
    other = make_user()
    stranger = app.test_client()
    page_login(stranger, other)
    assert submit(stranger, "/notifications", f"/notifications/{first.id}/read").status_code == 404


def test_account_pages_speak_vietnamese(client):
    assert "Đăng nhập" in text(client.get("/login", headers=VI))
    assert "Đăng ký" in text(client.get("/register", headers=VI))
