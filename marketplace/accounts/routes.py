"""Authentication and own-organization endpoints (thin: parse, call a service, dump)."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from marketplace.accounts import schemas as s
from marketplace.accounts import services
from marketplace.accounts.auth import log_in, log_out
from marketplace.core.auth import MANAGER, login_required, manager_required, require_membership, require_user
from marketplace.core.security import csrf_token
from marketplace.extensions import db

auth_blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Registration, login, passwords, API tokens")
org_blp = Blueprint(
    "organizations", __name__, url_prefix="/api/v1/organizations", description="Your organization, its members and invitations"
)


def _me(user):
    # Bearer clients need no CSRF token, and must not be handed a session cookie.
    token = None if g.get("auth_method") == "token" else csrf_token()
    return {"user": user, "organization": user.organization, "csrf_token": token}


@auth_blp.route("/register")
class Register(MethodView):
    @auth_blp.arguments(s.RegisterSchema)
    @auth_blp.response(201, s.MeSchema)
    def post(self, data):
        """Register a user and their (unverified) organization; logs the user in."""
        user = services.register(db.session, **data)
        log_in(user)
        return _me(user)


@auth_blp.route("/login")
class Login(MethodView):
    @auth_blp.arguments(s.LoginSchema)
    @auth_blp.response(200, s.MeSchema)
    def post(self, data):
        """Log in with email and password (sets the session cookie)."""
        user = services.authenticate(db.session, data["email"], data["password"])
        log_in(user, data["remember"])
        return _me(user)


@auth_blp.route("/logout")
class Logout(MethodView):
    @auth_blp.response(204)
    def post(self):
        """End the session, on the server too: a copy of the cookie stops working."""
        require_user()
        log_out()


@auth_blp.route("/me")
class Me(MethodView):
    @auth_blp.response(200, s.MeSchema)
    def get(self):
        """The current user, their organization and its verification state, and the CSRF token."""
        return _me(require_user())


@auth_blp.route("/password")
class Password(MethodView):
    @login_required
    @auth_blp.arguments(s.PasswordChangeSchema)
    @auth_blp.response(204)
    def post(self, data):
        """Change your password: every session ends (this browser gets a fresh one) and, unless
        ``revoke_api_tokens`` is false, every API token is revoked."""
        user = require_user()
        in_browser = g.get("auth_method") == "session"
        services.change_password(
            db.session, user, data["current_password"], data["new_password"], revoke_api_tokens=data["revoke_api_tokens"]
        )
        if in_browser:
            log_in(user)


@auth_blp.route("/password-reset")
class PasswordResetRequest(MethodView):
    @auth_blp.arguments(s.PasswordResetRequestSchema)
    @auth_blp.response(202)
    def post(self, data):
        """Ask for a password-reset email (the answer is the same whether or not the email exists)."""
        services.request_password_reset(db.session, data["email"])


@auth_blp.route("/password-reset/confirm")
class PasswordResetConfirm(MethodView):
    @auth_blp.arguments(s.PasswordResetConfirmSchema)
    @auth_blp.response(204)
    def post(self, data):
        """Set a new password with the emailed token; every session of the user ends, and every API
        token unless ``revoke_api_tokens`` is false."""
        services.confirm_password_reset(
            db.session, data["token"], data["new_password"], revoke_api_tokens=data["revoke_api_tokens"]
        )


@auth_blp.route("/tokens")
class Tokens(MethodView):
    @auth_blp.response(200, s.ApiTokenSchema(many=True))
    def get(self):
        """Your personal API tokens (never their secrets)."""
        return services.list_api_tokens(db.session, require_user())

    @login_required
    @auth_blp.arguments(s.ApiTokenCreateSchema)
    @auth_blp.response(201, s.ApiTokenCreatedSchema)
    def post(self, data):
        """Create a personal API token; its secret is shown in this response only."""
        token, plain = services.create_api_token(db.session, require_user(), **data)
        token.token = plain
        return token


@auth_blp.route("/tokens/<int:token_id>")
class TokenItem(MethodView):
    @auth_blp.response(204)
    def delete(self, token_id):
        """Revoke a token: it stops working at once."""
        services.revoke_api_token(db.session, require_user(), token_id)


# ---- own organization ---------------------------------------------------------------------------


@org_blp.route("/current")
class CurrentOrganization(MethodView):
    @org_blp.response(200, s.OrganizationSchema)
    def get(self):
        """Your organization, with its verification state."""
        return require_membership().organization

    @manager_required
    @org_blp.arguments(s.OrganizationUpdateSchema)
    @org_blp.response(200, s.OrganizationSchema)
    def patch(self, data):
        """Edit your organization's profile (managers)."""
        return services.update_organization(db.session, require_membership(role=MANAGER), data)


@org_blp.route("/current/members")
class Members(MethodView):
    @org_blp.response(200, s.MemberSchema(many=True))
    def get(self):
        """Your organization's members."""
        return services.list_members(db.session, require_membership().organization)


@org_blp.route("/current/members/<int:user_id>")
class MemberItem(MethodView):
    @manager_required
    @org_blp.arguments(s.MemberUpdateSchema)
    @org_blp.response(200, s.MemberSchema)
    def patch(self, data, user_id):
        """Change a member's role (managers); an organization always keeps one manager."""
        return services.change_member_role(db.session, require_membership(role=MANAGER), user_id, data["role"])

    @org_blp.response(204)
    def delete(self, user_id):
        """Remove a member (managers), or leave (yourself); the last manager cannot leave."""
        services.remove_member(db.session, require_membership(), user_id)


@org_blp.route("/current/invitations")
class Invitations(MethodView):
    @org_blp.response(200, s.InvitationSchema(many=True))
    def get(self):
        """Invitations sent by your organization (managers)."""
        return services.list_invitations(db.session, require_membership(role=MANAGER).organization)

    @manager_required
    @org_blp.arguments(s.InvitationCreateSchema)
    @org_blp.response(201, s.InvitationSchema)
    def post(self, data):
        """Invite a colleague by email (managers); the token is emailed, never returned."""
        invitation, _ = services.invite(db.session, require_membership(role=MANAGER), **data)
        return invitation


@org_blp.route("/current/invitations/<int:invitation_id>")
class InvitationItem(MethodView):
    @org_blp.response(204)
    def delete(self, invitation_id):
        """Revoke a pending invitation (managers)."""
        services.revoke_invitation(db.session, require_membership(role=MANAGER), invitation_id)


@org_blp.route("/invitations/accept")
class AcceptInvitation(MethodView):
    @org_blp.arguments(s.InvitationAcceptSchema)
    @org_blp.response(201, s.MeSchema)
    def post(self, data):
        """Accept an invitation: set your name and password and join the organization."""
        user = services.accept_invitation(db.session, **data)
        log_in(user)
        return _me(user)


@org_blp.route("/<int:org_id>")
class PublicOrganization(MethodView):
    @org_blp.response(200, s.PublicOrganizationSchema)
    def get(self, org_id):
        """An organization's public profile."""
        return services.get_organization(db.session, org_id)
