from datetime import timedelta

import sqlalchemy as sa

from marketplace.core.audit import AuditEvent
from marketplace.core.db import utcnow
from marketplace.extensions import db
from marketplace.incubator.models import Cohort, Program
from tests.helpers import assert_problem

from .conftest import days_from_today


def _cohort_body(**overrides):
    now = utcnow()
    body = {
        "name": "Autumn 2026",
        "starts_on": days_from_today(30).isoformat(),
        "ends_on": days_from_today(120).isoformat(),
        "capacity": 8,
        "applications_open_at": (now - timedelta(hours=1)).isoformat(),
        "applications_close_at": (now + timedelta(days=14)).isoformat(),
        "questions": [{"key": "team", "text": "Who is on the team?"}],
        "rubric": [{"name": "Team", "weight": 3}, {"name": "Market", "weight": 1}],
    }
    body.update(overrides)
    return body


def test_incubator_manager_creates_a_program_with_terms_in_minor_units_and_bps(login, incubator):
    response = login(incubator.manager).post(
        "/api/v1/incubator/programs",
        json={"name": "Climate Accelerator", "focus_fields": ["en"], "currency": "eur", "fee_amount": 500_000,
              "equity_bps": 600},
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert body["focus_fields"] == ["EN"] and body["currency"] == "EUR"
    assert (body["fee_amount"], body["equity_bps"], body["fee_due_days"]) == (500_000, 600, 30)
    assert body["incubator"]["id"] == incubator.org.id
    program = db.session.get(Program, body["id"])
    assert program.incubator_id == incubator.org.id
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "incubator_program.create")).scalar_one()
    assert event.actor_user_id == incubator.manager.id and event.changes["equity_bps"] == 600


def test_program_terms_are_validated(login, incubator):
    response = login(incubator.manager).post(
        "/api/v1/incubator/programs",
        json={"name": "X1", "currency": "EUR", "fee_amount": 12.5, "equity_bps": 10_001, "focus_fields": ["NOPE"]},
    )
    assert_problem(response, 422, "fee_amount", "equity_bps", "focus_fields")


def test_only_managers_of_verified_incubators_create_programs(login, make_user, make_org, incubator):
    body = {"name": "Program", "currency": "EUR"}
    assert_problem(login(incubator.staff).post("/api/v1/incubator/programs", json=body), 403)
    assert_problem(login(make_user(kind="startup")).post("/api/v1/incubator/programs", json=body), 403)
    unverified = make_org("incubator", verified=False)
    assert_problem(login(make_user(org=unverified)).post("/api/v1/incubator/programs", json=body), 403)


def test_manager_creates_a_cohort_in_planning_with_rubric_and_questions(login, incubator, make_program):
    program = make_program(incubator.org)
    response = login(incubator.manager).post(f"/api/v1/incubator/programs/{program.id}/cohorts", json=_cohort_body())
    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "planning"
    assert [(c["name"], c["weight"], c["position"]) for c in body["rubric"]] == [("Team", 3, 1), ("Market", 1, 2)]
    assert body["questions"] == [{"key": "team", "text": "Who is on the team?", "required": True}]


def test_cohort_dates_must_be_consistent(login, incubator, make_program):
    program = make_program(incubator.org)
    now = utcnow()
    body = _cohort_body(
        starts_on=days_from_today(10).isoformat(),
        ends_on=days_from_today(5).isoformat(),
        applications_open_at=now.isoformat(),
        applications_close_at=(now - timedelta(days=1)).isoformat(),
    )
    response = login(incubator.manager).post(f"/api/v1/incubator/programs/{program.id}/cohorts", json=body)
    assert_problem(response, 422, "ends_on", "applications_close_at")


def test_other_incubators_cannot_see_or_touch_a_planning_cohort(login, make_user, make_org, incubator, make_cohort):
    cohort = make_cohort(incubator.org, status="planning")
    outsider = login(make_user(org=make_org("incubator")))
    assert_problem(outsider.get(f"/api/v1/incubator/cohorts/{cohort.id}"), 404)
    assert_problem(outsider.post(f"/api/v1/incubator/cohorts/{cohort.id}/open"), 404)
    assert_problem(outsider.get(f"/api/v1/incubator/programs/{cohort.program_id}"), 404)
    assert outsider.get("/api/v1/incubator/cohorts").json["total"] == 0
    assert login(incubator.staff).get(f"/api/v1/incubator/cohorts/{cohort.id}").status_code == 200


