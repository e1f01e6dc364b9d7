"""Listing schemas: requests, and responses per audience (public, owner/admin, moderation)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from marketplace.core.countries import COUNTRIES
from marketplace.core.money import CurrencyField
from marketplace.core.pagination import PageArgs
from marketplace.core.schemas import Schema, TrimmedString, non_blank
from marketplace.core.taxonomy import FieldCode
from marketplace.ip.schemas import PublicAssetSchema
from marketplace.listings.models import (
    DEVELOPMENT_STAGES,
    FLAG_CATEGORIES,
    FLAG_STATUSES,
    LISTING_STATUSES,
    OPPORTUNITY_TYPES,
)
from marketplace.listings.workflow import LISTING_WORKFLOW
from marketplace.payments.api import InvoiceSchema

WORLDWIDE = "WORLDWIDE"


class TerritoryField(ma.fields.String):
    """An ISO 3166-1 alpha-2 country code, or ``WORLDWIDE``."""

    default_error_messages = {"invalid_territory": "Not an ISO 3166-1 country code nor WORLDWIDE."}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.metadata = {"enum": [*sorted(COUNTRIES), WORLDWIDE], "description": 'ISO 3166-1 alpha-2 country code or WORLDWIDE', **self.metadata}

    def _deserialize(self, value, attr, data, **kwargs):
        code = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        if code != WORLDWIDE and code not in COUNTRIES:
            raise self.make_error("invalid_territory")
        return code


# ---- requests -----------------------------------------------------------------------------------


class ExpressLicenseInSchema(Schema):
    """A standard non-exclusive license offered at a fixed price."""

    fields = ma.fields.List(FieldCode(), required=True, validate=validate.Length(min=1, max=20),
                            metadata={"description": "Fields of use: technology field codes"})
    territories = ma.fields.List(TerritoryField(), required=True, validate=validate.Length(min=1, max=250),
                                 metadata={"description": "ISO 3166-1 country codes, or [\"WORLDWIDE\"]"})
    price_amount = ma.fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=10**13),
                                     metadata={"description": "Price in minor units of the currency"})
    currency = CurrencyField(required=True)
    term_months = ma.fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=600))
    terms = TrimmedString(load_default="", validate=validate.Length(max=20000),
                          metadata={"description": "The standard terms shown to the buyer"})

    @ma.validates_schema
    def _worldwide_alone(self, data, **kwargs):
        territories = data.get("territories") or []
        if WORLDWIDE in territories and len(territories) > 1:
            raise ma.ValidationError("WORLDWIDE already covers every country: send it alone.", "territories")


def _list(inner, max_items: int, **kwargs):
    return ma.fields.List(inner, validate=validate.Length(max=max_items), **kwargs)


class ListingUpdateSchema(Schema):
    """Fields of a listing; every one optional when editing. Lists replace the stored ones."""

    title = TrimmedString(validate=non_blank(200, 5))
    summary = TrimmedString(validate=non_blank(1000, 10))
    description = TrimmedString(validate=validate.Length(max=50000))
    fields = _list(FieldCode(), 10, metadata={"description": "Technology field codes from the taxonomy"})
    keywords = _list(TrimmedString(validate=non_blank(60)), 20)
    trl = ma.fields.Integer(strict=True, validate=validate.Range(min=1, max=9),
                            metadata={"description": "Technology readiness level, 1-9"})
    development_stage = ma.fields.String(validate=validate.OneOf(DEVELOPMENT_STAGES))
    opportunity_types = _list(ma.fields.String(validate=validate.OneOf(OPPORTUNITY_TYPES)), len(OPPORTUNITY_TYPES))
    asset_ids = _list(ma.fields.Integer(strict=True), 50,
                      metadata={"description": "IP assets of the listing's own university"})
    contact_user_id = ma.fields.Integer(strict=True, allow_none=True,
                                        metadata={"description": "A member of the listing's university"})
    express_license = ma.fields.Nested(ExpressLicenseInSchema, allow_none=True,
                                       metadata={"description": "Replaces the offer; null removes it"})


class ListingCreateSchema(ListingUpdateSchema):
    title = TrimmedString(required=True, validate=non_blank(200, 5))
    summary = TrimmedString(required=True, validate=non_blank(1000, 10))
    description = TrimmedString(load_default="", validate=validate.Length(max=50000))
    fields = _list(FieldCode(), 10, load_default=list)
    keywords = _list(TrimmedString(validate=non_blank(60)), 20, load_default=list)
    trl = ma.fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=9))
    development_stage = ma.fields.String(required=True, validate=validate.OneOf(DEVELOPMENT_STAGES))
    opportunity_types = _list(ma.fields.String(validate=validate.OneOf(OPPORTUNITY_TYPES)), 4, load_default=list)
    asset_ids = _list(ma.fields.Integer(strict=True), 50, load_default=list)
    contact_user_id = ma.fields.Integer(strict=True, load_default=None, allow_none=True)
    express_license = ma.fields.Nested(ExpressLicenseInSchema, load_default=None, allow_none=True)


class ListingListArgs(PageArgs):
    status = ma.fields.List(
        ma.fields.String(validate=validate.OneOf(LISTING_STATUSES)),
        load_default=None,
        metadata={"description": "Repeatable. Default: published (with mine=true: every status)"},
    )
    university_id = ma.fields.Integer(load_default=None)
    university = ma.fields.String(load_default=None, validate=validate.Length(max=220),
                                  metadata={"description": "The university's slug"})
    field = ma.fields.List(FieldCode(), load_default=None,
                           metadata={"description": "Repeatable technology field code; a parent matches its children"})
    mine = ma.fields.Boolean(load_default=False,
                             metadata={"description": "Only your university's listings, in every status"})


class FlagCreateSchema(Schema):
    category = ma.fields.String(required=True, validate=validate.OneOf(FLAG_CATEGORIES))
    text = TrimmedString(required=True, validate=non_blank(2000, 5))


class FlagListArgs(PageArgs):
    status = ma.fields.String(load_default="open", validate=validate.OneOf(FLAG_STATUSES))
    listing_id = ma.fields.Integer(load_default=None)


class FlagDismissSchema(Schema):
    note = TrimmedString(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class FlagResolveSchema(FlagDismissSchema):
    suspend_listing = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "Also suspend the listing: the note, then required, is the reason"},
    )

    @ma.validates_schema
    def _reason_for_suspension(self, data, **kwargs):
        if data.get("suspend_listing") and not data.get("note"):
            raise ma.ValidationError("Say why the listing is suspended.", "note")


# ---- responses ----------------------------------------------------------------------------------


class UniversityRefSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    slug = ma.fields.String()
    country = ma.fields.String()


class ContactSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()


class ContactWithEmailSchema(ContactSchema):
    email = ma.fields.String()


class ExpressLicenseSchema(ma.Schema):
    fields = ma.fields.List(ma.fields.String())
    territories = ma.fields.List(ma.fields.String())
    price_amount = ma.fields.Integer()
    currency = ma.fields.String()
    term_months = ma.fields.Integer()
    terms = ma.fields.String()
    is_active = ma.fields.Boolean()


class TechnologyFieldSchema(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String()
    parent = ma.fields.String(allow_none=True)


class ListingSummarySchema(ma.Schema):
    """A listing in a list: enough to choose which one to open."""

    id = ma.fields.Integer()
    slug = ma.fields.String()
    title = ma.fields.String()
    summary = ma.fields.String()
    fields = ma.fields.List(ma.fields.String())
    keywords = ma.fields.List(ma.fields.String())
    trl = ma.fields.Integer()
    development_stage = ma.fields.String()
    opportunity_types = ma.fields.List(ma.fields.String())
    status = ma.fields.String()
    university = ma.fields.Nested(UniversityRefSchema)
    published_at = ma.fields.DateTime(allow_none=True)
    view_count = ma.fields.Integer()
    has_express_license = ma.fields.Method("get_has_express_license")

    def get_has_express_license(self, listing) -> bool:
        return bool(listing.express_license and listing.express_license.is_active)


class PublicListingSchema(ListingSummarySchema):
    """What anyone sees of a published listing: the university and the public facts of its IP."""

    description = ma.fields.String()
    assets = ma.fields.List(ma.fields.Nested(PublicAssetSchema))
    express_license = ma.fields.Method("get_express_license")
    contact = ma.fields.Nested(ContactSchema, allow_none=True)

    def get_express_license(self, listing):
        offer = listing.express_license
        return ExpressLicenseSchema().dump(offer) if offer and offer.is_active else None


class ListingSchema(PublicListingSchema):
    """What the owning university's staff and admins see: also review notes and the workflow."""

    version = ma.fields.Integer()
    review_note = ma.fields.String(allow_none=True)
    submitted_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    express_license = ma.fields.Nested(ExpressLicenseSchema, allow_none=True)
    contact = ma.fields.Nested(ContactWithEmailSchema, allow_none=True)
    allowed_actions = ma.fields.Method(
        "get_allowed_actions",
        metadata={"description": "Workflow actions possible from the current state (each for its own role)"},
    )

    def get_allowed_actions(self, listing) -> list[str]:
        return LISTING_WORKFLOW.allowed_actions(listing.status)


