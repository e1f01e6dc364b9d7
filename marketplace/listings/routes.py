"""Listings: the public catalogue, the universities' drafts and the workflow actions (thin views)."""

from __future__ import annotations

from flask import jsonify, request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from marketplace.core.auth import admin_required, login_required, membership_required, require_membership, require_user
from marketplace.core.concurrency import ETAG_HEADER, IF_MATCH_PARAMETER, etag
from marketplace.core.http_cache import public_read
from marketplace.core.pagination import page_schema
from marketplace.core.schemas import ReasonSchema
from marketplace.core.taxonomy import technology_fields
from marketplace.extensions import db
from marketplace.listings import express, flags, services, transitions
from marketplace.listings import schemas as s

blp = Blueprint(
    "listings",
    __name__,
    url_prefix="/api/v1/listings",
    description="Listings of commercializable research, their express licenses and their review workflow",
)

university_staff = membership_required(kinds=("university",), verified=True)

EDIT_DESCRIPTION = """Send the listing's current ETag in `If-Match` (missing: 428, stale: 412).

Lists (`fields`, `keywords`, `opportunity_types`, `asset_ids`) replace the stored ones;
`express_license` replaces the offer, `null` removes it.

On a **published** listing, changing its *substance* sends it back to review
(`in_review`, out of the public catalogue until an admin approves it again):
`title`, `summary`, `description`, `fields`, `asset_ids` (its IP) and the
`express_license` terms. Changing only `keywords`, `trl`, `development_stage`,
`opportunity_types` or `contact_user_id` keeps it published.

A suspended listing cannot be edited (409)."""


def _staff():
    return require_membership(kinds=("university",), verified=True)


def _viewer():
    """The logged-in user, or None for anonymous callers."""
    return current_user._get_current_object() if current_user.is_authenticated else None


def _with_etag(listing):
    return listing, {"ETag": etag(listing.version)}


_FULL_VIEW, _PUBLIC_VIEW = s.ListingSchema(), s.PublicListingSchema()


def _detail(listing):
    """The listing as this viewer may see it: the full view for insiders, the public one otherwise."""
    schema = _FULL_VIEW if services.is_insider(_viewer(), listing) else _PUBLIC_VIEW
    response = jsonify(schema.dump(listing))
    response.headers["ETag"] = etag(listing.version)
    return response


@blp.route("")
class Listings(MethodView):
    @public_read
    @blp.arguments(s.ListingListArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(s.ListingSummarySchema))
    def get(self, **filters):
        """Listings you may see, filtered by status, university and field (a parent field matches its children)."""
        return services.list_listings(db.session, _viewer(), **filters)

    @university_staff
    @blp.arguments(s.ListingCreateSchema)
    @blp.response(201, s.ListingSchema, headers=ETAG_HEADER)
    def post(self, data):
        """Write a draft listing for your university (verified universities' staff)."""
        return _with_etag(services.create_listing(db.session, _staff(), data))


@blp.route("/technology-fields")
class TechnologyFields(MethodView):
    @blp.response(200, s.TechnologyFieldSchema(many=True))
    def get(self):
        """The taxonomy of technology fields listings are filed under (parents before children)."""
        return list(technology_fields().values())


@blp.route("/<int:listing_id>")
class ListingItem(MethodView):
    @public_read
    @blp.response(200, s.ListingSchema, headers=ETAG_HEADER,
                  description="The full view for its university and admins; others get the public fields only")
    def get(self, listing_id):
        """One listing (published ones for anyone; others for their university and admins)."""
        return _detail(services.read_listing(db.session, _viewer(), listing_id))

    @university_staff
    @blp.arguments(s.ListingUpdateSchema)
    @blp.response(200, s.ListingSchema, headers=ETAG_HEADER)
    @blp.doc(description=EDIT_DESCRIPTION, parameters=[IF_MATCH_PARAMETER])
    def patch(self, data, listing_id):
        """Edit a listing of your university (needs If-Match; substance edits send a published one to review)."""
        listing = services.update_listing(
            db.session, _staff(), listing_id, data, if_match=request.headers.get("If-Match")
        )
        return _with_etag(listing)

    @university_staff
    @blp.response(204)
    def delete(self, listing_id):
        """Delete a draft of your university."""
        services.delete_listing(db.session, _staff(), listing_id)


