"""The public catalogue pages: the home page and the search page (thin views over the search service)."""

from __future__ import annotations

import marshmallow as ma
from flask import render_template, request
from flask_babel import gettext

from marketplace.core.errors import ValidationFailed
from marketplace.core.taxonomy import technology_fields
from marketplace.extensions import db
from marketplace.ip.labels import ASSET_KIND_LABELS
from marketplace.listings.labels import OPPORTUNITY_TYPE_LABELS
from marketplace.search import services
from marketplace.search.query import SORTS
from marketplace.search.schemas import SearchArgs
from marketplace.web import page_blueprint
from marketplace.web.formatting import country_name, field_label
from marketplace.web.forms import QueryArgs, flat_errors, form_data

blp = page_blueprint("search_pages", __name__)

HOME_NEWEST = 6
#: the search form's own inputs (their errors show beside them)
FORM_FIELDS = ("q", "trl_min", "trl_max", "sort")
#: query-string keys that do not narrow the results
NOT_FILTERS = ("q", "sort", "page", "page_size")
PAGE_SIZE = 20
#: facet of the search result -> the query-string key that filters by it
FACET_KEYS = {
    "fields": "field",
    "opportunity_types": "opportunity_type",
    "ip_kinds": "ip_kind",
    "universities": "university_id",
    "countries": "country",
}


@blp.get("/")
def home():
    """The home page: a search box, the newest listings, fields to browse and the catalogue's figures."""
    newest = services.search_listings(db.session, {"sort": "newest", "page_size": HOME_NEWEST})
    express = services.search_listings(db.session, {"has_express_license": True, "page_size": 1, "facets": False})
    counts = {f["value"]: f["count"] for f in newest["facets"]["fields"]}
    fields = [(f.code, counts.get(f.code, 0)) for f in technology_fields().values() if f.parent is None]
    figures = {
        "listings": newest["total"],
        "universities": len(newest["facets"]["universities"]),
        "countries": len(newest["facets"]["countries"]),
        "express": express["total"],
    }
    return render_template("search/home.html", newest=newest["items"], fields=fields, figures=figures)


@blp.get("/search")
def search():
    """The catalogue: words, facets with their counts, TRL range, sort and pages, all in the URL."""
    schema = SearchArgs(unknown=ma.EXCLUDE)
    raw = form_data(schema, request.args)
    links = QueryArgs(request.path, request.args, set(schema.fields) | {"page"})
    result, errors, status = None, {}, 200
    try:
        params = schema.load({"page_size": PAGE_SIZE, **raw})
        result = services.search_listings(db.session, params)
    except ma.ValidationError as error:
        errors, status = flat_errors(error.messages), 400
    except ValidationFailed as error:
        errors, status = flat_errors(error.errors or {"q": [error.detail]}), 400
    if result is not None and result["page"] > max(result["pages"], 1):
        status = 404  # past the last page
    facets = _facets(result, links) if result else []
    return (
        render_template(
            "search/search.html", result=result, errors=errors, raw=raw, links=links, facets=facets,
            form_fields=FORM_FIELDS, has_filters=any(k not in NOT_FILTERS for k in links.values),
            sort_options=[(sort, _sort_labels()[sort]) for sort in SORTS],
            trl_options=[(level, level) for level in range(1, 10)],
        ),
        status,
    )


def _sort_labels() -> dict[str, str]:
    return {"relevance": gettext("Relevance"), "newest": gettext("Newest first"), "trl": gettext("Most mature (TRL)")}


def _facets(result: dict, links: QueryArgs) -> list[dict]:
    """Every facet as ``{name, title, values: [{label, count, selected, url}]}``, labels in the reader's language."""
    labels = {
        "fields": field_label,
        "opportunity_types": lambda v: str(OPPORTUNITY_TYPE_LABELS.get(v, v)),
        "ip_kinds": lambda v: str(ASSET_KIND_LABELS.get(v, v)),
        "countries": country_name,
    }
    titles = {
        "fields": gettext("Technology field"),
        "trl": gettext("Technology readiness (TRL)"),
        "opportunity_types": gettext("Opportunity"),
        "ip_kinds": gettext("Kind of IP"),
        "universities": gettext("University"),
        "countries": gettext("Country"),
    }
    out = []
    for name, title in titles.items():
        values = []
        for entry in result["facets"].get(name, []):
            value = entry["value"]
            if name == "trl":
                selected = links.has("trl_min", value) and links.has("trl_max", value)
                url = links.replace(trl_min=None, trl_max=None) if selected else links.replace(trl_min=value, trl_max=value)
                label = gettext("TRL %(level)s", level=value)
            else:
                key = FACET_KEYS[name]
                selected, url = links.has(key, value), links.toggle(key, value)
                label = labels[name](value) if name in labels else entry["label"]
            values.append({"label": label, "count": entry["count"], "selected": selected, "url": url})
        out.append({"name": name, "title": title, "values": values})
    return out
