"""Schema base classes and shared fields."""

from __future__ import annotations

import decimal

import marshmallow as ma
from marshmallow import validate


class JSONBoolean(ma.fields.Boolean):
    """``true`` or ``false``, as the spec says (marshmallow's Boolean also takes 1, "yes", "on"...)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class Schema(ma.Schema):
    """Base for request and response schemas: unknown input fields are an error, and a boolean
    in a JSON body is ``true`` or ``false`` (query strings keep their spellings: ``QueryArgs``)."""

    class Meta:
        unknown = ma.RAISE
        ordered = True

    def on_bind_field(self, field_name, field_obj):
        if type(field_obj) is ma.fields.Boolean and not isinstance(self, QueryArgs):
            field_obj.__class__ = JSONBoolean


class TrimmedString(ma.fields.String):
    """A string with surrounding whitespace removed on load."""

    def _deserialize(self, value, attr, data, **kwargs):
        result = super()._deserialize(value, attr, data, **kwargs)
        return result.strip()


def non_blank(max_length: int, min_length: int = 1) -> list:
    """Validators for a required human-readable text field."""
    return [validate.Length(min=min_length, max=max_length)]


class ReasonSchema(Schema):
    """A reason given for a decision (reject, suspend, void...)."""

    reason = TrimmedString(required=True, validate=non_blank(2000))


class OptionalReasonSchema(Schema):
    reason = TrimmedString(load_default=None, validate=validate.Length(max=2000))


class QueryArgs(Schema):
    """Query-string arguments: an unknown parameter is an error (422 naming it), as for bodies.

    webargs would drop unknown query parameters (its default for that location); an endpoint
    has one ``QueryArgs`` schema, so it knows every parameter it takes.
    """

    def load(self, data, *, many=None, partial=None, unknown=None):
        return super().load(data, many=many, partial=partial, unknown=self.unknown)


class DecimalString(ma.fields.Decimal):
    """An exact decimal number sent as a string (e.g. ``"3.25"``): documented as such."""

    def __init__(self, places: int = 2, **kwargs):
        kwargs.setdefault("rounding", decimal.ROUND_HALF_UP)
        super().__init__(places=places, as_string=True, **kwargs)
        pattern = r"^-?\d+\.\d{%d}$" % places if places else r"^-?\d+$"
        self.metadata = {"type": "string", "format": "decimal", "pattern": pattern, **self.metadata}


class OneOfObject(ma.fields.Dict):
    """A JSON object with the shape of one of ``schemas``; a sibling field says which, and the
    service validates it with that schema. Documented as ``oneOf`` the schemas' components."""

    def __init__(self, schemas: list[type[ma.Schema]], **kwargs):
        super().__init__(**kwargs)
        self.schemas = schemas


def one_of_object2properties(self, field, ret=None, **kwargs) -> dict:
    """apispec attribute function: ``OneOfObject`` as ``oneOf`` references to its schemas."""
    if not isinstance(field, OneOfObject):
        return {}
    if ret is not None:
        ret.pop("additionalProperties", None)
    return {"oneOf": [self.resolve_nested_schema(schema) for schema in field.schemas]}
