"""Every incubator endpoint x every incubator-relevant role -> the expected status.

Roles: ``anonymous``; the incubator's ``manager``; ``reviewer`` (a staff member assigned to review
the selecting cohort's application and mentoring the running cohort's startup); ``staff`` (a
staff member with no assignment); ``other_incubator`` (a manager of another incubator);
``applicant`` (the founder of the startup that applied and is a member); ``other_startup``;
``admin`` (no organization). The global matrix covers company and university users.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest

from marketplace.core.db import utcnow
from marketplace.extensions import db
from marketplace.incubator.models import KPIReport, MentorAssignment, Milestone, ReviewerAssignment

from .conftest import Incubator, days_from_today

A, IM, IR, IS, OI, AP, OS, AD = (
    "anonymous", "manager", "reviewer", "staff", "other_incubator", "applicant", "other_startup", "admin",
)
ROLES = (A, IM, IR, IS, OI, AP, OS, AD)


def expect(default: int, **overrides: int) -> dict[str, int]:
    """``default`` for every signed-in role with an organization; 401 anonymous, 403 admin."""
    table = dict.fromkeys(ROLES, default)
    table.update({A: 401, AD: 403})
    table.update(overrides)
    return table


def managers_only(status: int, **overrides: int) -> dict[str, int]:
    """The incubator's manager acts; its other staff 403; outsiders 404."""
    return expect(404, **({IM: status, IR: 403, IS: 403} | overrides))


def staff_and_startup(status: int, **overrides: int) -> dict[str, int]:
    """The incubator's staff and the member startup see; outsiders 404."""
    return expect(404, **({IM: status, IR: status, IS: status, AP: status} | overrides))


def startup_only(status: int, **overrides: int) -> dict[str, int]:
    """The member startup acts; the incubator's staff 403; outsiders 404."""
    return expect(404, **({AP: status, IM: 403, IR: 403, IS: 403} | overrides))


@dataclass
class Row:
    method: str
    path: str
    expected: dict[str, int]
    json: dict | None = None


PROGRAM = {"name": "New program", "currency": "EUR"}
KPI = {"revenue_amount": 1, "headcount": 1, "customers": 1, "burn_amount": 1}

