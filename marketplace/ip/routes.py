"""The IP register of a university (its verified staff only)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from marketplace.core.auth import membership_required, require_membership
from marketplace.core.pagination import page_schema
from marketplace.extensions import db
from marketplace.ip import schemas as s
from marketplace.ip import services

blp = Blueprint(
    "ip", __name__, url_prefix="/api/v1/ip", description="Your university's IP register (members of verified universities)"
)

university_staff = membership_required(kinds=("university",), verified=True)


def _staff():
    return require_membership(kinds=("university",), verified=True)


@blp.route("/assets")
class Assets(MethodView):
    @university_staff
    @blp.arguments(s.AssetListArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(s.AssetSchema))
    def get(self, **filters):
        """Your university's IP assets, newest first, filterable by kind, status, jurisdiction and text."""
        return services.list_assets(db.session, _staff(), **filters)

    @university_staff
    @blp.arguments(s.AssetCreateSchema)
    @blp.response(201, s.AssetSchema)
    def post(self, data):
        """Register an IP asset (dates must run priority <= filing <= grant <= expiry)."""
        return services.create_asset(db.session, _staff(), data)


@blp.route("/assets/<int:asset_id>")
class AssetItem(MethodView):
    @university_staff
    @blp.response(200, s.AssetSchema)
    def get(self, asset_id):
        """One of your university's IP assets, with its internal notes."""
        return services.get_asset(db.session, _staff(), asset_id)

    @university_staff
    @blp.arguments(s.AssetUpdateSchema)
    @blp.response(200, s.AssetSchema)
    def patch(self, data, asset_id):
        """Edit an IP asset; the result must stay coherent (dates, a granted patent's number)."""
        return services.update_asset(db.session, _staff(), asset_id, data)

    @university_staff
    @blp.response(204)
    def delete(self, asset_id):
        """Delete an IP asset that no listing links."""
        services.delete_asset(db.session, _staff(), asset_id)
