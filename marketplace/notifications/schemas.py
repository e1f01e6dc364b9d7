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
