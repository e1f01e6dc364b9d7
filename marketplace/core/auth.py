"""Authorization helpers every package reuses: who is calling, and may they?"""

from __future__ import annotations

from functools import wraps
from typing import Callable, Iterable

from flask_login import current_user

from marketplace.core.errors import Forbidden, Unauthorized

MANAGER = "manager"
MEMBER = "member"


def require_user():
    """The authenticated user, or raise 401."""
    if not current_user or not current_user.is_authenticated:
        raise Unauthorized("Log in or send a valid bearer token.")
    return current_user._get_current_object()


def require_admin():
    """The authenticated admin, or raise 401/403."""
    user = require_user()
    if not user.is_admin:
        raise Forbidden("Only administrators may do this.")
    return user


def require_membership(
    *,
    kinds: Iterable[str] | None = None,
    role: str | None = None,
    verified: bool = False,
):
    """The authenticated user if their organization and role allow the action, else 401/403."""
    user = require_user()
    org = user.organization
    if org is None:
        raise Forbidden("This action needs a member of an organization.")
    kinds = tuple(kinds or ())
    if kinds and org.kind not in kinds:
        raise Forbidden(f"Only members of a {' or '.join(kinds)} organization may do this.")
    if role == MANAGER and user.role != MANAGER:
        raise Forbidden("Only the organization's managers may do this.")
    if verified and not org.is_verified:
        raise Forbidden("Your organization must be verified by an administrator first.")
    return user


def login_required(fn: Callable) -> Callable:
    """Decorator: 401 unless authenticated."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        require_user()
        return fn(*args, **kwargs)

    return wrapper


def admin_required(fn: Callable) -> Callable:
    """Decorator: 403 unless an administrator."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        require_admin()
        return fn(*args, **kwargs)

    return wrapper


def membership_required(*, kinds: Iterable[str] | None = None, role: str | None = None, verified: bool = False):
    """Decorator form of :func:`require_membership`."""

    def decorator(fn: Callable) -> Callable:
        @wraps(fn)
        def wrapper(*args, **kwargs):
            require_membership(kinds=kinds, role=role, verified=verified)
            return fn(*args, **kwargs)

        return wrapper

    return decorator


manager_required = membership_required(role=MANAGER)
