"""What pages send besides their HTML: a Content-Security-Policy without inline scripts, caching."""

from __future__ import annotations

from flask import Flask, request
from flask_login import current_user

from marketplace.core.security import csrf_token
from marketplace.web.i18n import current_language

#: own scripts, styles and images only; forms post only here; no plugins, frames or <base>
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'"
)
LOGIN_PATH = "/login"
LOGOUT_PATH = "/logout"


def is_page_request() -> bool:
    """Pages are everything outside the JSON API and its docs (``/api/...``)."""
    return not request.path.startswith("/api/")


def login_url(next_path: str | None = None) -> str:
    """The login page, coming back to ``next_path`` (the current page by default) afterwards."""
    from urllib.parse import urlencode

    target = next_path if next_path is not None else request.full_path.rstrip("?")
    return f"{LOGIN_PATH}?{urlencode({'next': target})}"


def page_headers(response):
    if not is_page_request():
        return response
    if "Content-Security-Policy" not in response.headers:  # a view may send a stricter one (an SVG image)
        response.headers["Content-Security-Policy"] = PAGE_CSP
    if response.mimetype == "text/html":
        response.headers["Content-Language"] = current_language()
    response.vary.update(("Cookie", "Accept-Language"))
    if "Cache-Control" not in response.headers and response.mimetype == "text/html":
        response.headers["Cache-Control"] = "private, no-store" if current_user.is_authenticated else "no-cache"
    return response


def init_app(app: Flask) -> None:
    app.after_request(page_headers)
    app.jinja_env.globals.update(csrf_token=csrf_token, login_url=login_url, logout_path=LOGOUT_PATH)
