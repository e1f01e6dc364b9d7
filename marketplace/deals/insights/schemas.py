"""Availability and statistics schemas."""

from __future__ import annotations

import marshmallow as ma

from marketplace.core.schemas import QueryArgs, Schema


class TakenSchema(ma.Schema):
    exclusivity = ma.fields.String()
    asset_ids = ma.fields.List(ma.fields.Integer())
    fields = ma.fields.List(ma.fields.String())
    territories = ma.fields.List(ma.fields.String())
    until = ma.fields.Date(allow_none=True, metadata={"description": "Null: until terminated"})


class FieldAvailabilitySchema(ma.Schema):
    field = ma.fields.String()
    status = ma.fields.String(metadata={"description": "taken (worldwide) or partially_open"})
    taken_in = ma.fields.List(ma.fields.String(), metadata={"description": "Territories where it is taken"})
    taken_subfields = ma.fields.List(ma.fields.String())
    taken_until = ma.fields.Date(allow_none=True)


class AvailabilitySchema(ma.Schema):
    listing_id = ma.fields.Integer()
    asset_ids = ma.fields.List(ma.fields.Integer())
    open_fields = ma.fields.List(ma.fields.String(), metadata={"description": "Top-level fields open worldwide for an exclusive license"})
    partially_open_fields = ma.fields.List(ma.fields.String())
    fields = ma.fields.List(ma.fields.Nested(FieldAvailabilitySchema))
    taken = ma.fields.List(ma.fields.Nested(TakenSchema))


class StatsArgs(QueryArgs):
    """The period of the statistics: at most three years (a longer one answers 422)."""

    start = ma.fields.Date(load_default=None, data_key="from", metadata={"description": "First day (30 days back by default); the period spans at most three years"})
    end = ma.fields.Date(load_default=None, data_key="to", metadata={"description": "Last day (today by default)"})


class ReceivedSchema(ma.Schema):
    currency = ma.fields.String()
    paid_amount = ma.fields.Integer(metadata={"description": "Paid by licensees and sponsors, net of refunds"})
    platform_fee_amount = ma.fields.Integer()
    net_amount = ma.fields.Integer(metadata={"description": "What the university keeps after the platform fee"})


class ListingStatsSchema(ma.Schema):
    listing_id = ma.fields.Integer()
    start = ma.fields.Date(data_key="from")
    end = ma.fields.Date(data_key="to")
    views = ma.fields.Integer()
    inquiries = ma.fields.Integer()
    nda_requests = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    offers = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(),
                            metadata={"description": "Offers made in the period, by their state now"})
    licenses = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    sponsorships = ma.fields.Integer()
    money_received = ma.fields.List(ma.fields.Nested(ReceivedSchema))
