"""Builders for incubator tests: an incubator with its people, cohorts in any state, startups,
applications and members, written straight to the database (the API is what the tests exercise)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from marketplace.accounts.models import Organization, User
from marketplace.core.db import utcnow
from marketplace.extensions import db
from marketplace.incubator.models import Application, Cohort, CohortMember, Program, RubricCriterion

DAY = timedelta(days=1)


@dataclass
class Incubator:
    org: Organization
    manager: User
    staff: User
    other_staff: User


@dataclass
class Startup:
    org: Organization
    founder: User
    member: User


@pytest.fixture
def incubator(make_org, make_user) -> Incubator:
    org = make_org("incubator")
    return Incubator(
        org=org,
        manager=make_user(org=org, role="manager"),
        staff=make_user(org=org, role="member"),
        other_staff=make_user(org=org, role="member"),
    )


@pytest.fixture
def make_startup(make_org, make_user):
    def make(**overrides) -> Startup:
        org = make_org("startup", **overrides)
        return Startup(org=org, founder=make_user(org=org, role="manager"), member=make_user(org=org, role="member"))

    return make


@pytest.fixture
def make_program(app):
    def make(incubator_org: Organization, **overrides) -> Program:
        values = {
            "name": "Deep Tech Accelerator",
            "description": "Twelve weeks",
            "focus_fields": ["EN"],
            "currency": "EUR",
            "fee_amount": 250_000,
            "fee_due_days": 30,
            "equity_bps": 500,
        }
        values.update(overrides)
        program = Program(incubator_id=incubator_org.id, **values)
        db.session.add(program)
        db.session.commit()
        return program

    return make


#: the default rubric: weights 3, 2, 1
RUBRIC = (("Team", 3), ("Technology", 2), ("Market", 1))
QUESTIONS = [
    {"key": "team", "text": "Who is on the team?", "required": True},
    {"key": "traction", "text": "Any traction?", "required": False},
]


@pytest.fixture
def make_cohort(app, make_program):
    """``make_cohort(incubator_org, status="open", window="open", capacity=3, rubric=RUBRIC)``.

    ``window``: ``open`` (now inside it), ``future`` (opens tomorrow) or ``closed`` (closed yesterday).
    """

    def make(incubator_org: Organization, *, status="open", window="open", capacity=3, rubric=RUBRIC,
             program: Program | None = None, **overrides) -> Cohort:
        now = utcnow()
        opens, closes = {
            "open": (now - 5 * DAY, now + 5 * DAY),
            "future": (now + DAY, now + 10 * DAY),
            "closed": (now - 20 * DAY, now - DAY),
        }[window]
        today = now.date()
        values = {
            "name": "Spring",
            "starts_on": today + 10 * DAY,
            "ends_on": today + 100 * DAY,
            "capacity": capacity,
            "applications_open_at": opens,
            "applications_close_at": closes,
            "status": status,
            "questions": QUESTIONS,
        }
        values.update(overrides)
        cohort = Cohort(program=program or make_program(incubator_org), **values)
        cohort.criteria = [RubricCriterion(position=i, name=n, weight=w) for i, (n, w) in enumerate(rubric, 1)]
        db.session.add(cohort)
        db.session.commit()
        return cohort

    return make


@pytest.fixture
def make_application(app):
    def make(cohort: Cohort, startup: Startup, *, status="submitted", **overrides) -> Application:
        now = utcnow()
        values = {
            "pitch": f"{startup.org.name} makes things better.",
            "answers": {"team": "Two founders"},
            "submitted_at": None if status == "draft" else now,
            "waitlisted_at": now if status == "waitlisted" else None,
            "created_by_id": startup.founder.id,
        }
        values.update(overrides)
        application = Application(cohort_id=cohort.id, startup_id=startup.org.id, status=status, **values)
        db.session.add(application)
        db.session.commit()
        return application

    return make


@pytest.fixture
def make_member(app, make_application):
    """An accepted application and its cohort member, on the program's terms."""

    def make(cohort: Cohort, startup: Startup, **overrides) -> CohortMember:
        application = make_application(cohort, startup, status="accepted", decided_at=utcnow())
        program = cohort.program
        values = {
            "status": "active",
            "joined_at": utcnow(),
            "currency": program.currency,
            "fee_amount": program.fee_amount,
            "equity_bps": program.equity_bps,
        }
        values.update(overrides)
        member = CohortMember(cohort_id=cohort.id, startup_id=startup.org.id, application_id=application.id, **values)
        db.session.add(member)
        db.session.commit()
        return member

    return make


def days_from_today(n: int) -> date:
    return utcnow().date() + timedelta(days=n)
