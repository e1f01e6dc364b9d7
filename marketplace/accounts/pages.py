"""Account pages: register, log in and out, passwords, invitations, profile, API tokens, members.

Thin views over the services the API uses (``accounts.services``, ``accounts.auth.log_in``): a form
is read with the API's schema, a refusal shows beside its fields.
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from marketplace.accounts import schemas as s
from marketplace.accounts import services
from marketplace.accounts.auth import log_in, log_out
from marketplace.accounts.models import ORG_KINDS, ROLES
from marketplace.accounts.preferences import set_locale
from marketplace.core.auth import MANAGER, require_membership, require_user
from marketplace.core.countries import COUNTRIES
from marketplace.core.db import utcnow
from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.notifications.services import unread_count
from marketplace.web import page_blueprint
from marketplace.web.formatting import country_name
from marketplace.web.forms import check_form_csrf, safe_next
from marketplace.web.i18n import LANGUAGES
from marketplace.web.panels import panel
from marketplace.web.submissions import Form

blp = page_blueprint("accounts_pages", __name__)


@blp.before_request
def _csrf_on_every_form():
    """Forms used before logging in carry the CSRF token too (the app checks it only for sessions)."""
    if request.method == "POST":
        check_form_csrf()


def _done(endpoint: str, message_key: str | None = None, **values):
    return redirect(url_for(endpoint, **({"done": message_key} if message_key else {}), **values), 303)


def kind_labels() -> dict[str, str]:
    return {
        "university": gettext("University"),
        "company": gettext("Company"),
        "startup": gettext("Startup"),
        "incubator": gettext("Incubator"),
    }


def role_labels() -> dict[str, str]:
    return {"member": gettext("Member"), "manager": gettext("Manager")}


# ---- log in, register, passwords ---------------------------------------------------------------


@blp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with email and password, then go back to the page that asked for it."""
    next_path = safe_next(request.values.get("next"))
    form = Form(s.LoginSchema(), request.form if request.method == "POST" else None)
    if request.method == "POST" and (data := form.load()) is not None:
        try:
            user = services.authenticate(db.session, data["email"], data["password"])
        except DomainError as error:
            form.fail(error)
        else:
            log_in(user, data["remember"])
            return redirect(next_path, 303)
    return render_template("accounts/login.html", form=form, next_path=next_path), form.status


@blp.post("/logout")
def logout():
    """Log out: the session ends on the server too."""
    if current_user.is_authenticated:
        log_out()
    return redirect(url_for("search_pages.home"), 303)


@blp.route("/register", methods=["GET", "POST"])
def register():
    """Register an organization and its first manager (the organization waits for verification)."""
    form = Form(s.RegisterSchema(), request.form if request.method == "POST" else None)
    if request.method == "POST":
        values = request.form
        org = {k: values.get(f"organization.{k}", "").strip() for k in ("kind", "name", "country", "website")}
        submitted = {
            "email": values.get("email", ""),
            "password": values.get("password", ""),
            "name": values.get("name", ""),
            "organization": {k: v for k, v in org.items() if v or k != "website"},
        }
        data = form.load(submitted)
        if data is not None:
            try:
                user = services.register(db.session, **data)
            except DomainError as error:
                form.fail(error)
            else:
                log_in(user)
                return redirect(url_for("accounts_pages.profile", done="registered"), 303)
    countries = sorted(((code, country_name(code)) for code in COUNTRIES), key=lambda item: item[1])
    return render_template(
        "accounts/register.html", form=form, kinds=[(k, kind_labels()[k]) for k in ORG_KINDS], countries=countries
    ), form.status


@blp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    """Ask for a password-reset email; the answer is the same whether or not the account exists."""
    form = Form(s.PasswordResetRequestSchema(), request.form if request.method == "POST" else None)
    sent = False
    if request.method == "POST" and (data := form.load()) is not None:
        try:
            services.request_password_reset(db.session, data["email"])
        except DomainError as error:
            form.fail(error)
        else:
            sent = True
    return render_template("accounts/forgot_password.html", form=form, sent=sent), form.status


@blp.route("/reset-password", methods=["GET", "POST"])
def reset_password():
    """The emailed link (``/reset-password?token=...``): choose a new password."""
    form = Form(s.PasswordResetConfirmSchema(), request.values, token=request.args.get("token", ""))
    if request.method == "POST" and (data := form.load()) is not None:
        try:
            services.confirm_password_reset(
                db.session, data["token"], data["new_password"], revoke_api_tokens=data["revoke_api_tokens"]
            )
        except DomainError as error:
            form.fail(error)
        else:
            return redirect(url_for("accounts_pages.login", done="password_reset"), 303)
    return render_template("accounts/reset_password.html", form=form), form.status


@blp.route("/accept-invitation", methods=["GET", "POST"])
def accept_invitation():
    """The emailed link (``/accept-invitation?token=...``): set your name and password, join the organization."""
    form = Form(s.InvitationAcceptSchema(), request.values, token=request.args.get("token", ""))
    if request.method == "POST" and (data := form.load()) is not None:
        try:
            user = services.accept_invitation(db.session, **data)
        except DomainError as error:
            form.fail(error)
        else:
            log_in(user)
            return redirect(url_for("accounts_pages.profile", done="joined"), 303)
    return render_template("accounts/accept_invitation.html", form=form), form.status