class TransitionSchema(ma.Schema):
    id = ma.fields.Integer()
    action = ma.fields.String()
    from_status = ma.fields.String()
    to_status = ma.fields.String()
    reason = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    actor = ma.fields.Nested(ContactSchema, allow_none=True)


class FlagSchema(ma.Schema):
    """A flag as its reporter sees it."""

    id = ma.fields.Integer()
    listing_id = ma.fields.Integer()
    category = ma.fields.String()
    text = ma.fields.String()
    status = ma.fields.String()
    created_at = ma.fields.DateTime()


class FlaggedListingSchema(ma.Schema):
    id = ma.fields.Integer()
    slug = ma.fields.String()
    title = ma.fields.String()
    status = ma.fields.String()
    university = ma.fields.Nested(UniversityRefSchema)


class AdminFlagSchema(FlagSchema):
    """A flag as admins see it: who reported it, what became of it."""

    listing = ma.fields.Nested(FlaggedListingSchema)
    reporter = ma.fields.Nested(ContactWithEmailSchema, allow_none=True)
    resolution_note = ma.fields.String(allow_none=True)
    resolved_by = ma.fields.Nested(ContactSchema, allow_none=True)
    resolved_at = ma.fields.DateTime(allow_none=True)


class FieldChangeSchema(ma.Schema):
    before = ma.fields.Raw()
    after = ma.fields.Raw()


