"""Webhook endpoints and deliveries as the API takes and shows them."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from marketplace.core.schemas import Schema, UpdateSchema
from marketplace.jobs.webhooks.services import EVENT_TYPES


class EndpointCreateSchema(Schema):
    url = ma.fields.String(required=True, validate=validate.Length(max=2000))
    description = ma.fields.String(load_default="", validate=validate.Length(max=300))
    event_types = ma.fields.List(ma.fields.String(validate=validate.OneOf(EVENT_TYPES)), required=True,
                                 validate=validate.Length(min=1))


class EndpointUpdateSchema(UpdateSchema):
    url = ma.fields.String(validate=validate.Length(max=2000))
    description = ma.fields.String(validate=validate.Length(max=300))
    event_types = ma.fields.List(ma.fields.String(validate=validate.OneOf(EVENT_TYPES)),
                                 validate=validate.Length(min=1))
    is_enabled = ma.fields.Boolean()


class EndpointSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    url = ma.fields.String(dump_only=True)
    description = ma.fields.String(dump_only=True)
    event_types = ma.fields.List(ma.fields.String(), dump_only=True)
    is_enabled = ma.fields.Boolean(dump_only=True)
    disabled_reason = ma.fields.String(dump_only=True, allow_none=True)
    disabled_at = ma.fields.DateTime(dump_only=True, allow_none=True)
    created_at = ma.fields.DateTime(dump_only=True)


class EndpointCreatedSchema(EndpointSchema):
    #: the signing secret, shown in this response only
    secret = ma.fields.String(dump_only=True)


class AttemptSchema(ma.Schema):
    attempted_at = ma.fields.DateTime(dump_only=True)
    response_status = ma.fields.Integer(dump_only=True, allow_none=True)
    error = ma.fields.String(dump_only=True, allow_none=True)
    duration_ms = ma.fields.Integer(dump_only=True)


class DeliverySchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    message_id = ma.fields.String(dump_only=True)
    event_type = ma.fields.String(dump_only=True)
    status = ma.fields.String(dump_only=True)
    next_attempt_at = ma.fields.DateTime(dump_only=True, allow_none=True)
    delivered_at = ma.fields.DateTime(dump_only=True, allow_none=True)
    created_at = ma.fields.DateTime(dump_only=True)
    attempts = ma.fields.List(ma.fields.Nested(AttemptSchema), dump_only=True)
