"""License endpoints: lists with money, detail, termination, milestones, royalty reports."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from marketplace.core.auth import membership_required, require_membership
from marketplace.core.pagination import page_schema
from marketplace.ip.licenses import milestones, portfolio, reports
from marketplace.ip.licenses import schemas as s
from marketplace.extensions import db

blp = Blueprint("licenses", __name__, url_prefix="/api/v1/licenses", description="Licenses, milestones and royalty reports")

#: licensors are universities; licensees companies and startups
PARTY_KINDS = ("university", "company", "startup")
party_required = membership_required(kinds=PARTY_KINDS)


def _caller():
    return require_membership(kinds=PARTY_KINDS)


@blp.route("")
class Licenses(MethodView):
    @party_required
    @blp.arguments(s.LicenseListArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(s.LicenseSchema))
    def get(self, **filters):
        """Licenses your organization grants or holds, with what is paid, outstanding and overdue."""
        return portfolio.list_licenses(db.session, _caller(), **filters)


@blp.route("/late-royalty-reports")
class LateReports(MethodView):
    @blp.response(200, s.LateReportSchema(many=True))
    def get(self):
        """Royalty reports of your licenses that are missing past their due date or came in late."""
        return reports.late_reports(db.session, _caller())


@blp.route("/<int:license_id>")
class LicenseItem(MethodView):
    @blp.response(200, s.LicenseSchema)
    def get(self, license_id):
        """One license (its licensor and licensee only), with its money."""
        return portfolio.get_license(db.session, _caller(), license_id)


@blp.route("/<int:license_id>/terminate")
class Terminate(MethodView):
    @party_required
    @blp.arguments(s.TerminateSchema)
    @blp.response(200, s.LicenseSchema)
    def post(self, data, license_id):
        """Terminate a license with a reason and an effective date (the licensor's managers)."""
        return portfolio.terminate(db.session, _caller(), license_id, **data)


@blp.route("/<int:license_id>/milestones")
class Milestones(MethodView):
    @blp.response(200, s.MilestoneSchema(many=True))
    def get(self, license_id):
        """The license's milestone payments and where each stands."""
        return milestones.list_milestones(db.session, _caller(), license_id)


@blp.route("/<int:license_id>/milestones/<int:milestone_id>/reach")
class ReachMilestone(MethodView):
    @party_required
    @blp.arguments(s.ReachSchema)
    @blp.response(200, s.MilestoneSchema)
    def post(self, data, license_id, milestone_id):
        """Report an event milestone reached, with evidence (the licensee)."""
        return milestones.reach(db.session, _caller(), license_id, milestone_id, **data)


@blp.route("/<int:license_id>/milestones/<int:milestone_id>/confirm")
class ConfirmMilestone(MethodView):
    @blp.response(200, s.MilestoneSchema)
    def post(self, license_id, milestone_id):
        """Confirm an event milestone and issue its invoice (the licensor's managers)."""
        return milestones.confirm(db.session, _caller(), license_id, milestone_id)


@blp.route("/<int:license_id>/royalty-reports")
class RoyaltyReports(MethodView):
    @blp.response(200, s.RoyaltyReportSchema(many=True))
    def get(self, license_id):
        """The license's royalty reports, by period."""
        return reports.list_reports(db.session, _caller(), license_id)

    @party_required
    @blp.arguments(s.RoyaltyReportCreateSchema)
    @blp.response(201, s.RoyaltyReportSchema)
    def post(self, data, license_id):
        """Report a finished period's net sales and units per territory (the licensee); the royalty is invoiced."""
        return reports.submit(db.session, _caller(), license_id, **data)


@blp.route("/<int:license_id>/royalty-reports/<int:report_id>")
class RoyaltyReportItem(MethodView):
    @blp.response(200, s.RoyaltyReportSchema)
    def get(self, license_id, report_id):
        """One royalty report with its sales lines."""
        return reports.get_report(db.session, _caller(), license_id, report_id)
