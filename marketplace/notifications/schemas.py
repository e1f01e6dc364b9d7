"""Notification schemas."""

from __future__ import annotations

import marshmallow as ma

from marketplace.core.pagination import PageArgs
from marketplace.core.schemas import Schema


class NotificationArgs(PageArgs):
    unread = ma.fields.Boolean(load_default=None)


class NotificationSchema(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    title = ma.fields.String()
    body = ma.fields.String()
    data = ma.fields.Dict()
    created_at = ma.fields.DateTime()
    read_at = ma.fields.DateTime(allow_none=True)


class UnreadCountSchema(ma.Schema):
    unread = ma.fields.Integer()


class ReminderKindSchema(ma.Schema):
    kind = ma.fields.String()
    description = ma.fields.String()
    muted = ma.fields.Boolean()


class ReminderPreferencesSchema(ma.Schema):
    kinds = ma.fields.List(ma.fields.Nested(ReminderKindSchema))


class MutedKindsSchema(Schema):
    #: the kinds of reminder to mute; every other kind is sent
    muted = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=60)), required=True,
                           validate=ma.validate.Length(max=50))