class ModerationItemSchema(ma.Schema):
    """A listing waiting for review, with what changed since its last approved version."""

    listing = ma.fields.Nested(ListingSummarySchema)
    submitted_at = ma.fields.DateTime()
    is_first_review = ma.fields.Boolean(metadata={"description": "Never approved before: everything is new"})
    changes = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Nested(FieldChangeSchema),
        metadata={"description": "Field -> {before, after} since the last approved version"},
    )
    open_flags = ma.fields.Integer()


class PurchasedLicenseSchema(ma.Schema):
    """The license an express purchase created."""

    id = ma.fields.Integer()
    status = ma.fields.String()
    licensor_id = ma.fields.Integer()
    licensee_id = ma.fields.Integer()
    listing_id = ma.fields.Integer(allow_none=True)
    exclusivity = ma.fields.String()
    fields = ma.fields.List(ma.fields.String())
    territories = ma.fields.List(ma.fields.String())
    start_date = ma.fields.Date()
    end_date = ma.fields.Date(allow_none=True)
    currency = ma.fields.String()
    upfront_fee_amount = ma.fields.Integer()
    asset_ids = ma.fields.Method("get_asset_ids")

    def get_asset_ids(self, license) -> list[int]:
        return [a.id for a in license.assets]


class ExpressPurchaseSchema(ma.Schema):
    license = ma.fields.Nested(PurchasedLicenseSchema)
    invoice = ma.fields.Nested(InvoiceSchema)
