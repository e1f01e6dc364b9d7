import os
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.core.audit import AuditEvent
from marketplace.core.db import utcnow
from marketplace.core.errors import Conflict
from marketplace.extensions import db
from marketplace.incubator.models import Application, CohortMember
from marketplace.incubator.services import applications as services
from marketplace.notifications.models import Notification
from marketplace.payments.models import Invoice
from tests.helpers import assert_problem, outbox


def _decide(client, application, action, **body):
    return client.post(f"/api/v1/incubator/applications/{application.id}/{action}", json=body or None)


def test_accepting_admits_the_startup_on_the_programs_terms_and_notifies_it(login, incubator, make_cohort,
                                                                            make_startup, make_application):
    cohort = make_cohort(incubator.org, status="selecting", window="closed")
    startup = make_startup()
    application = make_application(cohort, startup)
    response = _decide(login(incubator.manager), application, "accept")
    assert response.status_code == 200, response.json
    assert response.json["status"] == "accepted" and response.json["decided_at"]
    member = db.session.execute(sa.select(CohortMember)).scalar_one()
    assert (member.startup_id, member.status, member.currency, member.fee_amount, member.equity_bps) == (
        startup.org.id, "active", "EUR", 250_000, 500)
    notes = db.session.execute(sa.select(Notification).order_by(Notification.user_id)).scalars().all()
    assert {n.user_id for n in notes} == {startup.founder.id, startup.member.id}
    assert all(n.kind == "incubator.application_accepted" for n in notes)
    assert [e.to_address for e in outbox(category="incubator.application_accepted")] == [startup.founder.email]
    actions = set(db.session.execute(sa.select(AuditEvent.action)).scalars())
    assert {"incubator_application.accept", "cohort_member.create"} <= actions


def test_accepting_beyond_capacity_is_refused(login, incubator, make_cohort, make_startup, make_application,
                                              make_member):
    cohort = make_cohort(incubator.org, status="selecting", window="closed", capacity=2)
    make_member(cohort, make_startup())
    make_member(cohort, make_startup())
    third = make_application(cohort, make_startup())
    body = assert_problem(_decide(login(incubator.manager), third, "accept"), 409)
    assert body["type"].endswith("cohort-full") and (body["capacity"], body["accepted"]) == (2, 2)
    assert db.session.get(Application, third.id).status == "submitted"
    assert db.session.query(CohortMember).count() == 2


def test_decisions_wait_until_applications_close(login, incubator, make_cohort, make_startup, make_application):
    cohort = make_cohort(incubator.org, status="open")
    application = make_application(cohort, make_startup())
    assert "open" in assert_problem(_decide(login(incubator.manager), application, "accept"), 409)["detail"]


def test_rejection_carries_its_reason_to_the_startup(login, incubator, make_cohort, make_startup, make_application):
    cohort = make_cohort(incubator.org, status="selecting", window="closed")
    startup = make_startup()
    application = make_application(cohort, startup)
    response = _decide(login(incubator.manager), application, "reject", reason="Too early for this program.")
    assert response.json["status"] == "rejected" and response.json["decision_note"] == "Too early for this program."
    email = outbox(to=startup.founder.email, category="incubator.application_rejected")[0]
    assert "Too early for this program." in email.body
    seen = login(startup.founder).get(f"/api/v1/incubator/applications/{application.id}").json
    assert seen["status"] == "rejected" and seen["decision_note"] == "Too early for this program."


def test_a_waitlisted_startup_can_still_be_accepted_or_rejected(login, incubator, make_cohort, make_startup,
                                                                make_application):
    cohort = make_cohort(incubator.org, status="selecting", window="closed")
    first, second = make_application(cohort, make_startup()), make_application(cohort, make_startup())
    client = login(incubator.manager)
    assert _decide(client, first, "waitlist").json["waitlisted_at"]
    assert _decide(client, second, "waitlist").status_code == 200
    assert _decide(client, first, "accept").json["status"] == "accepted"
    assert _decide(client, second, "reject").json["status"] == "rejected"
    assert assert_problem(_decide(client, second, "waitlist"), 409)["allowed_actions"] == []


