"""Availability of IP for licensing, and per-listing statistics."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from marketplace.core.auth import login_required, require_user
from marketplace.deals.insights import schemas as s
from marketplace.deals.insights import services
from marketplace.extensions import db

listing_blp = Blueprint("listing-insights", __name__, url_prefix="/api/v1/listings",
                        description="A listing's availability for licensing and its statistics")
asset_blp = Blueprint("asset-availability", __name__, url_prefix="/api/v1/ip/assets",
                      description="An IP asset's availability for licensing")


def _caller():
    return current_user._get_current_object() if current_user.is_authenticated else None


@listing_blp.route("/<int:listing_id>/availability")
class ListingAvailability(MethodView):
    @listing_blp.response(200, s.AvailabilitySchema)
    def get(self, listing_id):
        """Which fields and territories are open on the listing's assets for an exclusive license, which taken until when."""
        return services.listing_availability(db.session, _caller(), listing_id)


@asset_blp.route("/<int:asset_id>/availability")
class AssetAvailability(MethodView):
    @asset_blp.response(200, s.AvailabilitySchema)
    def get(self, asset_id):
        """Which fields and territories are open on the asset for an exclusive license, which taken until when."""
        return services.asset_availability(db.session, _caller(), asset_id)


@listing_blp.route("/<int:listing_id>/stats")
class ListingStats(MethodView):
    @login_required
    @listing_blp.arguments(s.StatsArgs, location="query")
    @listing_blp.response(200, s.ListingStatsSchema)
    def get(self, args, listing_id):
        """How the listing performed over a period (its university): views, inquiries, NDAs, offers, licenses, money."""
        return services.listing_stats(db.session, require_user(), listing_id, **args)
