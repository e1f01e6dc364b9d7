"""Incubator objects for the global authorization matrix (whose roles are company and university
users, admins and anonymous callers: every incubator object is someone else's to them)."""

from __future__ import annotations

from datetime import timedelta

from marketplace.core.db import utcnow
from marketplace.extensions import db
from marketplace.incubator.models import (
    Application,
    Cohort,
    CohortMember,
    KPIReport,
    Milestone,
    Program,
    RubricCriterion,
)


def incubator_ids(make_org, make_user) -> dict:
    """A running cohort of a verified incubator with one member startup and its records."""
    incubator = make_org("incubator")
    staff = make_user(org=incubator, role="member")
    startup = make_org("startup")
    now, today = utcnow(), utcnow().date()
    program = Program(incubator_id=incubator.id, name="Program", currency="EUR")
    cohort = Cohort(program=program, name="Cohort", starts_on=today, ends_on=today + timedelta(days=90), capacity=2,
                    applications_open_at=now - timedelta(days=30), applications_close_at=now - timedelta(days=1),
                    status="running", criteria=[RubricCriterion(position=1, name="Team", weight=1)])
    application = Application(cohort=cohort, startup_id=startup.id, status="accepted", pitch="p", submitted_at=now)
    db.session.add_all([program, cohort, application])
    db.session.flush()
    member = CohortMember(cohort_id=cohort.id, startup_id=startup.id, application_id=application.id, joined_at=now,
                          currency="EUR", fee_amount=0, equity_bps=0)
    db.session.add(member)
    db.session.flush()
    milestone = Milestone(member_id=member.id, title="Pilot", due_on=today + timedelta(days=5))
    report = KPIReport(member_id=member.id, period_start=today - timedelta(days=30), period_end=today, currency="EUR")
    db.session.add_all([milestone, report])
    db.session.commit()
    return {
        "inc_program_id": program.id,
        "inc_cohort_id": cohort.id,
        "inc_application_id": application.id,
        "inc_member_id": member.id,
        "inc_milestone_id": milestone.id,
        "inc_kpi_report_id": report.id,
        "inc_staff_id": staff.id,
        "inc_criterion_id": cohort.criteria[0].id,
    }
