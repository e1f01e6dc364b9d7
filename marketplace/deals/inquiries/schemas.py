"""Inquiry request and response schemas."""

from __future__ import annotations

import marshmallow as ma

from marketplace.core.pagination import PageArgs
from marketplace.core.schemas import Schema, TrimmedString, non_blank
from marketplace.deals.schemas import ListingRefSchema, PartyRefSchema, ParticipantSchema


class InquiryCreateSchema(Schema):
    listing_id = ma.fields.Integer(required=True, strict=True)
    subject = TrimmedString(required=True, validate=non_blank(200))
    message = TrimmedString(required=True, validate=non_blank(10_000))


class MessageCreateSchema(Schema):
    body = TrimmedString(required=True, validate=non_blank(10_000))


class InquiryListArgs(PageArgs):
    listing_id = ma.fields.Integer(load_default=None)
    unread = ma.fields.Boolean(load_default=None)


class InquirySchema(ma.Schema):
    id = ma.fields.Integer()
    subject = ma.fields.String()
    listing = ma.fields.Nested(ListingRefSchema)
    company = ma.fields.Nested(PartyRefSchema)
    university = ma.fields.Nested(PartyRefSchema)
    created_by = ma.fields.Nested(ParticipantSchema, allow_none=True)
    created_at = ma.fields.DateTime()
    last_message_at = ma.fields.DateTime()
    message_count = ma.fields.Integer()
    unread_count = ma.fields.Integer(metadata={"description": "Messages from the other side you have not read"})


class MessageSchema(ma.Schema):
    id = ma.fields.Integer()
    body = ma.fields.String()
    author = ma.fields.Nested(ParticipantSchema, allow_none=True)
    author_organization = ma.fields.Nested(PartyRefSchema)
    created_at = ma.fields.DateTime()


class UnreadInquiriesSchema(ma.Schema):
    unread = ma.fields.Integer(metadata={"description": "Unread messages over all your organization's inquiries"})
    threads = ma.fields.Integer(metadata={"description": "Inquiries with at least one unread message"})
