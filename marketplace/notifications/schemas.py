"""Notification schemas."""

from __future__ import annotations

import marshmallow as ma

from marketplace.core.schemas import Schema


class NotificationArgs(Schema):
    class Meta:
        unknown = ma.EXCLUDE

    unread = ma.fields.Boolean(load_default=None)


class NotificationSchema(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    title = ma.fields.String()
    body = ma.fields.String()
    data = ma.fields.Dict()
    created_at = ma.fields.DateTime()
    read_at = ma.fields.DateTime()


class UnreadCountSchema(ma.Schema):
    unread = ma.fields.Integer()
