"""Offer endpoints: propose, revise (If-Match), counter, accept, reject, withdraw; revisions and changes."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from marketplace.core.auth import membership_required
from marketplace.core.concurrency import IF_MATCH_PARAMETER, etag
from marketplace.core.pagination import page_schema
from marketplace.deals.offers import schemas as s
from marketplace.deals.offers import services
from marketplace.deals.parties import COMPANY_KINDS, require_company_member, require_party
from marketplace.extensions import db

blp = Blueprint("offers", __name__, url_prefix="/api/v1/offers", description="Offers and counter-offers on listings")

party_required = membership_required(kinds=(*COMPANY_KINDS, "university"))
IF_MATCH_REQUIRED = IF_MATCH_PARAMETER
IF_MATCH = {**IF_MATCH_PARAMETER, "required": False,
            "description": "Optional: the ETag of the version you decided on; a stale one answers 412."}


def _with_etag(offer):
    return offer, {"ETag": etag(offer.version)}


@blp.route("")
class Offers(MethodView):
    @party_required
    @blp.arguments(s.OfferListArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(s.OfferSchema))
    def get(self, **filters):
        """Offers your organization made or received, most recently changed first."""
        return services.list_offers(db.session, require_party(), **filters)

    @membership_required(kinds=COMPANY_KINDS, verified=True)
    @blp.arguments(s.OfferCreateSchema)
    @blp.response(201, s.OfferSchema)
    def post(self, data):
        """Make a license or sponsored-research offer on a published listing (company managers)."""
        return _with_etag(services.create_offer(db.session, require_company_member(), **data))


@blp.route("/<int:offer_id>")
class OfferItem(MethodView):
    @blp.response(200, s.OfferSchema)
    def get(self, offer_id):
        """One offer with its current terms, whose answer it awaits and what you may do (ETag header)."""
        return _with_etag(services.get_offer(db.session, require_party(), offer_id))

    @party_required
    @blp.doc(parameters=[IF_MATCH_REQUIRED])
    @blp.arguments(s.OfferReviseSchema)
    @blp.response(200, s.OfferSchema)
    def patch(self, data, offer_id):
        """Amend your own open proposal before the other side answers (a new revision; If-Match required)."""
        offer = services.edit(db.session, require_party(), offer_id, if_match=request.headers.get("If-Match"), **data)
        return _with_etag(offer)


@blp.route("/<int:offer_id>/revisions")
class Revisions(MethodView):
    @blp.response(200, s.RevisionSchema(many=True))
    def get(self, offer_id):
        """Every revision of the offer, oldest first, each with what changed since the previous one."""
        return services.revisions(db.session, require_party(), offer_id)


@blp.route("/<int:offer_id>/counter")
class Counter(MethodView):
    @party_required
    @blp.doc(parameters=[IF_MATCH_REQUIRED])
    @blp.arguments(s.CounterSchema)
    @blp.response(200, s.OfferSchema)
    def post(self, data, offer_id):
        """Answer with changed terms (managers of the side whose turn it is; If-Match required)."""
        offer = services.counter(db.session, require_party(), offer_id, if_match=request.headers.get("If-Match"), **data)
        return _with_etag(offer)


@blp.route("/<int:offer_id>/accept")
class Accept(MethodView):
    @blp.doc(parameters=[IF_MATCH])
    @blp.response(200, s.OfferSchema)
    def post(self, offer_id):
        """Accept the latest terms: creates the license or sponsorship agreement and its invoices."""
        return _with_etag(services.accept(db.session, require_party(), offer_id, if_match=request.headers.get("If-Match")))


@blp.route("/<int:offer_id>/reject")
class Reject(MethodView):
    @party_required
    @blp.doc(parameters=[IF_MATCH])
    @blp.arguments(s.RejectSchema)
    @blp.response(200, s.OfferSchema)
    def post(self, data, offer_id):
        """Reject with a reason (price, field_taken, stage, fit, other) and a text; the negotiation ends."""
        return _with_etag(services.reject(db.session, require_party(), offer_id, if_match=request.headers.get("If-Match"), **data))


@blp.route("/<int:offer_id>/withdraw")
class Withdraw(MethodView):
    @party_required
    @blp.doc(parameters=[IF_MATCH])
    @blp.arguments(s.WithdrawSchema)
    @blp.response(200, s.OfferSchema)
    def post(self, data, offer_id):
        """Take back your side's latest proposal; the negotiation ends."""
        return _with_etag(services.withdraw(db.session, require_party(), offer_id, if_match=request.headers.get("If-Match"), **data))
