"""CSRF protection for cookie sessions, security headers, and login throttling."""

from __future__ import annotations

import hmac
import secrets
import time

from flask import Flask, current_app, g, request, session
from flask_login import current_user
from limits import parse

from marketplace.core.errors import Forbidden, TooManyRequests

CSRF_HEADER = "X-CSRF-Token"
CSRF_SESSION_KEY = "csrf_token"
CSRF_FORM_FIELD = "csrf_token"
FORM_MIMETYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
#: endpoints called by third parties that authenticate by other means (signatures)
CSRF_EXEMPT_ENDPOINTS: set[str] = set()


def csrf_token() -> str:
    """The session's CSRF token (created on first use)."""
    token = session.get(CSRF_SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        session[CSRF_SESSION_KEY] = token
    return token


def rotate_csrf_token() -> str:
    session.pop(CSRF_SESSION_KEY, None)
    return csrf_token()


def csrf_token_matches(sent: str | None) -> bool:
    """Whether ``sent`` is the session's CSRF token."""
    expected = session.get(CSRF_SESSION_KEY, "")
    return bool(sent and expected and hmac.compare_digest(sent, expected))


def check_csrf() -> None:
    """Refuse unsafe requests authenticated by the session cookie without a matching CSRF token.

    The token comes in the ``X-CSRF-Token`` header (API clients) or a form's hidden ``csrf_token``
    field (pages). Bearer-token requests carry no ambient credentials and need none; unauthenticated requests
    have no session to abuse.
    """
    if request.method in SAFE_METHODS or request.endpoint in CSRF_EXEMPT_ENDPOINTS:
        return
    if not current_user.is_authenticated or g.get("auth_method") == "token":
        return
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and request.mimetype in FORM_MIMETYPES:
        sent = request.form.get(CSRF_FORM_FIELD, "")  # a page's form carries it as a hidden field
    if not csrf_token_matches(sent):
        raise Forbidden(
            f"Missing or invalid CSRF token: send the token from /api/v1/auth/me in the {CSRF_HEADER} header.",
            slug="csrf-failed",
        )


def security_headers(response):
    """Conservative headers on every response."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'",
    )
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.path.startswith("/api/v1/") and "Cache-Control" not in headers:
        user = g.get("_login_user")
        headers["Cache-Control"] = "no-store" if user is not None and user.is_authenticated else "no-cache"
    return response


def throttle(name: str, limit: str, key: str) -> None:
    """Count one hit for ``key`` under ``name``; 429 once ``limit`` (e.g. "5 per minute") is passed."""
    limiter = current_app.extensions.get("limiter")
    if not current_app.config.get("RATELIMIT_ENABLED", True) or limiter is None:
        return
    item = parse(limit)
    strategy = next(iter(limiter)).limiter
    if not strategy.hit(item, name, key):
        reset_at, _ = strategy.get_window_stats(item, name, key)
        retry = max(1, int(reset_at - time.time()))
        raise TooManyRequests(
            f"Too many attempts. Try again in {retry} seconds.",
            headers={"Retry-After": str(retry)},
        )


def csrf_cookie(response):
    """Mirror the session's CSRF token in a script-readable cookie (double-submit convenience)."""
    token = session.get(CSRF_SESSION_KEY)
    if token and request.cookies.get(CSRF_SESSION_KEY) != token:
        response.set_cookie(
            CSRF_SESSION_KEY,
            token,
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
            samesite="Strict",
            httponly=False,
        )
    return response


def init_security(app: Flask) -> None:
    app.before_request(check_csrf)
    app.after_request(security_headers)
    app.after_request(csrf_cookie)