@blp.route("/by-slug/<string:slug>")
class ListingBySlug(MethodView):
    @public_read
    @blp.response(200, s.ListingSchema, headers=ETAG_HEADER)
    def get(self, slug):
        """One listing by its slug (same visibility as by id)."""
        return _detail(services.read_listing(db.session, _viewer(), slug=slug))


@blp.route("/<int:listing_id>/history")
class ListingHistory(MethodView):
    @login_required
    @blp.response(200, s.TransitionSchema(many=True))
    def get(self, listing_id):
        """Every workflow step of the listing: who, when, from, to, why (its university and admins)."""
        return transitions.history(db.session, require_user(), listing_id)


@blp.route("/<int:listing_id>/submit")
class Submit(MethodView):
    @university_staff
    @blp.response(200, s.ListingSchema, headers=ETAG_HEADER)
    def post(self, listing_id):
        """Send a draft, a listing sent back for changes, or an archived one to review."""
        return _with_etag(transitions.submit(db.session, _staff(), listing_id))


@blp.route("/<int:listing_id>/archive")
class Archive(MethodView):
    @university_staff
    @blp.response(200, s.ListingSchema, headers=ETAG_HEADER)
    def post(self, listing_id):
        """Take a published listing of your university off the catalogue."""
        return _with_etag(transitions.archive(db.session, _staff(), listing_id))


@blp.route("/<int:listing_id>/approve")
class Approve(MethodView):
    @admin_required
    @blp.response(200, s.ListingSchema, headers=ETAG_HEADER)
    def post(self, listing_id):
        """Publish a listing in review (admins); its university's managers are told."""
        return _with_etag(transitions.approve(db.session, require_user(), listing_id))


@blp.route("/<int:listing_id>/request-changes")
class RequestChanges(MethodView):
    @admin_required
    @blp.arguments(ReasonSchema)
    @blp.response(200, s.ListingSchema, headers=ETAG_HEADER)
    def post(self, data, listing_id):
        """Send a listing in review back to its university with the changes to make (admins)."""
        return _with_etag(transitions.request_changes(db.session, require_user(), listing_id, data["reason"]))


@blp.route("/<int:listing_id>/suspend")
class Suspend(MethodView):
    @admin_required
    @blp.arguments(ReasonSchema)
    @blp.response(200, s.ListingSchema, headers=ETAG_HEADER)
    def post(self, data, listing_id):
        """Suspend a listing in any state, with a reason (admins)."""
        return _with_etag(transitions.suspend(db.session, require_user(), listing_id, data["reason"]))


@blp.route("/<int:listing_id>/reinstate")
class Reinstate(MethodView):
    @admin_required
    @blp.response(200, s.ListingSchema, headers=ETAG_HEADER)
    def post(self, listing_id):
        """Lift a suspension: the listing returns to the state it was suspended from (admins)."""
        return _with_etag(transitions.reinstate(db.session, require_user(), listing_id))


@blp.route("/<int:listing_id>/flags")
class Flags(MethodView):
    @login_required
    @blp.arguments(s.FlagCreateSchema)
    @blp.response(201, s.FlagSchema)
    def post(self, data, listing_id):
        """Report a published listing to the administrators (a category and what is wrong)."""
        return flags.flag_listing(db.session, require_user(), listing_id, **data)


@blp.route("/<int:listing_id>/express-license/purchase")
class ExpressPurchase(MethodView):
    @login_required
    @blp.response(201, s.ExpressPurchaseSchema)
    def post(self, listing_id):
        """Buy the listing's express license (verified companies and startups).

        Creates a non-exclusive license (pending payment) and its invoice; pay the invoice with
        `POST /api/v1/invoices/{id}/pay`. The license becomes active when Stripe confirms the payment.
        Ordering again while the first order is unpaid returns the same license and invoice.
        """
        license, invoice = express.purchase(db.session, require_user(), listing_id)
        return {"license": license, "invoice": invoice}