ROWS: list[Row] = [
    # programs
    Row("GET", "/programs", expect(200)),
    Row("POST", "/programs", expect(403, **{IM: 201, OI: 201}), PROGRAM),
    Row("GET", "/programs/{program}", expect(200)),
    Row("PATCH", "/programs/{program}", managers_only(200), {"name": "Renamed"}),
    Row("POST", "/programs/{program}/cohorts", managers_only(201), "cohort"),
    # cohorts
    Row("GET", "/cohorts", expect(200)),
    Row("GET", "/cohorts/{planning}", expect(404, **{IM: 200, IR: 200, IS: 200})),
    Row("GET", "/cohorts/{selecting}", expect(200)),
    Row("PATCH", "/cohorts/{planning}", managers_only(200), {"name": "Renamed"}),
    Row("POST", "/cohorts/{planning}/open", managers_only(200)),
    Row("POST", "/cohorts/{open}/close", managers_only(200)),
    Row("POST", "/cohorts/{selecting}/start", managers_only(200)),
    Row("POST", "/cohorts/{running}/graduate", managers_only(200)),
    # applications
    Row("GET", "/cohorts/{selecting}/applications", expect(404, **{IM: 200, IR: 200, IS: 200})),
    Row("POST", "/cohorts/{open}/applications", expect(403, **{AP: 409, OS: 201}), {"pitch": "Hello"}),
    Row("GET", "/applications", expect(200)),
    Row("GET", "/applications/{submitted}", expect(404, **{IM: 200, IR: 200, AP: 200})),
    Row("PATCH", "/applications/{draft}", expect(404, **{AP: 200}), {"pitch": "Better"}),
    Row("POST", "/applications/{draft}/submit", expect(404, **{AP: 200})),
    Row("POST", "/applications/{submitted}/withdraw", expect(404, **{AP: 200, IM: 403, IR: 403})),
    Row("POST", "/applications/{submitted}/accept", expect(404, **{IM: 200, IR: 403, AP: 403})),
    Row("POST", "/applications/{submitted}/waitlist", expect(404, **{IM: 200, IR: 403, AP: 403})),
    Row("POST", "/applications/{submitted}/reject", expect(404, **{IM: 200, IR: 403, AP: 403}), {"reason": "No"}),
    Row("POST", "/applications/{submitted}/reviewers", expect(404, **{IM: 201, IR: 403, AP: 403}), "staff_user"),
    Row("DELETE", "/applications/{submitted}/reviewers/{reviewer_user}", expect(404, **{IM: 204, IR: 403, AP: 403})),
    Row("GET", "/applications/{submitted}/reviews", expect(404, **{IM: 200, IR: 200, AP: 403})),
    Row("PUT", "/applications/{submitted}/review", expect(404, **{IR: 200, IM: 403, AP: 403}), "scores"),
    Row("GET", "/cohorts/{selecting}/ranking", managers_only(200)),
    # members, mentors, licenses
    Row("GET", "/cohorts/{running}/members", staff_and_startup(200)),
    Row("GET", "/members/{member}", staff_and_startup(200)),
    Row("POST", "/members/{member}/mentors", managers_only(201, **{AP: 403}), "staff_user"),
    Row("DELETE", "/members/{member}/mentors/{reviewer_user}", managers_only(204, **{AP: 403})),
    Row("GET", "/members/{member}/licenses", staff_and_startup(200)),
    Row("GET", "/members/{member}/invoices", staff_and_startup(200)),
    # milestones
    Row("GET", "/members/{member}/milestones", staff_and_startup(200)),
    Row("POST", "/members/{member}/milestones", managers_only(201, **{AP: 403}), "milestone"),
    Row("PATCH", "/milestones/{milestone}", managers_only(200, **{AP: 403}), {"title": "Renamed"}),
    Row("POST", "/milestones/{milestone}/evidence", startup_only(200), {"evidence": "Signed contract"}),
    Row("POST", "/milestones/{milestone}/confirm", managers_only(200, **{IR: 200, AP: 403})),
    Row("POST", "/milestones/{milestone}/miss", managers_only(200, **{AP: 403})),
    # KPI reports
    Row("GET", "/members/{member}/kpi-reports", staff_and_startup(200)),
    Row("POST", "/members/{member}/kpi-reports", startup_only(201), "kpis"),
    Row("PATCH", "/kpi-reports/{kpi_report}", startup_only(200), {"customers": 9}),
    # dashboard
    Row("GET", "/cohorts/{running}/dashboard", expect(404, **{IM: 200, IR: 200, IS: 200})),
    Row("GET", "/cohorts/{running}/dashboard.csv", expect(404, **{IM: 200, IR: 200, IS: 200})),
]


