"""Response pieces shared by the deal schemas."""

from __future__ import annotations

import marshmallow as ma

from marketplace.accounts.schemas import OrganizationRefSchema as PartyRefSchema


class ListingRefSchema(ma.Schema):
    """A listing named in a deal."""

    id = ma.fields.Integer()
    slug = ma.fields.String()
    title = ma.fields.String()
    university_id = ma.fields.Integer()


class ParticipantSchema(ma.Schema):
    """A person acting in a deal (their name, not their email)."""

    id = ma.fields.Integer()
    name = ma.fields.String()


__all__ = ["ListingRefSchema", "ParticipantSchema", "PartyRefSchema"]
