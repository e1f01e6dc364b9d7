"""Applications, decisions, reviewers, reviews and the ranked list."""

from __future__ import annotations

from flask.views import MethodView

from marketplace.core.auth import membership_required, require_membership
from marketplace.core.pagination import page_schema
from marketplace.core.schemas import OptionalReasonSchema
from marketplace.extensions import db
from marketplace.incubator.routes import blp
from marketplace.incubator.schemas import applications as s
from marketplace.incubator.services import applications as services
from marketplace.incubator.services import reviews


@blp.route("/cohorts/<int:cohort_id>/applications")
class CohortApplications(MethodView):
    @blp.arguments(s.ApplicationListArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(s.ApplicationSchema))
    def get(self, cohort_id, **filters):
        """A cohort's submitted applications: all for managers, the assigned ones for reviewers."""
        return services.list_cohort_applications(db.session, require_membership(), cohort_id, **filters)

    @membership_required(kinds=("startup",))
    @blp.arguments(s.ApplicationCreateSchema)
    @blp.response(201, s.ApplicationSchema)
    def post(self, data, cohort_id):
        """Start your startup's application (a draft) while the cohort's window is open."""
        return services.create_application(db.session, require_membership(), cohort_id, data)


@blp.route("/applications")
class MyApplications(MethodView):
    @blp.arguments(s.ApplicationListArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(s.ApplicationSchema))
    def get(self, **filters):
        """Your startup's applications, or the applications assigned to you for review."""
        return services.list_my_applications(db.session, require_membership(), **filters)


@blp.route("/applications/<int:application_id>")
class ApplicationItem(MethodView):
    @blp.response(200, s.ApplicationSchema)
    def get(self, application_id):
        """One application (the startup, the incubator's managers, its assigned reviewers)."""
        return services.get_application(db.session, require_membership(), application_id)

    @blp.arguments(s.ApplicationUpdateSchema)
    @blp.response(200, s.ApplicationSchema)
    def patch(self, data, application_id):
        """Edit the pitch and answers until the window closes."""
        return services.update_application(db.session, require_membership(), application_id, data)


@blp.route("/applications/<int:application_id>/submit")
class SubmitApplication(MethodView):
    @blp.response(200, s.ApplicationSchema)
    def post(self, application_id):
        """Submit a complete application while the window is open."""
        return services.submit_application(db.session, require_membership(), application_id)


@blp.route("/applications/<int:application_id>/withdraw")
class WithdrawApplication(MethodView):
    @blp.response(200, s.ApplicationSchema)
    def post(self, application_id):
        """Withdraw; an accepted startup's place goes to the first waitlisted startup."""
        return services.withdraw_application(db.session, require_membership(), application_id)


@blp.route("/applications/<int:application_id>/accept")
class AcceptApplication(MethodView):
    @blp.response(200, s.ApplicationSchema)
    def post(self, application_id):
        """Accept into the cohort (managers; refused beyond capacity); the startup is notified."""
        return services.decide(db.session, require_membership(), application_id, "accept")


@blp.route("/applications/<int:application_id>/waitlist")
class WaitlistApplication(MethodView):
    @blp.response(200, s.ApplicationSchema)
    def post(self, application_id):
        """Put on the waitlist (managers); the startup is notified."""
        return services.decide(db.session, require_membership(), application_id, "waitlist")


@blp.route("/applications/<int:application_id>/reject")
class RejectApplication(MethodView):
    @blp.arguments(OptionalReasonSchema)
    @blp.response(200, s.ApplicationSchema)
    def post(self, data, application_id):
        """Reject, with an optional reason shown to the startup (managers)."""
        return services.decide(db.session, require_membership(), application_id, "reject", data["reason"])


@blp.route("/applications/<int:application_id>/reviewers")
class ApplicationReviewers(MethodView):
    @blp.arguments(s.ReviewerAssignSchema)
    @blp.response(201, s.ReviewerAssignmentSchema)
    def post(self, data, application_id):
        """Assign a member of your incubator to review the application (managers)."""
        return reviews.assign_reviewer(db.session, require_membership(), application_id, data["user_id"])


@blp.route("/applications/<int:application_id>/reviewers/<int:user_id>")
class ApplicationReviewerItem(MethodView):
    @blp.response(204)
    def delete(self, application_id, user_id):
        """Take a reviewer off an application they have not scored (managers)."""
        reviews.unassign_reviewer(db.session, require_membership(), application_id, user_id)


@blp.route("/applications/<int:application_id>/reviews")
class ApplicationReviews(MethodView):
    @blp.response(200, s.ReviewSchema(many=True))
    def get(self, application_id):
        """The reviews: all for managers, your own for a reviewer."""
        return reviews.list_reviews(db.session, require_membership(), application_id)


@blp.route("/applications/<int:application_id>/review")
class MyReview(MethodView):
    @blp.arguments(s.ReviewSaveSchema)
    @blp.response(200, s.ReviewSchema)
    def put(self, data, application_id):
        """Score every rubric criterion 1-5 with comments (assigned reviewers; again to revise)."""
        return reviews.save_review(db.session, require_membership(), application_id, data)


@blp.route("/cohorts/<int:cohort_id>/ranking")
class CohortRanking(MethodView):
    @blp.response(200, s.RankingSchema)
    def get(self, cohort_id):
        """Applications ranked by weighted average score, with the reviewers' spread (managers)."""
        return reviews.ranking(db.session, require_membership(), cohort_id)
