"""Account rules: registration, authentication, passwords, tokens, memberships, verification."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from flask import current_app, request

from marketplace.accounts.models import ApiToken, Invitation, Organization, PasswordResetToken, User
from marketplace.accounts.passwords import burn_time, hash_password, password_problems, verify_password
from marketplace.accounts.sessions import end_all_sessions
from marketplace.core import audit, deferred
from marketplace.core.db import utcnow
from marketplace.core.pagination import Page, paginate
from marketplace.core.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from marketplace.core.security import throttle
from marketplace.core.statemachine import StateMachine
from marketplace.core.text import contains_pattern, unique_slug
from marketplace.core.tokens import hash_secret, new_secret
from marketplace.notifications.services import queue_email

API_TOKEN_PREFIX = "mkt_"
#: the deferred-writes buffer of API tokens' last uses
TOKEN_USES = "api token uses"

ORGANIZATION_VERIFICATION = StateMachine(
    "organization",
    {
        "verify": {"pending": "verified", "rejected": "verified"},
        "reject": {"pending": "rejected", "verified": "rejected"},
    },
    attribute="verification_status",
)


def _check_password(password: str, field: str, email: str | None = None) -> None:
    problems = password_problems(password, email=email)
    if problems:
        raise ValidationFailed("The password is too weak.", errors={field: problems})


def _email_taken(session, email: str) -> bool:
    return session.execute(sa.select(sa.exists().where(User.email == email))).scalar()


def _link(path: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


# ---- registration and login ----------------------------------------------------------------


def register(session, *, email: str, password: str, name: str, organization: dict) -> User:
    """Create an organization (unverified) with its first user as manager."""
    if _email_taken(session, email):
        raise Conflict("An account with this email already exists.", errors={"email": ["Already registered."]})
    _check_password(password, "password", email)
    org = Organization(
        kind=organization["kind"],
        name=organization["name"],
        slug=unique_slug(session, Organization, organization["name"]),
        country=organization["country"],
        website=organization.get("website"),
        description=organization.get("description"),
        verification_status="pending",
    )
    user = User(email=email, password_hash=hash_password(password), name=name, organization=org, role="manager")
    session.add_all([org, user])
    session.flush()
    audit.record(session, "organization.register", org, actor=user, changes={"kind": org.kind, "name": org.name})
    audit.record(session, "user.register", user, actor=user, changes={"email": email, "role": "manager"})
    return user


def authenticate(session, email: str, password: str) -> User:
    """The user with these credentials, or 401 (the same answer whether or not the email exists)."""
    cfg = current_app.config
    throttle("login-ip", cfg["LOGIN_RATE_LIMIT_PER_IP"], request.remote_addr or "-")
    throttle("login-account", cfg["LOGIN_RATE_LIMIT_PER_ACCOUNT"], email)
    user = session.execute(sa.select(User).where(User.email == email)).scalar_one_or_none()
    if user is None:
        burn_time(password)
        raise Unauthorized("Invalid email or password.", slug="invalid-credentials")
    if not verify_password(user.password_hash, password):
        raise Unauthorized("Invalid email or password.", slug="invalid-credentials")
    if not user.is_active:
        raise Forbidden("This account is suspended or no longer active.", slug="account-inactive")
    user.last_login_at = utcnow()
    audit.record(session, "user.login", user, actor=user)
    return user


def change_password(
    session, user: User, current_password: str, new_password: str, *, revoke_api_tokens: bool = True
) -> None:
    """Change the password; every session of the user ends, and their API tokens unless kept."""
    if not verify_password(user.password_hash, current_password):
        raise ValidationFailed("The current password is wrong.", errors={"current_password": ["Wrong password."]})
    _check_password(new_password, "new_password", user.email)
    _set_password(session, user, new_password)
    revoked = _revoke_api_tokens(session, user) if revoke_api_tokens else 0
    audit.record(session, "user.password_change", user, changes={"api_tokens_revoked": revoked})


def update_profile(session, user: User, *, name: str) -> User:
    """Change the name the user is shown by."""
    if user.name != name:
        before, user.name = user.name, name
        audit.record(session, "user.update", user, changes={"name": [before, name]})
    return user


def _set_password(session, user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    end_all_sessions(session, user)


def _revoke_api_tokens(session, user: User) -> int:
    """Revoke every live API token of ``user``; how many were revoked."""
    result = session.execute(
        sa.update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).values(revoked_at=utcnow())
    )
    return result.rowcount


def request_password_reset(session, email: str) -> None:
    """Email a single-use reset link when the account exists; say nothing either way."""
    throttle("password-reset", current_app.config["PASSWORD_RESET_RATE_LIMIT"], email)
    user = session.execute(sa.select(User).where(User.email == email)).scalar_one_or_none()
    if user is None or not user.is_active:
        return
    now = utcnow()
    session.execute(
        sa.update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    plain, digest = new_secret()
    ttl = timedelta(minutes=current_app.config["PASSWORD_RESET_TTL_MINUTES"])
    session.add(PasswordResetToken(user_id=user.id, token_hash=digest, created_at=now, expires_at=now + ttl))
    queue_email(
        session,
        to=user.email,
        subject="Reset your password",
        body=(
            f"Hello {user.name},\n\nSomeone asked to reset the password of your account. "
            f"If it was you, use this token within {int(ttl.total_seconds() // 60)} minutes:\n\n"
            f"    {plain}\n\n{_link('/reset-password?token=' + plain)}\n\n"
            "If it was not you, ignore this email: your password stays as it is.\n"
        ),
        category="password_reset",
    )
    audit.record(session, "user.password_reset_request", user, actor=user)


def confirm_password_reset(session, token: str, new_password: str, *, revoke_api_tokens: bool = True) -> User:
    """Set a new password with a reset token (single use, expiring); sessions end, and API tokens unless kept."""
    reset = session.execute(
        sa.select(PasswordResetToken).where(PasswordResetToken.token_hash == hash_secret(token)).with_for_update()
    ).scalar_one_or_none()
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow() or not reset.user.is_active:
        raise ValidationFailed(
            "This reset token is invalid, used or expired. Ask for a new one.",
            errors={"token": ["Invalid, used or expired."]},
        )
    _check_password(new_password, "new_password", reset.user.email)
    reset.used_at = utcnow()
    _set_password(session, reset.user, new_password)
    revoked = _revoke_api_tokens(session, reset.user) if revoke_api_tokens else 0
    audit.record(session, "user.password_reset", reset.user, actor=reset.user, changes={"api_tokens_revoked": revoked})
    return reset.user


# ---- API tokens -------------------------------------------------------------------------------


def create_api_token(session, user: User, *, name: str, expires_in_days: int | None) -> tuple[ApiToken, str]:
    """A new personal API token; the secret is returned once and only its hash is kept."""
    plain, digest = new_secret(API_TOKEN_PREFIX)
    now = utcnow()
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=plain[: len(API_TOKEN_PREFIX) + 6],
        token_hash=digest,
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    session.add(token)
    session.flush()
    audit.record(session, "api_token.create", token, changes={"name": name})
    return token, plain


def list_api_tokens(session, user: User) -> list[ApiToken]:
    return list(
        session.execute(sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())).scalars()
    )


def revoke_api_token(session, user: User, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(session, "api_token.revoke", token)
    return token


def user_for_bearer(session, plain: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    token = session.execute(
        sa.select(ApiToken).where(ApiToken.token_hash == hash_secret(plain))
    ).scalar_one_or_none()
    now = utcnow()
    if token is None or token.revoked_at or (token.expires_at and token.expires_at <= now):
        return None
    if not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        deferred.add(TOKEN_USES, token.id, now)  # written off the request path: a GET never writes
    return token.user


def record_token_uses(session, uses: dict[int, datetime]) -> int:
    """Write buffered last uses of API tokens (``{token id: time}``), never moving one back in time."""
    recorded = 0
    for token_id, used_at in sorted(uses.items()):
        recorded += session.execute(
            sa.update(ApiToken)
            .where(ApiToken.id == token_id, sa.or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < used_at))
            .values(last_used_at=used_at)
        ).rowcount
    return recorded


# ---- the organization and its members ---------------------------------------------------------


def update_organization(session, actor: User, changes: dict) -> Organization:
    org = actor.organization
    before = {k: getattr(org, k) for k in changes}
    for key in ("name", "country", "website", "description"):
        if key in changes:
            setattr(org, key, changes[key])
    audit.record(session, "organization.update", org, changes=audit.diff(before, changes))
    return org


def list_members(session, org: Organization) -> list[User]:
    return list(
        session.execute(
            sa.select(User).where(User.organization_id == org.id, User.removed_at.is_(None)).order_by(User.id)
        ).scalars()
    )


def _member(session, org: Organization, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.organization_id != org.id or user.removed_at is not None:
        raise NotFound("No such member.")
    return user


def _lock_managers(session, org: Organization) -> list[User]:
    """The organization's current managers, locked so two demotions cannot both pass."""
    return list(
        session.execute(
            sa.select(User)
            .where(User.organization_id == org.id, User.role == "manager", User.removed_at.is_(None))
            .with_for_update()
        ).scalars()
    )


