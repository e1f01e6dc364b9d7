"""flask-smorest ``Api`` whose every error is problem+json."""

from __future__ import annotations

import http
import logging

import marshmallow as ma
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from werkzeug.exceptions import HTTPException, InternalServerError

from marketplace.core import inputs
from marketplace.core.errors import (
    PROBLEM_MIMETYPE,
    DomainError,
    domain_error_response,
    flatten_validation_messages,
    problem,
)

log = logging.getLogger(__name__)


class ProblemSchema(ma.Schema):
    """An RFC 9457 problem document (documentation only)."""

    type = ma.fields.String(metadata={"description": "URI identifying the problem type"})
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    errors = ma.fields.Dict(metadata={"description": "Messages by input field"})


class ProblemApi(Api):
    """The project's Api: problem+json for every error, domain exceptions mapped once."""

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = "DEFAULT_ERROR"

    def _init_spec(self, *, extra_plugins=None, **options):
        self.json_bodies = inputs.JsonBodyPlugin()
        super()._init_spec(extra_plugins=[*(extra_plugins or ()), self.json_bodies], **options)

    def init_app(self, app, *, spec_kwargs=None):
        """Bind to ``app``, with the id and text path converters and the JSON body check (see ``core.inputs``)."""
        super().init_app(app, spec_kwargs=spec_kwargs)
        inputs.init_app(app, self.json_bodies)

    def _register_error_handlers(self):
        self._app.register_error_handler(HTTPException, self.handle_http_exception)
        self._app.register_error_handler(DomainError, domain_error_response)
        self._app.register_error_handler(Exception, self.handle_unexpected)

    def _register_responses(self):
        """Document every error response with the problem+json media type."""
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_MIMETYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_MIMETYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def handle_http_exception(self, error: HTTPException):
        """Render any HTTP error (abort, 404 routing, 405, webargs validation) as problem+json."""
        data = getattr(error, "data", None) or {}
        headers = dict(data.get("headers") or {})
        if error.code == 405 and getattr(error, "valid_methods", None):
            headers["Allow"] = ", ".join(error.valid_methods)
        errors = data.get("errors")
        if errors is None and "messages" in data:
            errors = flatten_validation_messages(data["messages"])
        status = error.code or 500
        detail = data.get("message") or error.description
        if status == 422 and errors:
            detail = "Some fields are invalid: " + ", ".join(sorted(errors))
            if set(errors) == {"_schema"}:
                detail = " ".join(map(str, errors["_schema"]))
        if status == 400 and errors and "Invalid JSON body." in str(errors):
            detail = "The request body is not valid JSON."
        if status >= 500:
            detail = "An unexpected error occurred. It has been logged."
        return problem(status, detail=detail, errors=errors, headers=headers)

    def handle_unexpected(self, error: Exception):
        """Log an unhandled exception and answer a 500 problem without leaking internals."""
        if isinstance(error, HTTPException):
            return self.handle_http_exception(error)
        log.exception("unhandled error", exc_info=error)
        return self.handle_http_exception(InternalServerError())