# ---- your account ------------------------------------------------------------------------------


def _profile_page(profile: Form | None = None, password: Form | None = None):
    user = require_user()
    profile = profile or Form(name=user.name, locale=user.locale or "")
    password = password or Form()
    status = max(profile.status, password.status)
    return render_template(
        "accounts/profile.html", user=user, profile=profile, password=password, languages=LANGUAGES,
        kind_labels=kind_labels(), role_labels=role_labels(), done=request.args.get("done"),
    ), status


@blp.get("/account")
def profile():
    """Your name, language, organization, and the password form."""
    return _profile_page()


@blp.post("/account/profile")
def update_profile():
    """Save your name and language."""
    user = require_user()
    form = Form(s.ProfileSchema(), request.form)
    if (data := form.load()) is not None:
        try:
            services.update_profile(db.session, user, name=data["name"])
            set_locale(db.session, user, data["locale"])
        except DomainError as error:
            form.fail(error)
        else:
            return _done("accounts_pages.profile", "profile")
    return _profile_page(profile=form)


@blp.post("/account/password")
def change_password():
    """Change your password; other sessions end and, unless you keep them, your API tokens are revoked."""
    user = require_user()
    form = Form(s.PasswordChangeSchema(), request.form)
    if (data := form.load()) is not None:
        try:
            services.change_password(
                db.session, user, data["current_password"], data["new_password"],
                revoke_api_tokens=data["revoke_api_tokens"],
            )
        except DomainError as error:
            form.fail(error)
        else:
            log_in(user)
            return _done("accounts_pages.profile", "password")
    return _profile_page(password=form)


@blp.route("/account/tokens", methods=["GET", "POST"])
def tokens():
    """Your personal API tokens: create one (its secret is shown once), revoke one."""
    user = require_user()
    form = Form(s.ApiTokenCreateSchema(), request.form if request.method == "POST" else None)
    created = None
    if request.method == "POST" and (data := form.load()) is not None:
        try:
            token, plain = services.create_api_token(db.session, user, **data)
        except DomainError as error:
            form.fail(error)
        else:
            created, form = (token, plain), Form()
    return render_template(
        "accounts/tokens.html", form=form, created=created, tokens=services.list_api_tokens(db.session, user),
        done=request.args.get("done"),
    ), (201 if created else form.status)


@blp.post("/account/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int):
    """Revoke one of your API tokens: it stops working at once."""
    services.revoke_api_token(db.session, require_user(), token_id)
    return _done("accounts_pages.tokens", "revoked")


# ---- the organization's members (managers) -----------------------------------------------------


def _members_page(invite: Form | None = None, problem: str | None = None, status: int = 200):
    manager = require_membership(role=MANAGER)
    org = manager.organization
    now = utcnow()
    invitations = [i for i in services.list_invitations(db.session, org) if i.status(now) == "pending"]
    invite = invite or Form(role="member")
    return render_template(
        "accounts/members.html", organization=org, members=services.list_members(db.session, org),
        invitations=invitations, invite=invite, me=manager, roles=[(r, role_labels()[r]) for r in ROLES],
        role_labels=role_labels(), problem=problem, done=request.args.get("done"),
    ), max(status, invite.status)


@blp.get("/organization/members")
def members():
    """Your organization's members and pending invitations (managers)."""
    return _members_page()


@blp.post("/organization/invitations")
def invite():
    """Invite a colleague by email (managers)."""
    manager = require_membership(role=MANAGER)
    form = Form(s.InvitationCreateSchema(), request.form)
    if (data := form.load()) is not None:
        try:
            services.invite(db.session, manager, **data)
        except DomainError as error:
            form.fail(error)
        else:
            return _done("accounts_pages.members", "invited")
    return _members_page(invite=form)


@blp.post("/organization/invitations/<int:invitation_id>/revoke")
def revoke_invitation(invitation_id: int):
    """Withdraw a pending invitation (managers)."""
    return _member_action(lambda m: services.revoke_invitation(db.session, m, invitation_id), "invitation_revoked")


@blp.post("/organization/members/<int:user_id>/role")
def change_role(user_id: int):
    """Make a member a manager or a manager a member (managers); one manager always stays."""
    form = Form(s.MemberUpdateSchema(), request.form)
    if (data := form.load()) is None:
        return _members_page(problem=gettext("Choose a role."), status=400)
    return _member_action(lambda m: services.change_member_role(db.session, m, user_id, data["role"]), "role")


@blp.post("/organization/members/<int:user_id>/remove")
def remove_member(user_id: int):
    """Remove a member from the organization (managers); their sessions and tokens end."""
    return _member_action(lambda m: services.remove_member(db.session, m, user_id), "removed")


def _member_action(action, done: str):
    manager = require_membership(role=MANAGER)
    try:
        action(manager)
    except DomainError as error:
        if error.status not in (409, 422):
            raise
        return _members_page(problem=error.detail, status=error.status)
    return _done("accounts_pages.members", done)


# ---- the header ---------------------------------------------------------------------------------


@panel("header.account")
def account_links(**context) -> str | None:
    """The logged-in person's links in the header: notifications (with the unread count), account, members, admin."""
    if not current_user.is_authenticated:
        return None
    user = current_user._get_current_object()
    return render_template("accounts/_header_links.html", user=user, unread=unread_count(db.session, user.id))
