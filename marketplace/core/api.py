"""flask-smorest ``Api`` whose every error is problem+json."""

from __future__ import annotations

import http
import logging

import marshmallow as ma
from apispec import BasePlugin
from flask import current_app, request
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
from marketplace.core.schemas import UpdateSchema, control_characters2properties, one_of_object2properties

log = logging.getLogger(__name__)


class ProblemSchema(ma.Schema):
    """An RFC 9457 problem document (documentation only)."""

    type = ma.fields.String(metadata={"description": "URI identifying the problem type"})
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    errors = ma.fields.Dict(metadata={"description": "Messages by input field"})


class TakenTermsSchema(ma.Schema):
    """What an active license already holds: which assets, fields and territories, until when."""

    license_id = ma.fields.Integer(metadata={"description": "The license holding them: only for the licensor's people"})
    licensee_id = ma.fields.Integer(metadata={"description": "Who holds it: only for the licensor's people, "
                                                            "never for a rival"})
    exclusivity = ma.fields.String(metadata={"description": "exclusive or sole"})
    asset_ids = ma.fields.List(ma.fields.Integer(), metadata={"description": "The assets both licenses cover"})
    fields = ma.fields.List(ma.fields.String(), metadata={"description": "Fields of use taken"})
    territories = ma.fields.List(ma.fields.String(), metadata={"description": "Territories taken"})
    until = ma.fields.Date(allow_none=True, metadata={"description": "Last day of that license; null: until terminated"})


class ConflictProblemSchema(ProblemSchema):
    """A 409 problem: an illegal state change, or a conflict with data as it is now. The members
    that apply to the conflict are present; ``type`` tells which conflict it is."""

    current_state = ma.fields.String(metadata={"description": "The object's state now"})
    allowed_actions = ma.fields.List(ma.fields.String(), metadata={"description": "What you may do from that state"})
    awaiting = ma.fields.String(metadata={"description": "Whose turn it is in a negotiation: company or university"})
    conflicts = ma.fields.List(
        ma.fields.Nested(TakenTermsSchema),
        metadata={"description": "license-conflict: what active exclusive or sole licenses already hold"},
    )
    nda_request_id = ma.fields.Integer(metadata={"description": "Your organization's NDA request already open"})
    report_id = ma.fields.Integer(metadata={"description": "The report that already covers the period"})
    application_id = ma.fields.Integer(metadata={"description": "Your startup's application to this cohort"})
    applications_open_at = ma.fields.DateTime(metadata={"description": "application-window-closed: the window"})
    applications_close_at = ma.fields.DateTime()
    capacity = ma.fields.Integer(metadata={"description": "cohort-full: places in the cohort"})
    accepted = ma.fields.Integer(metadata={"description": "cohort-full: places taken"})
    offer_id = ma.fields.Integer(metadata={"description": "offer-exists: your organization's open offer"})
    current_version = ma.fields.String(metadata={"description": "nda-version-changed: the NDA version to agree to"})
    balance = ma.fields.Integer(metadata={"description": "payout-exceeds-balance: what the platform holds (minor units)"})


class PreconditionFailedProblemSchema(ProblemSchema):
    """A 412 problem: the If-Match ETag is stale."""

    current_etag = ma.fields.String(metadata={"description": "The ETag of the current version"})


#: problem schemas of the statuses whose problems carry more members than ``ProblemSchema``
PROBLEM_SCHEMAS = {409: ConflictProblemSchema, 412: PreconditionFailedProblemSchema}


class ProblemResponsesPlugin(BasePlugin):
    """Documents the problems an operation can answer besides its default error: every write may
    meet a conflict (409); an operation taking ``If-Match`` answers 412 for a stale ETag and, when
    the header is missing where required, 428."""

    WRITES = ("post", "put", "patch", "delete")

    def operation_helper(self, path=None, operations=None, **kwargs):
        for method, operation in (operations or {}).items():
            if method not in self.WRITES:
                continue
            responses = operation.setdefault("responses", {})
            responses.setdefault("409", "CONFLICT")
            parameters = operation.get("parameters") or []
            if any(isinstance(p, dict) and p.get("name") == "If-Match" for p in parameters):
                responses.setdefault("412", "PRECONDITION_FAILED")
                responses.setdefault("428", "PRECONDITION_REQUIRED")


def _declares_query_arguments(view_function, method: str) -> bool | None:
    """Whether the API operation behind ``view_function`` parses query arguments; None when it is
    not an API operation (a page, the spec, the docs)."""
    view_class = getattr(view_function, "view_class", None)
    handler = getattr(view_class, method.lower(), None) if view_class is not None else None
    apidoc = getattr(handler, "_apidoc", None)
    if apidoc is None:
        return None
    parameters = (apidoc.get("arguments") or {}).get("parameters") or []
    return any(p.get("in") in ("query", "querystring") for p in parameters)


def reject_undeclared_query_parameters():
    """422 for query parameters sent to an API operation that takes none (operations that take
    some reject unknown ones in their ``QueryArgs`` schema), before any work is done."""
    if not request.args or request.endpoint is None:
        return None
    view_function = current_app.view_functions.get(request.endpoint)
    if _declares_query_arguments(view_function, request.method) is not False:
        return None
    errors = {name: ["Unknown field."] for name in sorted(request.args)}
    return problem(422, detail="Some fields are invalid: " + ", ".join(errors), errors=errors)


class ProblemApi(Api):
    """The project's Api: problem+json for every error, domain exceptions mapped once."""

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = "DEFAULT_ERROR"

    def _init_spec(self, *, extra_plugins=None, **options):
        self.json_bodies = inputs.JsonBodyPlugin()
        super()._init_spec(
            extra_plugins=[*(extra_plugins or ()), self.json_bodies, ProblemResponsesPlugin()], **options
        )
        self.ma_plugin.converter.add_attribute_function(one_of_object2properties)
        self.ma_plugin.converter.add_attribute_function(control_characters2properties)
        schema2jsonschema = self.ma_plugin.converter.schema2jsonschema

        def schema2jsonschema_with_a_field_required(schema):
            """A ``PATCH`` body of an ``UpdateSchema`` names at least one field (``minProperties``)."""
            json_schema = schema2jsonschema(schema)
            if isinstance(schema, UpdateSchema) or (isinstance(schema, type) and issubclass(schema, UpdateSchema)):
                json_schema["minProperties"] = 1
            return json_schema

        self.ma_plugin.converter.schema2jsonschema = schema2jsonschema_with_a_field_required

    def init_app(self, app, *, spec_kwargs=None):
        """Bind to ``app``, with the id and text path converters, the JSON body check (see ``core.inputs``)
        and the refusal of undeclared query parameters."""
        super().init_app(app, spec_kwargs=spec_kwargs)
        inputs.init_app(app, self.json_bodies)
        app.before_request(reject_undeclared_query_parameters)

    def _register_error_handlers(self):
        self._app.register_error_handler(HTTPException, self.handle_http_exception)
        self._app.register_error_handler(DomainError, domain_error_response)
        self._app.register_error_handler(Exception, self.handle_unexpected)

    def _register_responses(self):
        """Document every error response with the problem+json media type."""
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = PROBLEM_SCHEMAS.get(status, self.ERROR_SCHEMA)
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
