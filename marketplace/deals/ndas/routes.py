"""NDA requests, and the confidential details of a listing they unlock."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from marketplace.core.auth import membership_required
from marketplace.core.pagination import page_schema
from marketplace.deals.ndas import schemas as s
from marketplace.deals.ndas import services
from marketplace.deals.parties import COMPANY_KINDS, require_company_member, require_party
from marketplace.extensions import db

blp = Blueprint("nda-requests", __name__, url_prefix="/api/v1/nda-requests", description="NDA requests for confidential listing details")
details_blp = Blueprint(
    "confidential-details", __name__, url_prefix="/api/v1/listings", description="Confidential details of a listing (behind an NDA)"
)

party_required = membership_required(kinds=(*COMPANY_KINDS, "university"))


def _caller():
    return current_user if current_user.is_authenticated else None


@blp.route("")
class NDARequests(MethodView):
    @party_required
    @blp.arguments(s.NDAListArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(s.NDARequestSchema))
    def get(self, **filters):
        """NDA requests your organization made or received, newest first."""
        return services.list_requests(db.session, require_party(), **filters)

    @membership_required(kinds=COMPANY_KINDS, verified=True)
    @blp.arguments(s.NDARequestCreateSchema)
    @blp.response(201, s.NDARequestSchema)
    def post(self, data):
        """Agree to a listing's NDA (by this click) and ask its university to open the confidential details."""
        return services.request_nda(db.session, require_company_member(), **data)


@blp.route("/<int:request_id>")
class NDARequestItem(MethodView):
    @blp.response(200, s.NDARequestSchema)
    def get(self, request_id):
        """One NDA request (its company and university only)."""
        return services.get_request(db.session, require_party(), request_id)


@blp.route("/<int:request_id>/accept")
class AcceptNDA(MethodView):
    @blp.response(200, s.NDARequestSchema)
    def post(self, request_id):
        """Accept an NDA request (university managers): the company sees the confidential details."""
        return services.accept(db.session, require_party(), request_id)


@blp.route("/<int:request_id>/decline")
class DeclineNDA(MethodView):
    @party_required
    @blp.arguments(s.NDADeclineSchema)
    @blp.response(200, s.NDARequestSchema)
    def post(self, data, request_id):
        """Decline an NDA request with a reason (university managers)."""
        return services.decline(db.session, require_party(), request_id, data["reason"])


@details_blp.route("/<int:listing_id>/confidential-details")
class ConfidentialDetails(MethodView):
    @details_blp.response(200, s.ConfidentialDetailsSchema)
    def get(self, listing_id):
        """Whether a listing has confidential details and under which NDA; their content once you may see it."""
        return services.confidential_view(db.session, _caller(), listing_id)

    @membership_required(kinds=("university",))
    @details_blp.arguments(s.ConfidentialDetailsUpdateSchema)
    @details_blp.response(200, s.ConfidentialDetailsSchema)
    def put(self, data, listing_id):
        """Set the confidential details of your university's listing and the NDA that guards them."""
        return services.set_confidential(db.session, require_party(), listing_id, **data)

    @membership_required(kinds=("university",))
    @details_blp.response(204)
    def delete(self, listing_id):
        """Remove the confidential details of your university's listing."""
        services.remove_confidential(db.session, require_party(), listing_id)
