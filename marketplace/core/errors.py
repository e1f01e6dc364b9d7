"""Domain exceptions and their rendering as ``application/problem+json`` (RFC 9457)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Response, json

PROBLEM_MIMETYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://marketplace.local/problems/"


class DomainError(Exception):
    """Base for errors that services raise and the API renders as problem+json."""

    status = 400
    slug = "bad-request"
    title: str | None = None

    def __init__(self, detail: str | None = None, *, errors: dict | None = None, **extra: Any):
        super().__init__(detail or self.title or HTTPStatus(self.status).phrase)
        self.detail = detail
        self.errors = errors
        self.extra = extra


class MalformedBody(DomainError):
    status = 400
    slug = "malformed-body"
    title = "The request body cannot be read"


class ValidationFailed(DomainError):
    status = 422
    slug = "validation-error"
    title = "Request validation failed"


class Unauthorized(DomainError):
    status = 401
    slug = "unauthorized"
    title = "Authentication required"


class Forbidden(DomainError):
    status = 403
    slug = "forbidden"
    title = "Forbidden"


class NotFound(DomainError):
    status = 404
    slug = "not-found"
    title = "Not found"


class Conflict(DomainError):
    status = 409
    slug = "conflict"
    title = "Conflict"


class InvalidTransition(Conflict):
    slug = "invalid-transition"
    title = "Illegal state change"


class PreconditionFailed(DomainError):
    status = 412
    slug = "precondition-failed"
    title = "Precondition failed"


class PreconditionRequired(DomainError):
    status = 428
    slug = "precondition-required"
    title = "Precondition required"


class UnsupportedMediaType(DomainError):
    status = 415
    slug = "unsupported-media-type"
    title = "The request body must be JSON"


class TooManyRequests(DomainError):
    status = 429
    slug = "rate-limited"
    title = "Too many requests"


def problem(
    status: int,
    *,
    title: str | None = None,
    detail: str | None = None,
    slug: str | None = None,
    errors: dict | None = None,
    headers: dict | None = None,
    **extra: Any,
) -> Response:
    """Build a problem+json response."""
    phrase = HTTPStatus(status).phrase
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + (slug or phrase.lower().replace(" ", "-").replace("'", "")),
        "title": title or phrase,
        "status": status,
        "detail": detail or title or phrase,
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def domain_error_response(error: DomainError) -> Response:
    """Render a DomainError."""
    extra = dict(error.extra)
    headers = extra.pop("headers", None)
    slug = extra.pop("slug", None) or error.slug
    return problem(
        error.status,
        title=error.title,
        detail=error.detail,
        slug=slug,
        errors=error.errors,
        headers=headers,
        **extra,
    )


def flatten_validation_messages(messages: dict) -> dict:
    """Turn webargs' ``{location: {field: [...]}}`` into ``{field: [...]}``.

    Body fields keep their names; query, header and path fields are prefixed only when a body
    field of the same name also failed, so a client can always tell which input was wrong.
    """
    flat: dict[str, Any] = {}
    for location, fields in messages.items():
        if not isinstance(fields, dict):
            flat[location] = fields
            continue
        for name, msgs in fields.items():
            key = name if name not in flat else f"{location}.{name}"
            flat[key] = msgs
    return flat