def test_announced_cohorts_and_their_programs_are_listed_for_everyone_signed_in(login, make_user, incubator,
                                                                               make_cohort):
    open_cohort = make_cohort(incubator.org, status="open")
    make_cohort(incubator.org, status="planning")
    startup_client = login(make_user(kind="startup"))
    listed = startup_client.get("/api/v1/incubator/cohorts?status=open").json
    assert [c["id"] for c in listed["items"]] == [open_cohort.id]
    assert listed["items"][0]["rubric"][0]["name"] == "Team"
    assert listed["items"][0]["is_accepting_applications"] is True
    programs = startup_client.get("/api/v1/incubator/programs").json
    assert [p["id"] for p in programs["items"]] == [open_cohort.program_id]
    assert login(incubator.manager).get("/api/v1/incubator/cohorts").json["total"] == 2


def test_cohort_lifecycle_runs_planning_open_selecting_running_graduated(login, incubator, make_cohort):
    cohort = make_cohort(incubator.org, status="planning")
    client = login(incubator.manager)
    for action, status in (("open", "open"), ("close", "selecting"), ("start", "running"), ("graduate", "graduated")):
        response = client.post(f"/api/v1/incubator/cohorts/{cohort.id}/{action}")
        assert response.status_code == 200, response.json
        assert response.json["status"] == status
    actions = db.session.execute(
        sa.select(AuditEvent.action).where(AuditEvent.object_type == "cohort").order_by(AuditEvent.id)
    ).scalars().all()
    assert actions == ["cohort.open", "cohort.close", "cohort.start", "cohort.graduate"]


def test_illegal_cohort_transition_is_409_with_allowed_actions(login, incubator, make_cohort):
    cohort = make_cohort(incubator.org, status="planning")
    body = assert_problem(login(incubator.manager).post(f"/api/v1/incubator/cohorts/{cohort.id}/start"), 409)
    assert body["current_state"] == "planning" and body["allowed_actions"] == ["open"]


def test_a_cohort_opens_only_with_a_rubric(login, incubator, make_cohort):
    cohort = make_cohort(incubator.org, status="planning", rubric=())
    body = assert_problem(login(incubator.manager).post(f"/api/v1/incubator/cohorts/{cohort.id}/open"), 409)
    assert "rubric" in body["detail"]


def test_staff_who_are_not_managers_cannot_change_cohorts(login, incubator, make_cohort):
    cohort = make_cohort(incubator.org, status="planning")
    client = login(incubator.staff)
    assert_problem(client.post(f"/api/v1/incubator/cohorts/{cohort.id}/open"), 403)
    assert_problem(client.patch(f"/api/v1/incubator/cohorts/{cohort.id}", json={"name": "Renamed"}), 403)


def test_rubric_and_questions_change_only_in_planning(login, incubator, make_cohort):
    planning = make_cohort(incubator.org, status="planning")
    client = login(incubator.manager)
    response = client.patch(f"/api/v1/incubator/cohorts/{planning.id}", json={"rubric": [{"name": "Only", "weight": 5}]})
    assert response.status_code == 200 and [c["name"] for c in response.json["rubric"]] == ["Only"]
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "cohort.update")).scalar_one()
    assert event.changes["rubric"][1] == [{"name": "Only", "weight": 5}]
    opened = make_cohort(incubator.org, status="open")
    assert_problem(client.patch(f"/api/v1/incubator/cohorts/{opened.id}", json={"questions": []}), 409)


def test_capacity_cannot_drop_below_accepted_startups(login, incubator, make_cohort, make_startup, make_member):
    cohort = make_cohort(incubator.org, status="selecting", window="closed", capacity=3)
    make_member(cohort, make_startup())
    make_member(cohort, make_startup())
    client = login(incubator.manager)
    assert_problem(client.patch(f"/api/v1/incubator/cohorts/{cohort.id}", json={"capacity": 1}), 409, "capacity")
    assert client.patch(f"/api/v1/incubator/cohorts/{cohort.id}", json={"capacity": 2}).json["capacity"] == 2
    assert db.session.get(Cohort, cohort.id).capacity == 2


def test_window_cannot_move_after_applications_closed(login, incubator, make_cohort):
    cohort = make_cohort(incubator.org, status="selecting", window="closed")
    later = (utcnow() + timedelta(days=3)).isoformat()
    response = login(incubator.manager).patch(
        f"/api/v1/incubator/cohorts/{cohort.id}", json={"applications_close_at": later}
    )
    assert_problem(response, 409)
