"""Cohort members, mentors, milestones, KPI reports, licenses, invoices and the dashboard."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView

from marketplace.core.auth import require_membership
from marketplace.extensions import db
from marketplace.incubator import dashboard
from marketplace.incubator.routes import blp
from marketplace.incubator.schemas import dashboard as d
from marketplace.incubator.schemas import members as s
from marketplace.incubator.services import members as services


@blp.route("/cohorts/<int:cohort_id>/members")
class CohortMembers(MethodView):
    @blp.response(200, s.CohortMemberSchema(many=True))
    def get(self, cohort_id):
        """The cohort's startups (the incubator's staff), or your own membership (a member startup)."""
        return services.list_members(db.session, require_membership(), cohort_id)


@blp.route("/members/<int:member_id>")
class MemberItem(MethodView):
    @blp.response(200, s.CohortMemberSchema)
    def get(self, member_id):
        """One cohort member with its terms and mentors."""
        return services.get_member(db.session, require_membership(), member_id)


@blp.route("/members/<int:member_id>/mentors")
class MemberMentors(MethodView):
    @blp.arguments(s.MentorAssignSchema)
    @blp.response(201, s.CohortMemberSchema)
    def post(self, data, member_id):
        """Assign a member of your incubator as the startup's mentor (managers)."""
        return services.assign_mentor(db.session, require_membership(), member_id, data["user_id"])


@blp.route("/members/<int:member_id>/mentors/<int:user_id>")
class MemberMentorItem(MethodView):
    @blp.response(204)
    def delete(self, member_id, user_id):
        """End a mentoring assignment (managers)."""
        services.unassign_mentor(db.session, require_membership(), member_id, user_id)


@blp.route("/members/<int:member_id>/licenses")
class MemberLicenses(MethodView):
    @blp.response(200, s.MemberLicenseSchema(many=True))
    def get(self, member_id):
        """The licenses the startup holds, with their terms and payment state."""
        return services.member_licenses(db.session, require_membership(), member_id)


@blp.route("/members/<int:member_id>/invoices")
class MemberInvoices(MethodView):
    @blp.response(200, s.MemberInvoiceSchema(many=True))
    def get(self, member_id):
        """The membership's program-fee invoices and their state."""
        return services.member_invoices(db.session, require_membership(), member_id)


@blp.route("/members/<int:member_id>/milestones")
class MemberMilestones(MethodView):
    @blp.response(200, s.CohortMilestoneSchema(many=True))
    def get(self, member_id):
        """The startup's milestones, soonest due first."""
        return services.list_milestones(db.session, require_membership(), member_id)

    @blp.arguments(s.CohortMilestoneCreateSchema)
    @blp.response(201, s.CohortMilestoneSchema)
    def post(self, data, member_id):
        """Set a milestone for the startup (managers)."""
        return services.create_milestone(db.session, require_membership(), member_id, data)


@blp.route("/milestones/<int:milestone_id>")
class MilestoneItem(MethodView):
    @blp.arguments(s.CohortMilestoneUpdateSchema)
    @blp.response(200, s.CohortMilestoneSchema)
    def patch(self, data, milestone_id):
        """Edit a pending milestone (managers)."""
        return services.update_milestone(db.session, require_membership(), milestone_id, data)


@blp.route("/milestones/<int:milestone_id>/evidence")
class MilestoneEvidence(MethodView):
    @blp.arguments(s.EvidenceSchema)
    @blp.response(200, s.CohortMilestoneSchema)
    def post(self, data, milestone_id):
        """Submit evidence that the milestone is reached (the startup)."""
        return services.submit_evidence(db.session, require_membership(), milestone_id, data["evidence"])


@blp.route("/milestones/<int:milestone_id>/confirm")
class ConfirmMilestone(MethodView):
    @blp.response(200, s.CohortMilestoneSchema)
    def post(self, milestone_id):
        """Confirm the milestone as done (managers or the startup's mentors)."""
        return services.confirm_milestone(db.session, require_membership(), milestone_id)


@blp.route("/milestones/<int:milestone_id>/miss")
class MissMilestone(MethodView):
    @blp.response(200, s.CohortMilestoneSchema)
    def post(self, milestone_id):
        """Mark a pending milestone missed (managers); the startup is notified."""
        return services.mark_missed(db.session, require_membership(), milestone_id)


@blp.route("/members/<int:member_id>/kpi-reports")
class MemberKPIReports(MethodView):
    @blp.response(200, s.KPIReportSchema(many=True))
    def get(self, member_id):
        """The startup's KPI reports, latest period first."""
        return services.list_kpi_reports(db.session, require_membership(), member_id)

    @blp.arguments(s.KPIReportCreateSchema)
    @blp.response(201, s.KPIReportSchema)
    def post(self, data, member_id):
        """Report the period's figures (the startup; amounts in minor units of the program's currency)."""
        return services.submit_kpi_report(db.session, require_membership(), member_id, data)


@blp.route("/kpi-reports/<int:report_id>")
class KPIReportItem(MethodView):
    @blp.arguments(s.KPIReportUpdateSchema)
    @blp.response(200, s.KPIReportSchema)
    def patch(self, data, report_id):
        """Correct a report's figures (the startup, while the cohort runs)."""
        return services.update_kpi_report(db.session, require_membership(), report_id, data)


@blp.route("/cohorts/<int:cohort_id>/dashboard")
class CohortDashboard(MethodView):
    @blp.response(200, d.DashboardSchema)
    def get(self, cohort_id):
        """Per-startup milestones, latest KPIs and change, licenses, invoices, and cohort totals (staff)."""
        return dashboard.build(db.session, require_membership(), cohort_id)


@blp.route("/cohorts/<int:cohort_id>/dashboard.csv")
class CohortDashboardCSV(MethodView):
    @blp.response(200, content_type="text/csv", description="One row per startup and a TOTAL row")
    def get(self, cohort_id):
        """The cohort dashboard as CSV (staff)."""
        body = dashboard.to_csv(dashboard.build(db.session, require_membership(), cohort_id))
        return Response(
            body,
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="cohort-{cohort_id}-dashboard.csv"'},
        )
