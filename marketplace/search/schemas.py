"""Search parameters, saved searches and search results (allow-lists)."""

from __future__ import annotations

from datetime import timezone

import marshmallow as ma
from marshmallow import validate

from marketplace.core.countries import CountryField
from marketplace.core.schemas import CONTROL_CHARACTERS, QueryArgs, Schema, TrimmedString, UpdateSchema, non_blank
from marketplace.core.taxonomy import FieldCode
from marketplace.ip.models import ASSET_KINDS
from marketplace.listings.models import OPPORTUNITY_TYPES
from marketplace.search.query import SORTS

MAX_VALUES = 50


def _many(field: ma.fields.Field) -> ma.fields.List:
    return ma.fields.List(field, load_default=list, validate=validate.Length(max=MAX_VALUES))


class QueryText(TrimmedString):
    """Search text: control characters are read as spaces rather than refused."""

    #: the spec states no control-character ``pattern`` for it (see ``control_characters2properties``)
    replaces_control_characters = True

    def _deserialize(self, value, attr, data, **kwargs):
        return CONTROL_CHARACTERS.sub(" ", super()._deserialize(value, attr, data, **kwargs)).strip()


class CriteriaSchema(Schema):
    """What to search for: free text and filters (a saved search stores exactly these)."""

    q = QueryText(
        load_default="",
        validate=validate.Length(max=500),
        metadata={"description": 'Words (all must match), "quoted phrases", prefix*, -excluded, a OR b'},
    )
    field = _many(FieldCode())
    trl_min = ma.fields.Integer(load_default=None, validate=validate.Range(min=1, max=9),
                                metadata={"description": "Lowest readiness level; not above trl_max"})
    trl_max = ma.fields.Integer(load_default=None, validate=validate.Range(min=1, max=9))
    opportunity_type = _many(ma.fields.String(validate=validate.OneOf(OPPORTUNITY_TYPES)))
    ip_kind = _many(ma.fields.String(validate=validate.OneOf(ASSET_KINDS)))
    university_id = _many(ma.fields.Integer(validate=validate.Range(min=1)))
    country = _many(CountryField())
    has_express_license = ma.fields.Boolean(load_default=None)
    published_since = ma.fields.AwareDateTime(load_default=None, default_timezone=timezone.utc)


class SearchArgs(CriteriaSchema, QueryArgs):
    """Query-string parameters of the listing search (repeat a key for several values)."""

    sort = ma.fields.String(
        load_default=None,
        validate=validate.OneOf(SORTS),
        metadata={"description": "relevance (default with text), newest (default without), trl"},
    )
    page = ma.fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = ma.fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class UniversitySchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    country = ma.fields.String()


class SearchListingSchema(ma.Schema):
    """The public face of a listing in search results (read from the database)."""

    id = ma.fields.Integer()
    slug = ma.fields.String()
    title = ma.fields.String()
    summary = ma.fields.String()
    fields = ma.fields.List(ma.fields.String(), attribute="own_fields")
    keywords = ma.fields.List(ma.fields.String())
    trl = ma.fields.Integer()
    development_stage = ma.fields.String()
    opportunity_types = ma.fields.List(ma.fields.String())
    ip_kinds = ma.fields.List(ma.fields.String())
    has_express_license = ma.fields.Boolean()
    university = ma.fields.Method("_university", metadata={"description": "id, name, country"})
    published_at = ma.fields.DateTime()

    def _university(self, doc):
        return UniversitySchema().dump({"id": doc.university_id, "name": doc.university_name, "country": doc.country})


class HighlightsSchema(ma.Schema):
    title = ma.fields.String(metadata={"description": "HTML-escaped, matches in <mark>"})
    summary = ma.fields.String()
    description = ma.fields.String(metadata={"description": "an excerpt, when the summary has no match"})


class SearchHitSchema(ma.Schema):
    listing = ma.fields.Nested(SearchListingSchema)
    score = ma.fields.Float(allow_none=True, metadata={"description": "relevance; null when sorted otherwise"})
    highlights = ma.fields.Nested(HighlightsSchema)


class FacetValueSchema(ma.Schema):
    value = ma.fields.String()
    label = ma.fields.String()
    count = ma.fields.Integer()


def _facet():
    return ma.fields.List(ma.fields.Nested(FacetValueSchema))


class FacetsSchema(ma.Schema):
    """Counts under the query and every filter except the facet's own."""

    fields = _facet()
    trl = _facet()
    opportunity_types = _facet()
    ip_kinds = _facet()
    universities = _facet()
    countries = _facet()


class SearchResultSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(SearchHitSchema))
    total = ma.fields.Integer()
    page = ma.fields.Integer()
    page_size = ma.fields.Integer()
    pages = ma.fields.Integer()
    sort = ma.fields.String()
    facets = ma.fields.Nested(FacetsSchema)
    suggestion = ma.fields.String(allow_none=True, metadata={"description": "the query with misspelt words corrected"})


class SavedSearchCreateSchema(Schema):
    name = TrimmedString(required=True, validate=non_blank(100))
    criteria = ma.fields.Nested(CriteriaSchema, required=True)
    alerts_enabled = ma.fields.Boolean(load_default=True)


class SavedSearchUpdateSchema(UpdateSchema):
    name = TrimmedString(validate=non_blank(100))
    criteria = ma.fields.Nested(CriteriaSchema)
    alerts_enabled = ma.fields.Boolean()


class SavedSearchSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    criteria = ma.fields.Dict()
    alerts_enabled = ma.fields.Boolean()
    last_emailed_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
