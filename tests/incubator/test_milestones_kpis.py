import pytest
import sqlalchemy as sa

from marketplace.core.audit import AuditEvent
from marketplace.extensions import db
from marketplace.incubator.models import KPIReport, MentorAssignment, Milestone
from marketplace.notifications.models import Notification
from tests.helpers import assert_problem, outbox

from .conftest import days_from_today


@pytest.fixture
def running(incubator, make_cohort, make_startup, make_member):
    cohort = make_cohort(incubator.org, status="running", window="closed")
    startup = make_startup()
    return cohort, startup, make_member(cohort, startup)


def _milestone(member, *, due_in=10, status="pending", **kw):
    milestone = Milestone(member_id=member.id, title=kw.pop("title", "First pilot customer"), due_on=days_from_today(due_in),
                          status=status, **kw)
    db.session.add(milestone)
    db.session.commit()
    return milestone


# ---- milestones --------------------------------------------------------------------------------


def test_manager_sets_a_milestone_the_startup_submits_evidence_and_a_mentor_confirms(login, incubator, running):
    _, startup, member = running
    manager = login(incubator.manager)
    created = manager.post(f"/api/v1/incubator/members/{member.id}/milestones",
                           json={"title": "Pilot signed", "due_on": days_from_today(14).isoformat()})
    assert created.status_code == 201 and created.json["status"] == "pending"
    milestone_id = created.json["id"]
    evidence = login(startup.founder).post(f"/api/v1/incubator/milestones/{milestone_id}/evidence",
                                           json={"evidence": "https://example.org/pilot.pdf"})
    assert evidence.status_code == 200 and evidence.json["evidence_at"]
    assert_problem(login(incubator.staff).post(f"/api/v1/incubator/milestones/{milestone_id}/confirm"), 403)
    manager.post(f"/api/v1/incubator/members/{member.id}/mentors", json={"user_id": incubator.staff.id})
    confirmed = login(incubator.staff).post(f"/api/v1/incubator/milestones/{milestone_id}/confirm")
    assert confirmed.status_code == 200, confirmed.json
    assert confirmed.json["status"] == "done" and confirmed.json["confirmed_by"]["id"] == incubator.staff.id
    listed = login(startup.member).get(f"/api/v1/incubator/members/{member.id}/milestones").json
    assert [(m["title"], m["status"]) for m in listed] == [("Pilot signed", "done")]
    actions = db.session.execute(
        sa.select(AuditEvent.action).where(AuditEvent.object_type == "milestone").order_by(AuditEvent.id)
    ).scalars().all()
    assert actions == ["milestone.create", "milestone.evidence", "milestone.confirm"]


def test_startups_cannot_confirm_their_own_milestones(login, running):
    _, startup, member = running
    milestone = _milestone(member)
    assert_problem(login(startup.founder).post(f"/api/v1/incubator/milestones/{milestone.id}/confirm"), 403)
    assert db.session.get(Milestone, milestone.id).status == "pending"


def test_only_pending_milestones_are_edited_and_a_missed_one_can_still_be_confirmed(login, incubator, running):
    _, _, member = running
    missed = _milestone(member, due_in=-3, status="missed")
    manager = login(incubator.manager)
    assert_problem(manager.patch(f"/api/v1/incubator/milestones/{missed.id}", json={"title": "New"}), 409)
    assert_problem(manager.post(f"/api/v1/incubator/milestones/{missed.id}/miss"), 409)
    assert manager.post(f"/api/v1/incubator/milestones/{missed.id}/confirm").json["status"] == "done"


def test_manager_marks_a_milestone_missed_and_the_startup_is_told(login, incubator, running):
    _, startup, member = running
    milestone = _milestone(member)
    response = login(incubator.manager).post(f"/api/v1/incubator/milestones/{milestone.id}/miss")
    assert response.json["status"] == "missed" and response.json["missed_at"]
    assert outbox(to=startup.founder.email, category="incubator.milestone_missed")


def test_overdue_command_marks_missed_notifies_and_is_idempotent(app, incubator, running, make_cohort,
                                                                 make_startup, make_member):
    _, startup, member = running
    overdue = _milestone(member, due_in=-1, title="Overdue")
    _milestone(member, due_in=0, title="Due today")
    _milestone(member, due_in=-5, status="done", title="Done")
    graduated = make_cohort(incubator.org, status="graduated", window="closed")
    _milestone(make_member(graduated, make_startup()), due_in=-30, title="Old cohort")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["incubator", "milestones-overdue"])
    assert first.exit_code == 0 and "1 milestone(s) marked missed" in first.output
    statuses = {m.title: m.status for m in db.session.query(Milestone)}
    assert statuses == {"Overdue": "missed", "Due today": "pending", "Done": "done", "Old cohort": "pending"}
    notes = db.session.execute(sa.select(Notification).where(Notification.kind == "incubator.milestone_missed")).scalars()
    assert {n.user_id for n in notes} == {startup.founder.id, startup.member.id}
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "milestone.miss")).scalar_one()
    assert event.actor_user_id is None and event.object_id == str(overdue.id)
    second = runner.invoke(args=["incubator", "milestones-overdue"])
    assert "0 milestone(s) marked missed" in second.output
    assert len(outbox(category="incubator.milestone_missed")) == 1


