"""Error pages: HTML for pages, problem+json (unchanged) for the API."""

from __future__ import annotations

import logging
from http import HTTPStatus

import marshmallow as ma
from flask import Flask, redirect, render_template
from flask_babel import gettext
from werkzeug.exceptions import HTTPException, InternalServerError

from marketplace.core.errors import DomainError, domain_error_response
from marketplace.extensions import api
from marketplace.web.security import is_page_request, login_url

log = logging.getLogger(__name__)


def _messages(status: int) -> tuple[str, str]:
    if status == 404:
        return gettext("Page not found"), gettext("There is no page at this address. It may have been moved or taken down.")
    if status == 403:
        return gettext("Not allowed"), gettext("You may not see this page or do this action.")
    if status >= 500:
        return gettext("Something went wrong"), gettext("An unexpected error occurred. It has been logged; please try again later.")
    if status == 429:
        return gettext("Too many requests"), gettext("Please wait a moment before trying again.")
    return gettext("The request could not be handled"), gettext("Please check the address or the form and try again.")


def error_page(status: int, headers: dict | None = None):
    """The HTML error page for ``status``."""
    title, message = _messages(status)
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    body = render_template("web/error.html", status=status, phrase=phrase, title=title, message=message)
    return body, status, headers or {}


def handle_http_exception(error: HTTPException):
    if not is_page_request():
        return api.handle_http_exception(error)
    headers = {}
    if error.code == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    return error_page(error.code or 500, headers)


def handle_domain_error(error: DomainError):
    if not is_page_request():
        return domain_error_response(error)
    if error.status == 401:
        return redirect(login_url(), 303)
    headers = (error.extra or {}).get("headers")
    return error_page(error.status, headers)


def handle_invalid_input(error: ma.ValidationError):
    """A page that read its query string with a schema and let the error through: a 400 page."""
    if not is_page_request():
        return handle_unexpected(error)
    return error_page(400)


def handle_unexpected(error: Exception):
    if not is_page_request():
        return api.handle_unexpected(error)
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    log.exception("unhandled error", exc_info=error)
    return handle_http_exception(InternalServerError())


def init_app(app: Flask) -> None:
    """Replace the API's handlers (registered first) with ones that answer pages in HTML."""
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(ma.ValidationError, handle_invalid_input)
    app.register_error_handler(Exception, handle_unexpected)
