"""Flask-Login wiring: session cookies for browsers, bearer tokens for programs."""

from __future__ import annotations

from flask import g, request
from flask import session as flask_session
from flask_login import current_user, login_user, logout_user

from marketplace.accounts import services, sessions
from marketplace.core.errors import Unauthorized
from marketplace.core.security import rotate_csrf_token
from marketplace.extensions import db, login_manager


@login_manager.user_loader
def _load_from_session(session_key: str):
    user = sessions.load_session_user(db.session, session_key)
    if user is not None:
        g.auth_method = "session"
    return user


@login_manager.request_loader
def _load_from_bearer(request):
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    user = services.user_for_bearer(db.session, token.strip())
    if user is None:
        g.invalid_bearer = True
        return None
    g.auth_method = "token"
    return user


def reject_invalid_bearer():
    """A request that presents a bad bearer token is refused, even on public endpoints."""
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        current_user._get_current_object()  # runs the loaders
        if g.get("invalid_bearer"):
            raise Unauthorized("The bearer token is invalid, expired or revoked.", slug="invalid-token")


@login_manager.unauthorized_handler
def _unauthorized():
    raise Unauthorized("Log in or send a valid bearer token.")


def log_in(user, remember: bool = False) -> None:
    """Log ``user`` in on this browser: a fresh server session (the old one of this cookie ends), a new CSRF token."""
    end_browser_session()
    flask_session.clear()
    sessions.start_session(db.session, user, remember=remember)
    login_user(user, remember=remember)
    rotate_csrf_token()


def log_out() -> None:
    """Log this browser out, ending its session on the server too (a copy of the cookie stops working)."""
    end_browser_session()
    logout_user()
    flask_session.clear()


def end_browser_session() -> None:
    """End, on the server, the session this request's cookie belongs to (if any)."""
    if current_user.is_authenticated and g.get("auth_method") == "session":
        sessions.end_session(db.session, current_user.session_key)
