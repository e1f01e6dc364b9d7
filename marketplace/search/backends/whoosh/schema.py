"""The Whoosh index schema, its analyzers, and a listing document as index fields."""

from __future__ import annotations

from datetime import datetime

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from marketplace.search.backends.whoosh.analysis import FOLD, STEM, fold_terms, stem_terms
from marketplace.search.documents import ListingDocument

#: query-time boosts: title over summary over description and keywords
BOOSTS = {"title": 4.0, "summary": 2.0, "description": 1.0, "keywords": 1.0}
TEXT_FIELDS = tuple(BOOSTS)
#: facet name -> index field
FACET_FIELDS = {
    "fields": "fields",
    "trl": "trl",
    "opportunity_types": "opportunity_types",
    "ip_kinds": "ip_kinds",
    "universities": "university",
    "countries": "country",
}
KEYWORD_FACETS = ("fields", "opportunity_types", "ip_kinds", "universities", "countries")


def make_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        version=STORED(),
        title=TEXT(analyzer=STEM, stored=True),
        summary=TEXT(analyzer=STEM, stored=True),
        description=TEXT(analyzer=STEM),
        keywords=TEXT(analyzer=STEM),
        #: unstemmed words of title, summary and keywords: the vocabulary for "did you mean"
        spell=TEXT(analyzer=FOLD, phrase=False),
        fields=KEYWORD(lowercase=False),
        opportunity_types=KEYWORD(lowercase=False),
        ip_kinds=KEYWORD(lowercase=False),
        university=ID(),
        country=ID(),
        express=ID(),
        trl=NUMERIC(int, sortable=True),
        published=NUMERIC(int, bits=64, sortable=True),
    )


def epoch(value: datetime | None) -> int:
    return int(value.timestamp()) if value else 0


def to_fields(doc: ListingDocument) -> dict:
    """The Whoosh field values for a listing document, text fields already analyzed."""
    keywords = " ".join(doc.keywords)
    return {
        "id": str(doc.id),
        "version": doc.version,
        "title": stem_terms(doc.title),
        "_stored_title": doc.title,
        "summary": stem_terms(doc.summary),
        "_stored_summary": doc.summary,
        "description": stem_terms(doc.description),
        "keywords": stem_terms(keywords),
        "spell": fold_terms(" ".join((doc.title, doc.summary, keywords))),
        "fields": " ".join(doc.fields),
        "opportunity_types": " ".join(doc.opportunity_types),
        "ip_kinds": " ".join(doc.ip_kinds),
        "university": str(doc.university_id),
        "country": doc.country,
        "express": "1" if doc.has_express_license else "0",
        "trl": doc.trl,
        "published": epoch(doc.published_at),
    }
