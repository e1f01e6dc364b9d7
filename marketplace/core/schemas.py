"""Schema base classes and shared fields."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate


class Schema(ma.Schema):
    """Base for request and response schemas: unknown input fields are an error."""

    class Meta:
        unknown = ma.RAISE
        ordered = True


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
