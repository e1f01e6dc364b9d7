"""Schemas for confidential details and NDA requests."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from marketplace.core.pagination import PageArgs
from marketplace.core.schemas import ReasonSchema, Schema, TrimmedString, non_blank
from marketplace.deals.ndas.models import NDA_STATUSES
from marketplace.deals.schemas import ListingRefSchema, PartyRefSchema, ParticipantSchema


class ConfidentialDetailsUpdateSchema(Schema):
    text = TrimmedString(required=True, validate=validate.Length(max=50_000))
    document_names = ma.fields.List(TrimmedString(validate=non_blank(300)), load_default=list, validate=validate.Length(max=100))
    nda_title = TrimmedString(required=True, validate=non_blank(200))
    nda_version = TrimmedString(required=True, validate=non_blank(40))

    @ma.validates_schema
    def _something_to_disclose(self, data, **kwargs):
        if not data.get("text") and not data.get("document_names"):
            raise ma.ValidationError("Give a text or at least one document name.", "text")


class ConfidentialDetailsSchema(ma.Schema):
    """Everyone sees that details exist and under which NDA; only entitled callers see ``text`` and ``document_names``."""

    listing_id = ma.fields.Integer()
    exists = ma.fields.Boolean()
    nda_title = ma.fields.String()
    nda_version = ma.fields.String()
    document_count = ma.fields.Integer()
    access = ma.fields.String(
        metadata={"description": "granted (owner, accepted NDA, admin), nda_pending, nda_required, or none (no details)"}
    )
    nda_request_id = ma.fields.Integer(allow_none=True, metadata={"description": "Your organization's live NDA request"})
    text = ma.fields.String()
    document_names = ma.fields.List(ma.fields.String())
    updated_at = ma.fields.DateTime()


class NDARequestCreateSchema(Schema):
    listing_id = ma.fields.Integer(required=True, strict=True)
    nda_version = TrimmedString(
        required=True, validate=non_blank(40), metadata={"description": "The version of the NDA you read and agree to"}
    )
    agree = ma.fields.Boolean(required=True, metadata={"description": "Must be true: you agree to the NDA's terms"})
    message = TrimmedString(load_default=None, validate=validate.Length(max=5000))

    @ma.validates("agree")
    def _must_agree(self, value, **kwargs):
        if value is not True:
            raise ma.ValidationError("You must agree to the NDA to request access.")


class NDADeclineSchema(ReasonSchema):
    pass


class NDAListArgs(PageArgs):
    status = ma.fields.String(load_default=None, validate=validate.OneOf(NDA_STATUSES))
    listing_id = ma.fields.Integer(load_default=None)


class NDARequestSchema(ma.Schema):
    id = ma.fields.Integer()
    listing = ma.fields.Nested(ListingRefSchema)
    company = ma.fields.Nested(PartyRefSchema)
    university = ma.fields.Nested(PartyRefSchema)
    status = ma.fields.String()
    nda_title = ma.fields.String()
    nda_version = ma.fields.String()
    requested_by = ma.fields.Nested(ParticipantSchema, allow_none=True)
    agreed_at = ma.fields.DateTime()
    message = ma.fields.String(allow_none=True)
    decided_by = ma.fields.Nested(ParticipantSchema, allow_none=True)
    decided_at = ma.fields.DateTime(allow_none=True)
    decline_reason = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
