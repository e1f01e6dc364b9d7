"""Sponsored-research agreements of your organization."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from marketplace.core.auth import membership_required
from marketplace.core.pagination import page_schema
from marketplace.deals.parties import COMPANY_KINDS, require_party
from marketplace.deals.sponsorships import schemas as s
from marketplace.deals.sponsorships import services
from marketplace.extensions import db

blp = Blueprint("sponsorships", __name__, url_prefix="/api/v1/sponsorships", description="Sponsored-research agreements")

party_required = membership_required(kinds=(*COMPANY_KINDS, "university"))


@blp.route("")
class Sponsorships(MethodView):
    @party_required
    @blp.arguments(s.SponsorshipListArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(s.SponsorshipSchema))
    def get(self, **filters):
        """Agreements your organization funds or performs, with what is paid, outstanding and overdue."""
        return services.list_agreements(db.session, require_party(), **filters)


@blp.route("/<int:agreement_id>")
class SponsorshipItem(MethodView):
    @blp.response(200, s.SponsorshipSchema)
    def get(self, agreement_id):
        """One agreement (its sponsor and university only) with its tranches and their invoices."""
        return services.get_agreement(db.session, require_party(), agreement_id)
