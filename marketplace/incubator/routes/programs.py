"""Programs, cohorts and the cohort lifecycle."""

from __future__ import annotations

from flask.views import MethodView

from marketplace.core.auth import MANAGER, membership_required, require_membership
from marketplace.core.pagination import page_schema
from marketplace.extensions import db
from marketplace.incubator.routes import blp
from marketplace.incubator.schemas import programs as s
from marketplace.incubator.services import programs as services


@blp.route("/programs")
class Programs(MethodView):
    @blp.arguments(s.ProgramListArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(s.ProgramSchema))
    def get(self, **filters):
        """Programs of your incubator and every program with an announced cohort."""
        return services.list_programs(db.session, require_membership(), **filters)

    @membership_required(kinds=("incubator",), role=MANAGER, verified=True)
    @blp.arguments(s.ProgramCreateSchema)
    @blp.response(201, s.ProgramSchema)
    def post(self, data):
        """Create a program (managers of a verified incubator)."""
        return services.create_program(db.session, require_membership(), data)


@blp.route("/programs/<int:program_id>")
class ProgramItem(MethodView):
    @blp.response(200, s.ProgramSchema)
    def get(self, program_id):
        """One program."""
        return services.get_program(db.session, require_membership(), program_id)

    @blp.arguments(s.ProgramUpdateSchema)
    @blp.response(200, s.ProgramSchema)
    def patch(self, data, program_id):
        """Edit a program (its incubator's managers); members keep the terms they joined on."""
        return services.update_program(db.session, require_membership(), program_id, data)


@blp.route("/programs/<int:program_id>/cohorts")
class ProgramCohorts(MethodView):
    @blp.arguments(s.CohortCreateSchema)
    @blp.response(201, s.CohortSchema)
    def post(self, data, program_id):
        """Create a cohort in planning, with its window, capacity, questions and rubric."""
        return services.create_cohort(db.session, require_membership(), program_id, data)


@blp.route("/cohorts")
class Cohorts(MethodView):
    @blp.arguments(s.CohortListArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(s.CohortSchema))
    def get(self, **filters):
        """Cohorts of your incubator and every announced cohort (``status=open`` for those taking applications)."""
        return services.list_cohorts(db.session, require_membership(), **filters)


@blp.route("/cohorts/<int:cohort_id>")
class CohortItem(MethodView):
    @blp.response(200, s.CohortSchema)
    def get(self, cohort_id):
        """One cohort, with its questions and rubric."""
        return services.get_cohort(db.session, require_membership(), cohort_id)

    @blp.arguments(s.CohortUpdateSchema)
    @blp.response(200, s.CohortSchema)
    def patch(self, data, cohort_id):
        """Edit a cohort (managers): window before it closes, questions and rubric in planning."""
        return services.update_cohort(db.session, require_membership(), cohort_id, data)


@blp.route("/cohorts/<int:cohort_id>/open")
class OpenCohort(MethodView):
    @blp.response(200, s.CohortSchema)
    def post(self, cohort_id):
        """Open applications (planning -> open; needs a rubric)."""
        return services.transition(db.session, require_membership(), cohort_id, "open")


@blp.route("/cohorts/<int:cohort_id>/close")
class CloseCohort(MethodView):
    @blp.response(200, s.CohortSchema)
    def post(self, cohort_id):
        """Close applications and start selecting (open -> selecting)."""
        return services.transition(db.session, require_membership(), cohort_id, "close")


@blp.route("/cohorts/<int:cohort_id>/start")
class StartCohort(MethodView):
    @blp.response(200, s.CohortSchema)
    def post(self, cohort_id):
        """Start the cohort (selecting -> running); program fees are invoiced."""
        return services.transition(db.session, require_membership(), cohort_id, "start")


@blp.route("/cohorts/<int:cohort_id>/graduate")
class GraduateCohort(MethodView):
    @blp.response(200, s.CohortSchema)
    def post(self, cohort_id):
        """Graduate the cohort (running -> graduated)."""
        return services.transition(db.session, require_membership(), cohort_id, "graduate")
