"""Offer request and response schemas. Terms are validated per kind in ``offers.terms``."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from marketplace.core.pagination import PageArgs
from marketplace.core.schemas import OneOfObject, Schema, TrimmedString, non_blank
from marketplace.deals.offers.models import OFFER_KINDS, OFFER_STATUSES, REJECTION_REASONS
from marketplace.deals.offers.terms import LicenseTerms, SponsorshipTerms
from marketplace.deals.schemas import ListingRefSchema, PartyRefSchema, ParticipantSchema

_TERMS_DOC = "LicenseTerms when kind is license, SponsorshipTerms when kind is sponsored_research"
_CHANGED_TERMS_DOC = ("Only the terms that change (fields of LicenseTerms or SponsorshipTerms, by the offer's kind); "
                      "lists are replaced whole")


def _terms(**kwargs) -> OneOfObject:
    return OneOfObject([LicenseTerms, SponsorshipTerms], **kwargs)


class OfferCreateSchema(Schema):
    listing_id = ma.fields.Integer(required=True, strict=True)
    kind = ma.fields.String(required=True, validate=validate.OneOf(OFFER_KINDS))
    terms = _terms(required=True, metadata={"description": _TERMS_DOC})
    expires_on = ma.fields.Date(required=True, metadata={"description": "Last day the offer can be accepted"})
    message = TrimmedString(load_default=None, validate=validate.Length(max=5000))


class OfferReviseSchema(Schema):
    terms = ma.fields.Dict(load_default=None, metadata={"description": _CHANGED_TERMS_DOC})
    expires_on = ma.fields.Date(load_default=None, metadata={"description": "New last day; the current one when omitted"})
    message = TrimmedString(load_default=None, validate=validate.Length(max=5000))


class CounterSchema(OfferReviseSchema):
    terms = ma.fields.Dict(required=True, metadata={"description": _CHANGED_TERMS_DOC})


class RejectSchema(Schema):
    reason = ma.fields.String(required=True, validate=validate.OneOf(REJECTION_REASONS))
    text = TrimmedString(required=True, validate=non_blank(2000))


class WithdrawSchema(Schema):
    reason = TrimmedString(load_default=None, validate=validate.Length(max=2000))


class OfferListArgs(PageArgs):
    status = ma.fields.String(load_default=None, validate=validate.OneOf(OFFER_STATUSES))
    kind = ma.fields.String(load_default=None, validate=validate.OneOf(OFFER_KINDS))
    listing_id = ma.fields.Integer(load_default=None)
    awaiting_me = ma.fields.Boolean(load_default=None, metadata={"description": "Open offers waiting for your answer"})


class OfferSchema(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    status = ma.fields.String(attribute="current_status",
                              metadata={"description": "open, accepted, rejected, withdrawn or expired"})
    awaiting = ma.fields.String(attribute="current_awaiting", metadata={"description": "company or university, while open"})
    allowed_actions = ma.fields.List(ma.fields.String(), attribute="allowed",
                                     metadata={"description": "What you may do now"})
    listing = ma.fields.Nested(ListingRefSchema)
    company = ma.fields.Nested(PartyRefSchema)
    university = ma.fields.Nested(PartyRefSchema)
    revision_number = ma.fields.Integer()
    terms = _terms(metadata={"description": _TERMS_DOC})
    expires_on = ma.fields.Date()
    version = ma.fields.Integer()
    created_by = ma.fields.Nested(ParticipantSchema, allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    closed_at = ma.fields.DateTime(allow_none=True)
    rejection_reason = ma.fields.String(allow_none=True)
    rejection_text = ma.fields.String(allow_none=True)
    license_id = ma.fields.Integer(allow_none=True)
    sponsorship_id = ma.fields.Method("get_sponsorship_id", allow_none=True, metadata={"type": "integer"})

    def get_sponsorship_id(self, offer):
        return offer.sponsorship.id if offer.sponsorship else None


class RevisionSchema(ma.Schema):
    number = ma.fields.Integer()
    kind = ma.fields.String(metadata={"description": "offer (the first), counter or edit"})
    side = ma.fields.String()
    author = ma.fields.Nested(ParticipantSchema, allow_none=True)
    terms = _terms(metadata={"description": _TERMS_DOC})
    expires_on = ma.fields.Date()
    message = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    changes = ma.fields.Dict(metadata={"description": "{term: [before, after]} against the previous revision"})