def change_member_role(session, actor: User, user_id: int, role: str) -> User:
    member = _member(session, actor.organization, user_id)
    if member.role == role:
        return member
    if member.role == "manager" and len(_lock_managers(session, actor.organization)) <= 1:
        raise Conflict("An organization needs at least one manager: promote someone else first.")
    before = member.role
    member.role = role
    audit.record(session, "member.role_change", member, changes={"role": [before, role]})
    return member


def remove_member(session, actor: User, user_id: int) -> None:
    """A manager removes a member, or a member leaves; the last manager cannot leave."""
    org = actor.organization
    member = _member(session, org, user_id)
    if member.id != actor.id and actor.role != "manager":
        raise Forbidden("Only the organization's managers may remove members.")
    if member.role == "manager" and len(_lock_managers(session, org)) <= 1:
        raise Conflict("The last manager cannot leave: promote another member to manager first.")
    member.removed_at = utcnow()
    member.role = None
    end_all_sessions(session, member)
    _revoke_api_tokens(session, member)
    audit.record(session, "member.remove", member, changes={"organization_id": org.id, "self": member.id == actor.id})


# ---- invitations ------------------------------------------------------------------------------


def invite(session, actor: User, *, email: str, role: str) -> tuple[Invitation, str]:
    """Invite a colleague by email (a single-use token that expires); re-inviting replaces the old one."""
    org = actor.organization
    existing = session.execute(sa.select(User).where(User.email == email)).scalar_one_or_none()
    if existing is not None and existing.removed_at is None:
        raise Conflict("This person already has an account.", errors={"email": ["Already has an account."]})
    now = utcnow()
    session.execute(
        sa.update(Invitation)
        .where(
            Invitation.organization_id == org.id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    plain, digest = new_secret()
    ttl = timedelta(hours=current_app.config["INVITATION_TTL_HOURS"])
    invitation = Invitation(
        organization_id=org.id,
        email=email,
        role=role,
        token_hash=digest,
        invited_by_id=actor.id,
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(invitation)
    session.flush()
    queue_email(
        session,
        to=email,
        subject=f"{actor.name} invites you to join {org.name}",
        body=(
            f"Hello,\n\n{actor.name} invites you to join {org.name} on the marketplace as {role}.\n"
            f"Accept within {int(ttl.total_seconds() // 3600)} hours with this token:\n\n    {plain}\n\n"
            f"{_link('/accept-invitation?token=' + plain)}\n"
        ),
        category="invitation",
    )
    audit.record(session, "invitation.create", invitation, changes={"email": email, "role": role})
    return invitation, plain


def list_invitations(session, org: Organization) -> list[Invitation]:
    return list(
        session.execute(
            sa.select(Invitation).where(Invitation.organization_id == org.id).order_by(Invitation.id.desc())
        ).scalars()
    )


def revoke_invitation(session, actor: User, invitation_id: int) -> Invitation:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.organization_id != actor.organization_id:
        raise NotFound("No such invitation.")
    if invitation.status(utcnow()) != "pending":
        raise Conflict(f"This invitation is already {invitation.status(utcnow())}.")
    invitation.revoked_at = utcnow()
    audit.record(session, "invitation.revoke", invitation)
    return invitation


def accept_invitation(session, *, token: str, name: str, password: str) -> User:
    """The invitee sets a password and joins the organization."""
    invitation = session.execute(
        sa.select(Invitation).where(Invitation.token_hash == hash_secret(token)).with_for_update()
    ).scalar_one_or_none()
    if invitation is None or invitation.status(utcnow()) != "pending":
        raise ValidationFailed(
            "This invitation is invalid, used, revoked or expired. Ask for a new one.",
            errors={"token": ["Invalid, used, revoked or expired."]},
        )
    _check_password(password, "password", invitation.email)
    user = session.execute(sa.select(User).where(User.email == invitation.email)).scalar_one_or_none()
    if user is not None and user.removed_at is None:
        raise Conflict("This person already has an account.")
    if user is None:
        user = User(email=invitation.email, password_hash="", name=name)
        session.add(user)
    user.name = name
    user.organization_id = invitation.organization_id
    user.role = invitation.role
    user.removed_at = None
    _set_password(session, user, password)
    invitation.accepted_at = utcnow()
    session.flush()
    audit.record(
        session,
        "invitation.accept",
        invitation,
        actor=user,
        changes={"user_id": user.id, "organization_id": invitation.organization_id},
    )
    return user


# ---- administration ---------------------------------------------------------------------------


def get_organization(session, org_id: int) -> Organization:
    org = session.get(Organization, org_id)
    if org is None:
        raise NotFound("No such organization.")
    return org


def organization_by_slug(session, slug: str, *, kind: str | None = None) -> Organization:
    """The organization with this slug (and of this kind, when given), or 404."""
    stmt = sa.select(Organization).where(Organization.slug == slug)
    if kind is not None:
        stmt = stmt.where(Organization.kind == kind)
    org = session.execute(stmt).scalar_one_or_none()
    if org is None:
        raise NotFound("No such organization.")
    return org


def active_members(session, organization_id: int, *, managers_only: bool = False) -> list[User]:
    """The organization's people who can still act (not removed, not suspended), by id."""
    stmt = sa.select(User).where(
        User.organization_id == organization_id, User.removed_at.is_(None), User.suspended_at.is_(None)
    )
    if managers_only:
        stmt = stmt.where(User.role == "manager")
    return list(session.execute(stmt.order_by(User.id)).scalars())



def verify_organization(session, org_id: int) -> Organization:
    org = get_organization(session, org_id)
    before, after = ORGANIZATION_VERIFICATION.apply(org, "verify")
    org.verified_at = utcnow()
    org.rejection_reason = None
    for manager in active_members(session, org.id, managers_only=True):
        queue_email(
            session,
            to=manager.email,
            subject=f"{org.name} is verified",
            body=f"Hello {manager.name},\n\n{org.name} has been verified. You can now use every feature.\n",
            category="organization_verified",
        )
    audit.record(session, "organization.verify", org, changes={"verification_status": [before, after]})
    return org


def reject_organization(session, org_id: int, reason: str) -> Organization:
    org = get_organization(session, org_id)
    before, after = ORGANIZATION_VERIFICATION.apply(org, "reject")
    org.verified_at = None
    org.rejection_reason = reason
    for manager in active_members(session, org.id, managers_only=True):
        queue_email(
            session,
            to=manager.email,
            subject=f"{org.name} could not be verified",
            body=f"Hello {manager.name},\n\n{org.name} could not be verified:\n\n{reason}\n",
            category="organization_rejected",
        )
    audit.record(
        session, "organization.reject", org, changes={"verification_status": [before, after], "reason": reason}
    )
    return org


def list_organizations(session, *, q=None, kind=None, verification_status=None, page=1, page_size=20) -> Page:
    stmt = sa.select(Organization).options(selectinload(Organization.members)).order_by(Organization.id.desc())
    if q:
        stmt = stmt.where(Organization.name.ilike(contains_pattern(q), escape="\\"))
    if kind:
        stmt = stmt.where(Organization.kind == kind)
    if verification_status:
        stmt = stmt.where(Organization.verification_status == verification_status)
    return paginate(session, stmt, page, page_size)


def list_users(session, *, q=None, organization_id=None, suspended=None, page=1, page_size=20) -> Page:
    stmt = sa.select(User).options(selectinload(User.organization)).order_by(User.id.desc())
    if q:
        pattern = contains_pattern(q)
        stmt = stmt.where(sa.or_(User.email.ilike(pattern, escape="\\"), User.name.ilike(pattern, escape="\\")))
    if organization_id:
        stmt = stmt.where(User.organization_id == organization_id)
    if suspended is not None:
        stmt = stmt.where(User.suspended_at.is_not(None) if suspended else User.suspended_at.is_(None))
    return paginate(session, stmt, page, page_size)


def get_user(session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


def suspend_user(session, admin: User, user_id: int, reason: str) -> User:
    """Suspend a user: their sessions and tokens stop working at once."""
    user = get_user(session, user_id)
    if user.id == admin.id:
        raise Conflict("You cannot suspend yourself.")
    if user.suspended_at is not None:
        raise Conflict("This user is already suspended.", current_state="suspended", allowed_actions=["reactivate"])
    user.suspended_at = utcnow()
    user.suspension_reason = reason
    end_all_sessions(session, user)
    audit.record(session, "user.suspend", user, changes={"reason": reason})
    return user


def reactivate_user(session, user_id: int) -> User:
    user = get_user(session, user_id)
    if user.suspended_at is None:
        raise Conflict("This user is not suspended.", current_state="active", allowed_actions=["suspend"])
    user.suspended_at = None
    user.suspension_reason = None
    audit.record(session, "user.reactivate", user)
    return user


def create_admin(session, *, email: str, password: str, name: str) -> User:
    """Create an administrator (CLI)."""
    if _email_taken(session, email):
        raise Conflict("An account with this email already exists.")
    _check_password(password, "password", email)
    user = User(email=email, password_hash=hash_password(password), name=name, is_admin=True)
    session.add(user)
    session.flush()
    audit.record(session, "user.create_admin", user, actor=None, changes={"email": email})
    return user
