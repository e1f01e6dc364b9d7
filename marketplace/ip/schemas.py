"""IP asset schemas: requests, the owner's view (with internal notes) and the public facts."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from marketplace.core.countries import COUNTRIES
from marketplace.core.pagination import PageArgs
from marketplace.core.schemas import Schema, TrimmedString, UpdateSchema, non_blank
from marketplace.ip.models import ASSET_KINDS, ASSET_STATUSES

#: regional patent offices accepted as a jurisdiction besides ISO 3166 countries
REGIONAL_OFFICES = {
    "EP": "European Patent Office",
    "WO": "PCT international application (WIPO)",
    "EA": "Eurasian Patent Organization",
    "OA": "African Intellectual Property Organization (OAPI)",
    "AP": "African Regional Intellectual Property Organization (ARIPO)",
}


class JurisdictionField(ma.fields.String):
    """An ISO 3166-1 alpha-2 country code or a regional office code (EP, WO, EA, OA, AP)."""

    default_error_messages = {
        "invalid_jurisdiction": "Not an ISO 3166-1 country code nor a regional office (EP, WO, EA, OA, AP)."
    }

    def _deserialize(self, value, attr, data, **kwargs):
        code = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        if code not in COUNTRIES and code not in REGIONAL_OFFICES:
            raise self.make_error("invalid_jurisdiction")
        return code


def _number():
    return TrimmedString(allow_none=True, validate=validate.Length(max=60))


class AssetUpdateSchema(UpdateSchema):
    """Fields of an IP asset; every one optional when editing."""

    kind = ma.fields.String(validate=validate.OneOf(ASSET_KINDS))
    title = TrimmedString(validate=non_blank(300, 3))
    abstract = TrimmedString(validate=validate.Length(max=20000))
    inventors = ma.fields.List(TrimmedString(validate=non_blank(200)), validate=validate.Length(max=50))
    jurisdiction = JurisdictionField(allow_none=True)
    application_number = _number()
    publication_number = _number()
    patent_number = _number()
    priority_date = ma.fields.Date(allow_none=True)
    filing_date = ma.fields.Date(allow_none=True)
    grant_date = ma.fields.Date(allow_none=True)
    expiry_date = ma.fields.Date(allow_none=True)
    status = ma.fields.String(validate=validate.OneOf(ASSET_STATUSES))
    internal_notes = TrimmedString(allow_none=True, validate=validate.Length(max=20000))


class AssetCreateSchema(AssetUpdateSchema):
    kind = ma.fields.String(required=True, validate=validate.OneOf(ASSET_KINDS))
    title = TrimmedString(required=True, validate=non_blank(300, 3))
    abstract = TrimmedString(load_default="", validate=validate.Length(max=20000))
    inventors = ma.fields.List(
        TrimmedString(validate=non_blank(200)), load_default=list, validate=validate.Length(max=50)
    )
    status = ma.fields.String(load_default="pending", validate=validate.OneOf(ASSET_STATUSES))


class AssetListArgs(PageArgs):
    q = ma.fields.String(load_default=None, validate=validate.Length(max=200))
    kind = ma.fields.String(load_default=None, validate=validate.OneOf(ASSET_KINDS))
    status = ma.fields.String(load_default=None, validate=validate.OneOf(ASSET_STATUSES))
    jurisdiction = JurisdictionField(load_default=None)


class PublicAssetSchema(ma.Schema):
    """The public facts of an asset, as shown on a published listing (never internal notes)."""

    id = ma.fields.Integer()
    kind = ma.fields.String()
    title = ma.fields.String()
    abstract = ma.fields.String()
    inventors = ma.fields.List(ma.fields.String())
    jurisdiction = ma.fields.String(allow_none=True)
    application_number = ma.fields.String(allow_none=True)
    publication_number = ma.fields.String(allow_none=True)
    patent_number = ma.fields.String(allow_none=True)
    priority_date = ma.fields.Date(allow_none=True)
    filing_date = ma.fields.Date(allow_none=True)
    grant_date = ma.fields.Date(allow_none=True)
    expiry_date = ma.fields.Date(allow_none=True)
    status = ma.fields.String()


class AssetSchema(PublicAssetSchema):
    """What the owning university's staff see."""

    university_id = ma.fields.Integer()
    internal_notes = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
