"""Admin-only schemas."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from marketplace.core.pagination import PageArgs
from marketplace.core.schemas import Schema


class AuditEventArgs(PageArgs):
    action = ma.fields.String(load_default=None, validate=validate.Length(max=80))
    object_type = ma.fields.String(load_default=None, validate=validate.Length(max=60))
    object_id = ma.fields.String(load_default=None, validate=validate.Length(max=64))
    actor_user_id = ma.fields.Integer(load_default=None)
    since = ma.fields.AwareDateTime(load_default=None, default_timezone=None)
    until = ma.fields.AwareDateTime(
        load_default=None, default_timezone=None, metadata={"description": "Events before this moment"}
    )


class AuditEventSchema(ma.Schema):
    id = ma.fields.Integer()
    created_at = ma.fields.DateTime()
    actor_user_id = ma.fields.Integer(allow_none=True)
    actor_organization_id = ma.fields.Integer(allow_none=True)
    action = ma.fields.String()
    object_type = ma.fields.String()
    object_id = ma.fields.String(allow_none=True)
    changes = ma.fields.Dict()
    ip_address = ma.fields.String(allow_none=True)
