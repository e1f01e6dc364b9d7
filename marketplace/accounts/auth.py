"""Flask-Login wiring: session cookies for browsers, bearer tokens for programs."""

from __future__ import annotations

from flask import g, request
from flask_login import current_user

from marketplace.accounts import services, sessions
from marketplace.core.errors import Unauthorized
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
