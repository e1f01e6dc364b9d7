"""Schema base classes and shared fields.

Every request schema derives from :class:`Schema`, which bounds what a client may send before it
reaches the database: integers stay within their column's range (row ids within 1..2^31-1), text
holds no control characters and times exist in UTC. The bounds are validators, so the OpenAPI spec states them.
"""

from __future__ import annotations

import decimal
import re
from datetime import datetime, timezone

import marshmallow as ma
from marshmallow import validate

from marketplace.core.errors import ValidationFailed

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
#: a row id (``integer`` primary keys on PostgreSQL)
ID_RANGE = (1, INT32_MAX)
#: any other integer without a declared range is stored in an ``integer`` column
INT_RANGE = (INT32_MIN, INT32_MAX)

#: C0 and C1 control characters other than tab, line feed and carriage return; DEL; lone surrogates
#: (PostgreSQL stores none of NUL or surrogates, and the others have no place in text people read)
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
NO_CHANGE_MESSAGE = "Send at least one field to change."
CONTROL_CHARACTERS_MESSAGE = "Control characters are not allowed (only tab, line feed and carriage return)."


def is_id_name(name: str | None) -> bool:
    """Whether a field named ``name`` holds row ids (``id``, ``*_id``, ``*_ids``)."""
    return bool(name) and (name == "id" or name.endswith("_id") or name.endswith("_ids"))


def require_changes(changes: dict) -> None:
    """422 for an edit that names no field (for edits whose ``If-Match`` is checked first)."""
    if not changes:
        raise ValidationFailed(NO_CHANGE_MESSAGE, errors={"_schema": [NO_CHANGE_MESSAGE]})


def reject_control_characters(value: str) -> str:
    """Validator: no control characters other than tab, line feed and carriage return."""
    if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
        raise ma.ValidationError(CONTROL_CHARACTERS_MESSAGE)
    return value


def reject_times_beyond_utc(value: datetime) -> datetime:
    """Validator: an aware time must exist in UTC too (``9999-12-31T23:00-05:00`` does not)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        try:
            value.astimezone(timezone.utc)
        except OverflowError:
            raise ma.ValidationError("This time is out of range once converted to UTC.") from None
    return value


def _declared_bounds(field: ma.fields.Field) -> tuple[int | None, int | None]:
    lows = [v.min for v in field.validators if isinstance(v, validate.Range) and v.min is not None]
    highs = [v.max for v in field.validators if isinstance(v, validate.Range) and v.max is not None]
    return (max(lows) if lows else None), (min(highs) if highs else None)


def guard_field(field: ma.fields.Field, name: str | None) -> None:
    """Add the storage bounds a request field lacks: a range on integers, no control characters in text,
    times that exist in UTC.

    Looks inside lists, tuples and dicts; nested schemas guard their own fields.
    """
    if isinstance(field, ma.fields.Integer):
        low, high = ID_RANGE if is_id_name(name) else INT_RANGE
        declared_low, declared_high = _declared_bounds(field)
        if declared_low is None or declared_high is None:
            field.validators = [
                *field.validators,
                validate.Range(
                    min=low if declared_low is None else None,
                    max=high if declared_high is None else None,
                ),
            ]
    elif isinstance(field, ma.fields.String):
        if reject_control_characters not in field.validators:
            field.validators = [reject_control_characters, *field.validators]
    elif isinstance(field, ma.fields.DateTime):
        field.validators = [*field.validators, reject_times_beyond_utc]
    elif isinstance(field, ma.fields.List):
        guard_field(field.inner, name)
    elif isinstance(field, ma.fields.Tuple):
        for inner in field.tuple_fields:
            guard_field(inner, name)
    elif isinstance(field, ma.fields.Dict):
        for inner in (field.key_field, field.value_field):
            if inner is not None:
                guard_field(inner, None)


class JSONBoolean(ma.fields.Boolean):
    """``true`` or ``false``, as the spec says (marshmallow's Boolean also takes 1, "yes", "on"...)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class Schema(ma.Schema):
    """Base for request and response schemas: unknown input fields are an error; integers and text
    are bounded; a boolean in a JSON body is ``true`` or ``false`` (query strings keep their
    spellings: ``QueryArgs``)."""

    class Meta:
        unknown = ma.RAISE
        ordered = True

    def on_bind_field(self, field_name: str, field_obj: ma.fields.Field) -> None:
        if type(field_obj) is ma.fields.Boolean and not isinstance(self, QueryArgs):
            field_obj.__class__ = JSONBoolean
        if not field_obj.dump_only:
            guard_field(field_obj, field_obj.data_key or field_name)


class UpdateSchema(Schema):
    """Base for ``PATCH`` bodies: every field optional, at least one of them sent (422 otherwise).

    An edit guarded by ``If-Match`` keeps a plain :class:`Schema` and refuses an empty change in
    its service, after the precondition (a stale ETag is reported first).
    """

    @ma.validates_schema(pass_original=True)
    def _require_a_field(self, data, original_data, **kwargs):
        if isinstance(original_data, dict) and not original_data:
            raise ma.ValidationError(NO_CHANGE_MESSAGE)


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


#: the spec's statement of ``reject_control_characters`` (JSON Schema ``pattern``, Python and ECMA syntax;
#: lone surrogates are left out: validators built on Rust's regex cannot read a surrogate range)
NO_CONTROL_CHARACTERS_PATTERN = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"


def control_characters2properties(self, field, ret=None, **kwargs) -> dict:
    """apispec attribute function: text that refuses control characters says so with a ``pattern``
    (a field with a pattern or a format of its own keeps it: an email address, a URL or a pattern
    admits no control character, and a pattern beside a format would generate off the format; a field
    that reads control characters as spaces, ``replaces_control_characters``, has none)."""
    if not isinstance(field, ma.fields.String) or reject_control_characters not in field.validators:
        return {}
    if getattr(field, "replaces_control_characters", False):
        return {}
    if ret is not None and ("pattern" in ret or "format" in ret):
        return {}
    return {"pattern": NO_CONTROL_CHARACTERS_PATTERN}