def test_withdrawal_of_an_accepted_startup_promotes_the_earliest_waitlisted(login, incubator, make_cohort,
                                                                           make_startup, make_application,
                                                                           make_member):
    cohort = make_cohort(incubator.org, status="running", window="closed", capacity=1)
    leaving = make_startup()
    member = make_member(cohort, leaving)
    now = utcnow()
    later_startup, earlier_startup = make_startup(), make_startup()
    later = make_application(cohort, later_startup, status="waitlisted", waitlisted_at=now - timedelta(hours=1))
    earlier = make_application(cohort, earlier_startup, status="waitlisted", waitlisted_at=now - timedelta(days=1))
    response = login(leaving.founder).post(f"/api/v1/incubator/applications/{member.application_id}/withdraw")
    assert response.status_code == 200 and response.json["status"] == "withdrawn"
    assert db.session.get(CohortMember, member.id).status == "withdrawn"
    assert db.session.get(Application, earlier.id).status == "accepted"
    assert db.session.get(Application, later.id).status == "waitlisted"
    promoted = db.session.execute(
        sa.select(CohortMember).where(CohortMember.startup_id == earlier_startup.org.id)
    ).scalar_one()
    assert promoted.status == "active"
    assert outbox(to=earlier_startup.founder.email, category="incubator.application_accepted")
    events = db.session.execute(
        sa.select(AuditEvent.action).where(AuditEvent.action != "user.login").order_by(AuditEvent.id)
    ).scalars().all()
    # the cohort runs: the promoted startup's program fee is invoiced at once
    assert events == ["cohort_member.withdraw", "incubator_application.withdraw", "incubator_application.promote",
                      "invoice.create", "cohort_member.create"]
    invoice = db.session.get(Invoice, promoted.fee_invoice_id)
    assert (invoice.payer_organization_id, invoice.amount, invoice.source, invoice.source_ref) == (
        earlier_startup.org.id, 250_000, "program_fee", str(promoted.id))


def test_no_promotion_when_the_cohort_stays_full_or_has_graduated(login, incubator, make_cohort, make_startup,
                                                                   make_application, make_member):
    cohort = make_cohort(incubator.org, status="selecting", window="closed", capacity=3)
    startup = make_startup()
    member = make_member(cohort, startup)
    waiting = make_application(cohort, make_startup(), status="waitlisted")
    # a place was free all along: the manager chose not to fill it; a withdrawal frees a second one
    login(startup.founder).post(f"/api/v1/incubator/applications/{member.application_id}/withdraw")
    assert db.session.get(Application, waiting.id).status == "accepted"

    graduated = make_cohort(incubator.org, status="graduated", window="closed", capacity=1)
    alumni = make_startup()
    alumni_member = make_member(graduated, alumni)
    response = login(alumni.founder).post(f"/api/v1/incubator/applications/{alumni_member.application_id}/withdraw")
    assert_problem(response, 409)


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="row locks are proven on PostgreSQL")
def test_two_racing_acceptances_cannot_overfill_the_last_place(app, incubator, make_cohort, make_startup,
                                                               make_application, make_member):
    cohort = make_cohort(incubator.org, status="selecting", window="closed", capacity=2)
    make_member(cohort, make_startup())
    contenders = [make_application(cohort, make_startup()).id for _ in range(2)]
    manager_id = incubator.manager.id
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def race(application_id: int):
        from marketplace.accounts.models import User

        with app.test_request_context():
            manager = db.session.get(User, manager_id)
            application = db.session.get(Application, application_id)
            _ = application.cohort.program.incubator_id
            barrier.wait()
            try:
                services.decide(db.session, manager, application_id, "accept")
                db.session.commit()
                outcomes[application_id] = "accepted"
            except Conflict:
                db.session.rollback()
                outcomes[application_id] = "full"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=race, args=(a,)) for a in contenders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()) == ["accepted", "full"]
    accepted = db.session.execute(
        sa.select(sa.func.count()).where(Application.cohort_id == cohort.id, Application.status == "accepted")
    ).scalar_one()
    assert accepted == 2
