"""Searching listings and managing saved searches."""

from __future__ import annotations

import sqlalchemy as sa

from marketplace.accounts.models import Organization
from marketplace.core import audit
from marketplace.core.countries import COUNTRIES
from marketplace.core.errors import Conflict, NotFound
from marketplace.core.pagination import paginate
from marketplace.core.taxonomy import technology_fields
from marketplace.search.backends import get_backend
from marketplace.search.documents import load_documents
from marketplace.search.models import SavedSearch
from marketplace.search.query import FACETS, build_query
from marketplace.search.schemas import CriteriaSchema

MAX_SAVED_SEARCHES = 100


def search_listings(session, params: dict) -> dict:
    """One page of published listings for the search parameters, with facets and a suggestion."""
    query = build_query(params)
    backend = get_backend()
    result = backend.search(session, query)
    # Hits are shown from the database (the truth), never from the index: one batch of reads.
    listings = {doc.id: doc for doc in load_documents(session, [hit.listing_id for hit in result.hits])}
    highlights = backend.highlight(session, query, listings.values()) if not query.parsed.is_empty else {}
    items = [
        {"listing": listings[hit.listing_id], "score": hit.score, "highlights": highlights.get(hit.listing_id, {})}
        for hit in result.hits
        if hit.listing_id in listings  # the database is the truth: never show an unpublished listing
    ]
    return {
        "items": items,
        "total": result.total,
        "page": query.page,
        "page_size": query.page_size,
        "pages": (result.total + query.page_size - 1) // query.page_size,
        "sort": query.sort,
        "facets": _labelled(session, result.facets) if query.with_facets else {},
        "suggestion": result.suggestion,
    }


def _labelled(session, facets: dict[str, dict[str, int]]) -> dict[str, list[dict]]:
    """Facet counts as ``[{value, label, count}]``, largest first (TRL in level order)."""
    names = {}
    university_ids = [int(v) for v in facets.get("universities", {})]
    if university_ids:
        names = dict(
            session.execute(
                sa.select(Organization.id, Organization.name).where(Organization.id.in_(university_ids))
            ).all()
        )
    fields = technology_fields()
    labels = {
        "fields": lambda v: fields[v].name if v in fields else v,
        "trl": lambda v: f"TRL {v}",
        "opportunity_types": lambda v: v.replace("_", " ").capitalize(),
        "ip_kinds": lambda v: v.replace("_", " ").capitalize(),
        "universities": lambda v: names.get(int(v), v),
        "countries": lambda v: COUNTRIES.get(v, v),
    }
    out = {}
    for facet in FACETS:
        counts = facets.get(facet, {})
        if facet == "trl":
            ordered = sorted(counts.items(), key=lambda item: int(item[0]))
        else:
            ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        out[facet] = [{"value": v, "label": labels[facet](v), "count": n} for v, n in ordered]
    return out


# ---- saved searches -----------------------------------------------------------------------------


def _stored_criteria(criteria: dict) -> dict:
    """The criteria as JSON, without empty values."""
    dumped = CriteriaSchema().dump(criteria)
    return {k: v for k, v in dumped.items() if v not in (None, "", [])}


def list_saved_searches(session, user, page: int = 1, page_size: int = 20):
    """The user's saved searches, newest first."""
    stmt = sa.select(SavedSearch).where(SavedSearch.user_id == user.id).order_by(SavedSearch.id.desc())
    return paginate(session, stmt, page, page_size)


def get_saved_search(session, user, saved_search_id: int) -> SavedSearch:
    """One of the user's saved searches (404 for anyone else's)."""
    saved = session.get(SavedSearch, saved_search_id)
    if saved is None or saved.user_id != user.id:
        raise NotFound("No such saved search.")
    return saved


def create_saved_search(session, user, *, name: str, criteria: dict, alerts_enabled: bool = True) -> SavedSearch:
    """Save a search (validated like a search) under a name, with alerts on or off."""
    build_query(criteria)  # the same 422s as the search itself
    count = session.execute(sa.select(sa.func.count()).where(SavedSearch.user_id == user.id)).scalar_one()
    if count >= MAX_SAVED_SEARCHES:
        raise Conflict(f"You can keep at most {MAX_SAVED_SEARCHES} saved searches; delete one first.")
    saved = SavedSearch(user_id=user.id, name=name, criteria=_stored_criteria(criteria), alerts_enabled=alerts_enabled)
    session.add(saved)
    session.flush()
    audit.record(session, "saved_search.create", saved, changes={"name": name, "alerts_enabled": alerts_enabled})
    return saved


def update_saved_search(session, user, saved_search_id: int, data: dict) -> SavedSearch:
    """Rename a saved search, change its criteria, or turn its alerts on or off."""
    saved = get_saved_search(session, user, saved_search_id)
    before = {"name": saved.name, "criteria": saved.criteria, "alerts_enabled": saved.alerts_enabled}
    if "criteria" in data:
        build_query(data["criteria"])
        saved.criteria = _stored_criteria(data["criteria"])
    if "name" in data:
        saved.name = data["name"]
    if "alerts_enabled" in data:
        saved.alerts_enabled = data["alerts_enabled"]
    after = {"name": saved.name, "criteria": saved.criteria, "alerts_enabled": saved.alerts_enabled}
    session.flush()
    audit.record(session, "saved_search.update", saved, changes=audit.diff(before, after))
    return saved


def delete_saved_search(session, user, saved_search_id: int) -> None:
    """Delete a saved search (and its alert history)."""
    saved = get_saved_search(session, user, saved_search_id)
    audit.record(session, "saved_search.delete", saved, changes={"name": saved.name})
    session.delete(saved)
    session.flush()