@pytest.fixture
def build_world(app, make_user, make_org, make_program, make_cohort, make_startup, make_application, make_member,
                login):
    """A builder of the objects the rows name, with a way to log in as each role (a fresh world after every
    successful change, so each role meets the same state)."""

    def build():
        incubator = make_incubator(make_org, make_user)
        program = make_program(incubator.org)
        applicant, other = make_startup(), make_startup()
        other_incubator_manager = make_user(org=make_org("incubator"), role="manager")
        admin = make_user(is_admin=True, org=None)
        planning = make_cohort(incubator.org, program=program, status="planning")
        opened = make_cohort(incubator.org, program=program, status="open")
        draft = make_application(opened, applicant, status="draft")
        selecting = make_cohort(incubator.org, program=program, status="selecting", window="closed")
        submitted = make_application(selecting, applicant)
        db.session.add(ReviewerAssignment(application_id=submitted.id, reviewer_id=incubator.staff.id,
                                          assigned_at=utcnow()))
        running = make_cohort(incubator.org, program=program, status="running", window="closed")
        member = make_member(running, applicant)
        db.session.add(MentorAssignment(member_id=member.id, mentor_id=incubator.staff.id, assigned_at=utcnow()))
        milestone = Milestone(member_id=member.id, title="Pilot", due_on=days_from_today(10))
        report = KPIReport(member_id=member.id, period_start=days_from_today(-60), period_end=days_from_today(-31),
                           currency="EUR", revenue_amount=5, headcount=2, customers=1, burn_amount=3)
        db.session.add_all([milestone, report])
        db.session.commit()
        users = {IM: incubator.manager, IR: incubator.staff, IS: incubator.other_staff, OI: other_incubator_manager,
                 AP: applicant.founder, OS: other.founder, AD: admin}
        ids = {
            "program": program.id, "planning": planning.id, "open": opened.id, "selecting": selecting.id,
            "running": running.id, "draft": draft.id, "submitted": submitted.id, "member": member.id,
            "milestone": milestone.id, "kpi_report": report.id, "reviewer_user": incubator.staff.id,
        }
        bodies = {
            "cohort": {
                "name": "Next", "starts_on": days_from_today(30).isoformat(),
                "ends_on": days_from_today(90).isoformat(), "capacity": 5,
                "applications_open_at": utcnow().isoformat(),
                "applications_close_at": (utcnow() + timedelta(days=30)).isoformat(),
            },
            "staff_user": {"user_id": incubator.other_staff.id},
            "scores": {"scores": [{"criterion_id": c.id, "score": 4} for c in selecting.criteria]},
            "milestone": {"title": "Raise seed", "due_on": days_from_today(60).isoformat()},
            "kpis": {"period_start": days_from_today(-30).isoformat(), "period_end": days_from_today(-1).isoformat(),
                     **KPI},
        }
        return World(app, login, users, ids, bodies)

    return build


def make_incubator(make_org, make_user) -> Incubator:
    org = make_org("incubator")
    return Incubator(org, make_user(org=org, role="manager"), make_user(org=org, role="member"),
                     make_user(org=org, role="member"))


@dataclass
class World:
    app: object
    login: object
    users: dict
    ids: dict
    bodies: dict

    def status(self, role: str, row: Row) -> int:
        client = self.app.test_client() if role == A else self.login(self.users[role])
        body = self.bodies[row.json] if isinstance(row.json, str) else row.json
        response = client.open("/api/v1/incubator" + row.path.format(**self.ids), method=row.method, json=body)
        return response.status_code


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.method} {r.path}")
def test_incubator_authorization(build_world, row):
    world = build_world()
    answers = {}
    for role in ROLES:
        answers[role] = world.status(role, row)
        if row.method != "GET" and answers[role] < 400:
            world = build_world()
    assert answers == row.expected


def test_every_incubator_endpoint_has_a_row(app):
    covered = {(row.method, re.sub(r"\{[^}]+\}", "{}", "/api/v1/incubator" + row.path)) for row in ROWS}
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/incubator/"):
            continue
        path = re.sub(r"<[^>]+>", "{}", rule.rule)
        missing += [f"{m} {rule.rule}" for m in sorted(rule.methods - {"HEAD", "OPTIONS"}) if (m, path) not in covered]
    assert missing == []


PATCH_ROWS = [(row, next(role for role in ROLES if row.expected[role] == 200)) for row in ROWS if row.method == "PATCH"]


@pytest.mark.parametrize("row, role", PATCH_ROWS, ids=lambda x: getattr(x, "path", x))
def test_an_incubator_patch_without_any_field_is_422_for_whoever_may_edit(build_world, row, role):
    world = build_world()
    client = world.login(world.users[role])
    response = client.patch("/api/v1/incubator" + row.path.format(**world.ids), json={})
    assert response.status_code == 422, response.json
    assert response.json["detail"] == "Send at least one field to change."