def test_overdue_command_takes_a_date(app, running):
    _, _, member = running
    _milestone(member, due_in=5)
    result = app.test_cli_runner().invoke(args=["incubator", "milestones-overdue", "--today",
                                                days_from_today(6).isoformat()])
    assert "1 milestone(s) marked missed" in result.output


def test_milestones_are_set_only_for_active_members_of_a_live_cohort(login, incubator, make_cohort, make_startup,
                                                                     make_member):
    graduated = make_cohort(incubator.org, status="graduated", window="closed")
    member = make_member(graduated, make_startup())
    response = login(incubator.manager).post(f"/api/v1/incubator/members/{member.id}/milestones",
                                             json={"title": "Late", "due_on": days_from_today(3).isoformat()})
    assert_problem(response, 409)


# ---- mentors -----------------------------------------------------------------------------------


def test_mentors_are_incubator_members_assigned_once(login, make_user, incubator, running):
    _, _, member = running
    manager = login(incubator.manager)
    url = f"/api/v1/incubator/members/{member.id}/mentors"
    response = manager.post(url, json={"user_id": incubator.staff.id})
    assert response.status_code == 201 and [m["mentor"]["id"] for m in response.json["mentors"]] == [incubator.staff.id]
    assert outbox(to=incubator.staff.email, category="incubator.mentor_assigned")
    assert_problem(manager.post(url, json={"user_id": incubator.staff.id}), 409)
    assert_problem(manager.post(url, json={"user_id": make_user(kind="company").id}), 422, "user_id")
    assert manager.delete(f"{url}/{incubator.staff.id}").status_code == 204
    assert db.session.query(MentorAssignment).count() == 0


# ---- KPI reports -------------------------------------------------------------------------------


def _kpis(**overrides):
    body = {
        "period_start": days_from_today(-60).isoformat(),
        "period_end": days_from_today(-31).isoformat(),
        "revenue_amount": 1_250_000,
        "funding_raised_amount": 0,
        "headcount": 4,
        "customers": 3,
        "burn_amount": 4_000_000,
        "highlights": "First paying customer",
    }
    body.update(overrides)
    return body


def test_startup_reports_kpis_in_the_programs_currency_and_corrects_them(login, running):
    _, startup, member = running
    client = login(startup.member)
    url = f"/api/v1/incubator/members/{member.id}/kpi-reports"
    created = client.post(url, json=_kpis())
    assert created.status_code == 201, created.json
    assert created.json["currency"] == "EUR" and created.json["revenue_amount"] == 1_250_000
    corrected = client.patch(f"/api/v1/incubator/kpi-reports/{created.json['id']}", json={"customers": 4})
    assert corrected.json["customers"] == 4
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "kpi_report.update")).scalar_one()
    assert event.changes == {"customers": [3, 4]}
    assert [r["id"] for r in client.get(url).json] == [created.json["id"]]


def test_kpi_amounts_are_integer_minor_units_in_the_programs_currency(login, running):
    _, startup, member = running
    url = f"/api/v1/incubator/members/{member.id}/kpi-reports"
    client = login(startup.founder)
    assert_problem(client.post(url, json=_kpis(revenue_amount=12.5, headcount=-1)), 422, "revenue_amount", "headcount")
    assert_problem(client.post(url, json=_kpis(currency="USD")), 422, "currency")
    assert_problem(client.post(url, json=_kpis(period_end=days_from_today(-90).isoformat())), 422, "period_end")
    assert db.session.query(KPIReport).count() == 0


def test_kpi_periods_of_a_startup_do_not_overlap(login, running):
    _, startup, member = running
    url = f"/api/v1/incubator/members/{member.id}/kpi-reports"
    client = login(startup.founder)
    first = client.post(url, json=_kpis()).json["id"]
    overlapping = _kpis(period_start=days_from_today(-40).isoformat(), period_end=days_from_today(-10).isoformat())
    assert assert_problem(client.post(url, json=overlapping), 409)["report_id"] == first
    nxt = _kpis(period_start=days_from_today(-30).isoformat(), period_end=days_from_today(-1).isoformat())
    assert client.post(url, json=nxt).status_code == 201


def test_only_the_startup_reports_its_kpis(login, incubator, make_startup, running):
    _, _, member = running
    url = f"/api/v1/incubator/members/{member.id}/kpi-reports"
    assert_problem(login(incubator.manager).post(url, json=_kpis()), 403)
    assert_problem(login(make_startup().founder).post(url, json=_kpis()), 404)
    assert_problem(login(make_startup().founder).get(url), 404)
    assert login(incubator.staff).get(url).status_code == 200


def test_kpis_are_reported_only_while_the_cohort_runs(login, incubator, make_cohort, make_startup, make_member):
    cohort = make_cohort(incubator.org, status="graduated", window="closed")
    startup = make_startup()
    member = make_member(cohort, startup)
    response = login(startup.founder).post(f"/api/v1/incubator/members/{member.id}/kpi-reports", json=_kpis())
    assert_problem(response, 409)
