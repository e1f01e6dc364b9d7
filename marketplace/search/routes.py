"""Search and saved-search endpoints (thin: parse, call a service, dump)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from marketplace.core.auth import login_required, require_user
from marketplace.core.http_cache import public_read
from marketplace.core.pagination import PageArgs, page_schema
from marketplace.extensions import db
from marketplace.search import schemas as s
from marketplace.search import services

blp = Blueprint("search", __name__, url_prefix="/api/v1/search", description="Search published listings")
saved_blp = Blueprint(
    "saved_searches", __name__, url_prefix="/api/v1/saved-searches", description="Your saved searches and alerts"
)


@blp.route("/listings")
class SearchListings(MethodView):
    @public_read
    @blp.arguments(s.SearchArgs, location="query")
    @blp.response(200, s.SearchResultSchema)
    def get(self, args):
        """Search published listings: text, filters, sort, facets, highlights, did-you-mean."""
        return services.search_listings(db.session, args)


@saved_blp.route("")
class SavedSearches(MethodView):
    @login_required
    @saved_blp.arguments(PageArgs, location="query", as_kwargs=True)
    @saved_blp.response(200, page_schema(s.SavedSearchSchema))
    def get(self, **paging):
        """Your saved searches, newest first."""
        return services.list_saved_searches(db.session, require_user(), **paging)

    @login_required
    @saved_blp.arguments(s.SavedSearchCreateSchema)
    @saved_blp.response(201, s.SavedSearchSchema)
    def post(self, data):
        """Save a search; with alerts on you hear of new matching listings."""
        return services.create_saved_search(db.session, require_user(), **data)


@saved_blp.route("/<int:saved_search_id>")
class SavedSearchItem(MethodView):
    @login_required
    @saved_blp.response(200, s.SavedSearchSchema)
    def get(self, saved_search_id):
        """One of your saved searches."""
        return services.get_saved_search(db.session, require_user(), saved_search_id)

    @login_required
    @saved_blp.arguments(s.SavedSearchUpdateSchema)
    @saved_blp.response(200, s.SavedSearchSchema)
    def patch(self, data, saved_search_id):
        """Rename a saved search, change what it looks for, or turn its alerts on or off."""
        return services.update_saved_search(db.session, require_user(), saved_search_id, data)

    @login_required
    @saved_blp.response(204)
    def delete(self, saved_search_id):
        """Delete one of your saved searches."""
        services.delete_saved_search(db.session, require_user(), saved_search_id)
