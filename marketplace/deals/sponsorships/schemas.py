"""Sponsorship agreement schemas."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from marketplace.core.pagination import PageArgs
from marketplace.core.schemas import Schema
from marketplace.deals.schemas import ListingRefSchema, PartyRefSchema
from marketplace.ip.licenses.schemas import MoneySchema


class TrancheSchema(ma.Schema):
    number = ma.fields.Integer()
    due_date = ma.fields.Date()
    amount = ma.fields.Integer()
    invoice_id = ma.fields.Integer(allow_none=True)


class SponsorshipSchema(ma.Schema):
    id = ma.fields.Integer()
    offer_id = ma.fields.Integer()
    listing = ma.fields.Nested(ListingRefSchema)
    university = ma.fields.Nested(PartyRefSchema)
    sponsor = ma.fields.Nested(PartyRefSchema)
    currency = ma.fields.String()
    total_amount = ma.fields.Integer()
    start_date = ma.fields.Date()
    end_date = ma.fields.Date()
    deliverables = ma.fields.List(ma.fields.String())
    ip_ownership = ma.fields.String()
    ip_terms = ma.fields.String(allow_none=True)
    tranches = ma.fields.List(ma.fields.Nested(TrancheSchema))
    created_at = ma.fields.DateTime()
    money = ma.fields.Nested(MoneySchema)


class SponsorshipListArgs(PageArgs):
    role = ma.fields.String(load_default=None, validate=validate.OneOf(("sponsor", "university")))
    listing_id = ma.fields.Integer(load_default=None)
