import sqlalchemy as sa

from marketplace.core.audit import AuditEvent
from marketplace.extensions import db
from marketplace.incubator.models import Application
from tests.helpers import assert_problem


def _apply(client, cohort, **body):
    return client.post(f"/api/v1/incubator/cohorts/{cohort.id}/applications", json=body)


def test_startup_applies_edits_and_submits_while_the_window_is_open(login, incubator, make_cohort, make_startup):
    cohort = make_cohort(incubator.org)
    startup = make_startup()
    client = login(startup.founder)
    created = _apply(client, cohort, pitch="We store heat in sand.")
    assert created.status_code == 201, created.json
    app_id = created.json["id"]
    assert created.json["status"] == "draft" and created.json["startup"]["id"] == startup.org.id
    edited = client.patch(f"/api/v1/incubator/applications/{app_id}", json={"answers": {"team": "Three engineers"}})
    assert edited.status_code == 200 and edited.json["answers"] == {"team": "Three engineers"}
    submitted = client.post(f"/api/v1/incubator/applications/{app_id}/submit")
    assert submitted.status_code == 200 and submitted.json["status"] == "submitted"
    assert submitted.json["submitted_at"]
    # still editable after submitting, until the window closes
    assert client.patch(f"/api/v1/incubator/applications/{app_id}", json={"pitch": "Sand batteries."}).status_code == 200
    actions = db.session.execute(
        sa.select(AuditEvent.action).where(AuditEvent.object_type == "incubator_application").order_by(AuditEvent.id)
    ).scalars().all()
    assert actions == ["incubator_application.create", "incubator_application.update", "incubator_application.submit",
                       "incubator_application.update"]


def test_no_application_before_the_window_opens_or_after_it_closes(login, incubator, make_cohort, make_startup):
    client = login(make_startup().founder)
    future = make_cohort(incubator.org, window="future")
    body = assert_problem(_apply(client, future, pitch="x"), 409)
    assert body["type"].endswith("application-window-closed") and "not opened" in body["detail"]
    closed = make_cohort(incubator.org, window="closed")
    assert "closed" in assert_problem(_apply(client, closed, pitch="x"), 409)["detail"]
    selecting = make_cohort(incubator.org, status="selecting")
    assert_problem(_apply(client, selecting, pitch="x"), 409)
    assert db.session.query(Application).count() == 0


def test_edits_and_submission_stop_when_the_window_closes(login, incubator, make_cohort, make_startup,
                                                          make_application):
    cohort = make_cohort(incubator.org, window="closed")
    startup = make_startup()
    draft = make_application(cohort, startup, status="draft")
    client = login(startup.founder)
    assert_problem(client.patch(f"/api/v1/incubator/applications/{draft.id}", json={"pitch": "Late"}), 409)
    assert_problem(client.post(f"/api/v1/incubator/applications/{draft.id}/submit"), 409)
    assert db.session.get(Application, draft.id).status == "draft"


def test_submission_needs_a_pitch_and_every_required_answer(login, incubator, make_cohort, make_startup):
    cohort = make_cohort(incubator.org)
    client = login(make_startup().founder)
    app_id = _apply(client, cohort).json["id"]
    body = assert_problem(client.post(f"/api/v1/incubator/applications/{app_id}/submit"), 422, "pitch", "answers")
    assert list(body["errors"]["answers"]) == ["team"]


def test_answers_to_unknown_questions_are_refused(login, incubator, make_cohort, make_startup):
    cohort = make_cohort(incubator.org)
    response = _apply(login(make_startup().founder), cohort, answers={"favourite_colour": "blue"})
    assert_problem(response, 422, "answers")


def test_a_startup_applies_once_per_cohort(login, incubator, make_cohort, make_startup):
    cohort = make_cohort(incubator.org)
    client = login(make_startup().founder)
    first = _apply(client, cohort, pitch="x").json["id"]
    assert assert_problem(_apply(client, cohort, pitch="y"), 409)["application_id"] == first


def test_only_startups_apply(login, make_user, incubator, make_cohort):
    cohort = make_cohort(incubator.org)
    assert_problem(_apply(login(make_user(kind="company")), cohort, pitch="x"), 403)
    assert_problem(_apply(login(incubator.manager), cohort, pitch="x"), 403)


def test_startup_withdraws_a_submitted_application(login, incubator, make_cohort, make_startup, make_application):
    cohort = make_cohort(incubator.org)
    startup = make_startup()
    application = make_application(cohort, startup)
    response = login(startup.member).post(f"/api/v1/incubator/applications/{application.id}/withdraw")
    assert response.status_code == 200 and response.json["status"] == "withdrawn" and response.json["withdrawn_at"]
    again = login(startup.founder).post(f"/api/v1/incubator/applications/{application.id}/withdraw")
    assert assert_problem(again, 409)["current_state"] == "withdrawn"


def test_a_startup_sees_only_its_own_applications(login, incubator, make_cohort, make_startup, make_application):
    cohort = make_cohort(incubator.org)
    mine, theirs = make_startup(), make_startup()
    own = make_application(cohort, mine)
    other = make_application(cohort, theirs)
    client = login(mine.founder)
    assert [a["id"] for a in client.get("/api/v1/incubator/applications").json["items"]] == [own.id]
    assert_problem(client.get(f"/api/v1/incubator/applications/{other.id}"), 404)
    assert_problem(client.post(f"/api/v1/incubator/applications/{other.id}/withdraw"), 404)
    assert_problem(client.get(f"/api/v1/incubator/cohorts/{cohort.id}/applications"), 404)


def test_managers_see_submitted_applications_but_never_drafts(login, incubator, make_cohort, make_startup,
                                                              make_application):
    cohort = make_cohort(incubator.org)
    submitted = make_application(cohort, make_startup())
    draft = make_application(cohort, make_startup(), status="draft")
    client = login(incubator.manager)
    listed = client.get(f"/api/v1/incubator/cohorts/{cohort.id}/applications").json
    assert [a["id"] for a in listed["items"]] == [submitted.id]
    assert_problem(client.get(f"/api/v1/incubator/applications/{draft.id}"), 404)
    assert client.get(f"/api/v1/incubator/applications/{submitted.id}").json["pitch"]


def test_managers_cannot_edit_a_startups_application(login, incubator, make_cohort, make_startup, make_application):
    cohort = make_cohort(incubator.org)
    application = make_application(cohort, make_startup())
    response = login(incubator.manager).patch(f"/api/v1/incubator/applications/{application.id}", json={"pitch": "x"})
    assert_problem(response, 403)
