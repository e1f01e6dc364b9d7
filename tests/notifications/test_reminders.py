"""Reminders: ``flask reminders send --date`` tells the right people, at the right stage, once; a person
can mute a kind; two runs at once send each reminder once."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from marketplace.deals.ndas.models import NDARequest
from marketplace.deals.offers.models import Offer
from marketplace.extensions import db
from marketplace.incubator.models import Application, Cohort, CohortMember, KPIReport, Program
from marketplace.ip.licenses.models import License, LicenseMilestone, RoyaltyReport
from marketplace.notifications import reminders
from marketplace.notifications.models import Notification, OutboundEmail, ReminderSent
from marketplace.payments.models import Invoice

#: a Wednesday
TODAY = date(2026, 3, 4)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)


def send(app, day: date = TODAY) -> str:
    result = app.test_cli_runner().invoke(args=["reminders", "send", "--date", day.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def kinds_seen(login, user) -> list[tuple[str, str]]:
    """The reminders in the person's notifications, as (kind, stage), through the API."""
    response = login(user).get("/api/v1/notifications?page_size=100")
    assert response.status_code == 200
    return sorted((n["kind"], n["data"]["stage"]) for n in response.json["items"] if n["kind"].startswith("reminder."))


def emails_to(user) -> list[str]:
    return list(db.session.execute(
        sa.select(OutboundEmail.subject).where(OutboundEmail.to_address == user.email).order_by(OutboundEmail.id)
    ).scalars())


def add(*objects):
    db.session.add_all(objects)
    db.session.commit()
    return objects[0]


@pytest.fixture
def sides(make_org, make_user):
    """A university and a company, each with a manager and a member."""
    university, company = make_org("university"), make_org("company")

    class Sides:
        uni = university
        co = company
        uni_manager = make_user(org=university, role="manager")
        uni_member = make_user(org=university, role="member")
        co_manager = make_user(org=company, role="manager")
        co_member = make_user(org=company, role="member")

    return Sides


def invoice(sides, due: date, status: str = "open") -> Invoice:
    return add(Invoice(payer_organization_id=sides.co.id, payee_organization_id=sides.uni.id, amount=10_000,
                       currency="EUR", platform_fee_bps=500, platform_fee_amount=500, description="Upfront fee",
                       source="upfront_fee", source_ref="license-1", due_date=due, status=status))


def license_(sides, start: date, status: str = "active", reporting_period: str = "quarterly") -> License:
    return add(License(licensor_id=sides.uni.id, licensee_id=sides.co.id, source_type="offer", exclusivity="non_exclusive",
                       fields=[], territories=["VN"], start_date=start, status=status, currency="EUR",
                       royalty_rate_bps=300, reporting_period=reporting_period))


# ---- invoices ------------------------------------------------------------------------------------


def test_invoice_due_in_3_days_reminds_the_paying_organizations_managers(app, login, sides):
    due = invoice(sides, TODAY + timedelta(days=3))
    invoice(sides, TODAY + timedelta(days=4))
    invoice(sides, TODAY + timedelta(days=1), status="paid")

    output = send(app)

    assert "invoice_due: 1" in output
    assert kinds_seen(login, sides.co_manager) == [("reminder.invoice_due", "due_in_3")]
    assert emails_to(sides.co_manager) == [f"Invoice #{due.id} is due on 2026-03-07"]
    assert kinds_seen(login, sides.co_member) == []
    assert kinds_seen(login, sides.uni_manager) == []


def test_overdue_invoice_is_dunned_after_1_7_and_14_days_each_once(app, login, sides):
    invoice(sides, TODAY)

    for day in range(0, 16):
        send(app, TODAY + timedelta(days=day))

    assert kinds_seen(login, sides.co_manager) == [
        ("reminder.invoice_due", "due_in_3"),
        ("reminder.invoice_overdue", "overdue_1"),
        ("reminder.invoice_overdue", "overdue_14"),
        ("reminder.invoice_overdue", "overdue_7"),
    ]
    assert len(emails_to(sides.co_manager)) == 4


def test_a_first_run_long_after_the_due_date_sends_only_the_latest_dunning_stage(app, login, sides):
    invoice(sides, TODAY - timedelta(days=9))

    send(app)

    assert kinds_seen(login, sides.co_manager) == [("reminder.invoice_overdue", "overdue_7")]


# ---- licenses ------------------------------------------------------------------------------------


def test_royalty_reports_due_in_7_days_and_late_remind_the_licensees_managers(app, login, sides):
    # quarterly from 2025-11-04: the period ending 2026-02-03 is due on 2026-03-05 (in 1 day)
    due_soon = license_(sides, date(2025, 11, 4))
    # quarterly from 2025-08-01: 2025-08-01..10-31 (reported) and 2025-11-01..2026-01-31 (due 03-02: late)
    late = license_(sides, date(2025, 8, 1))
    add(RoyaltyReport(license_id=late.id, period_start=date(2025, 8, 1), period_end=date(2025, 10, 31),
                      due_date=date(2025, 11, 30), currency="EUR", net_sales_amount=0, units=0, royalty_rate_bps=300,
                      royalty_amount=0, submitted_at=at(date(2025, 11, 20))))
    license_(sides, date(2025, 8, 1), status="draft")

    output = send(app)

    assert "royalty_report_due: 1" in output and "royalty_report_late: 1" in output
    assert kinds_seen(login, sides.co_manager) == [
        ("reminder.royalty_report_due", "2025-11-04/due_in_7"),
        ("reminder.royalty_report_late", "2025-11-01/late"),
    ]
    assert kinds_seen(login, sides.co_member) == kinds_seen(login, sides.uni_manager) == []
    sent = {(r.kind, r.object_id) for r in db.session.execute(sa.select(ReminderSent)).scalars()}
    assert sent == {("royalty_report_due", due_soon.id), ("royalty_report_late", late.id)}


def test_license_milestone_due_within_7_days_reminds_the_licensees_managers(app, login, sides):
    license = license_(sides, date(2025, 1, 1))
    add(LicenseMilestone(license_id=license.id, name="First sale", amount=50_000, due_date=TODAY + timedelta(days=6)),
        LicenseMilestone(license_id=license.id, name="Phase II", amount=90_000, due_date=TODAY + timedelta(days=8)))

    output = send(app)

    assert "license_milestone_due: 1" in output
    assert ("reminder.license_milestone_due", "due_in_7") in kinds_seen(login, sides.co_manager)
    assert "Milestone due on license" in emails_to(sides.co_manager)[-1]


# ---- deals ---------------------------------------------------------------------------------------


def test_nda_request_waiting_more_than_3_working_days_reminds_the_universitys_managers(
        app, login, sides, make_listing):
    listing = make_listing(sides.uni, "published")

    def request(created: date) -> NDARequest:
        return add(NDARequest(listing_id=listing.id, company_id=sides.co.id, university_id=sides.uni.id,
                              nda_title="NDA", nda_version="1", agreed_at=at(created), created_at=at(created)))

    waiting = request(date(2026, 2, 27))  # a Friday: Mon, Tue, Wed = 3 working days by Wednesday
    send(app)
    assert kinds_seen(login, sides.uni_manager) == []

    send(app, TODAY + timedelta(days=1))  # Thursday: 4 working days
    assert kinds_seen(login, sides.uni_manager) == [("reminder.nda_request_waiting", "waiting_3_working_days")]
    assert kinds_seen(login, sides.uni_member) == kinds_seen(login, sides.co_manager) == []
    assert db.session.get(NDARequest, waiting.id).status == "pending"


def test_offer_expiring_in_2_days_reminds_the_side_whose_turn_it_is(app, login, sides, make_listing):
    listing = make_listing(sides.uni, "published")
    other = make_listing(sides.uni, "published")

    def offer(on, expires: date, turn: str, number: int = 1) -> Offer:
        return add(Offer(listing_id=on.id, company_id=sides.co.id, university_id=sides.uni.id, kind="license",
                         turn=turn, revision_number=number, terms={}, expires_on=expires,
                         open_key=f"{on.id}:{sides.co.id}"))

    to_university = offer(listing, TODAY + timedelta(days=2), "university")
    offer(other, TODAY + timedelta(days=3), "company")

    send(app)
    assert kinds_seen(login, sides.uni_manager) == [("reminder.offer_expiring", "r1/expires_in_2")]
    assert kinds_seen(login, sides.co_manager) == []

    # a counter-offer is a new revision with its own expiry: the company is reminded of it
    to_university.turn, to_university.revision_number = "company", 2
    to_university.expires_on = TODAY + timedelta(days=3)
    db.session.commit()
    send(app, TODAY + timedelta(days=1))
    assert sorted(kinds_seen(login, sides.co_manager)) == [
        ("reminder.offer_expiring", "r1/expires_in_2"),
        ("reminder.offer_expiring", "r2/expires_in_2"),
    ]


# ---- incubator -----------------------------------------------------------------------------------


@pytest.fixture
def cohort(make_org):
    incubator = make_org("incubator")
    program = Program(incubator_id=incubator.id, name="Deep tech", currency="EUR")

    def make(status: str, closes: datetime, starts: date = date(2026, 1, 1)) -> Cohort:
        return add(Cohort(program=program, name=f"Cohort {status}", starts_on=starts, ends_on=date(2026, 6, 30),
                          capacity=5, applications_open_at=closes - timedelta(days=30), applications_close_at=closes,
                          status=status))

    return make


def test_kpi_report_due_reminds_every_member_of_startups_that_have_not_reported_last_month(
        app, login, cohort, make_org, make_user):
    running = cohort("running", at(date(2025, 12, 1)))
    late, done = make_org("startup"), make_org("startup")
    founder, engineer, other = make_user(org=late), make_user(org=late, role="member"), make_user(org=done)
    for startup in (late, done):
        application = add(Application(cohort_id=running.id, startup_id=startup.id, status="accepted"))
        member = add(CohortMember(cohort_id=running.id, startup_id=startup.id, application_id=application.id,
                                  joined_at=at(date(2026, 1, 1)), currency="EUR", fee_amount=0, equity_bps=0))
    add(KPIReport(member_id=member.id, period_start=date(2026, 2, 1), period_end=date(2026, 2, 28), currency="EUR"))

    output = send(app)

    assert "kpi_report_due: 2" in output
    assert kinds_seen(login, founder) == kinds_seen(login, engineer) == [("reminder.kpi_report_due", "2026-02")]
    assert kinds_seen(login, other) == []


def test_application_window_closing_in_2_days_reminds_authors_of_drafts_only(app, login, cohort, make_org, make_user):
    closing = cohort("open", at(TODAY + timedelta(days=2), hour=12))
    later = cohort("open", at(TODAY + timedelta(days=3), hour=12))
    drafter, submitter, early = make_org("startup"), make_org("startup"), make_org("startup")
    author, colleague = make_user(org=drafter, role="member"), make_user(org=drafter)
    other_author, early_author = make_user(org=submitter), make_user(org=early)
    add(Application(cohort_id=closing.id, startup_id=drafter.id, status="draft", created_by_id=author.id),
        Application(cohort_id=closing.id, startup_id=submitter.id, status="submitted", created_by_id=other_author.id,
                    submitted_at=at(TODAY)),
        Application(cohort_id=later.id, startup_id=early.id, status="draft", created_by_id=early_author.id))

    send(app)

    assert kinds_seen(login, author) == [("reminder.application_window_closing", "closing_in_2")]
    assert kinds_seen(login, colleague) == kinds_seen(login, other_author) == kinds_seen(login, early_author) == []
    assert "still a draft" in db.session.execute(
        sa.select(OutboundEmail.body).where(OutboundEmail.to_address == author.email)).scalar_one()


# ---- once, muting, races ------------------------------------------------------------------------


def test_running_twice_sends_nothing_new(app, sides):
    invoice(sides, TODAY + timedelta(days=2))
    invoice(sides, TODAY - timedelta(days=1))

    assert "2 reminder(s) sent" in send(app)
    notices, emails = db.session.scalar(sa.select(sa.func.count(Notification.id))), emails_to(sides.co_manager)

    assert "0 reminder(s) sent" in send(app)
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == notices == 2
    assert emails_to(sides.co_manager) == emails


def test_a_person_who_muted_a_kind_is_not_sent_it(app, login, sides, make_user):
    colleague = make_user(org=sides.co, role="manager")
    invoice(sides, TODAY + timedelta(days=1))
    invoice(sides, TODAY - timedelta(days=1))
    client = login(sides.co_manager)

    response = client.put("/api/v1/auth/me/reminder-preferences", json={"muted": ["invoice_due"]})

    assert response.status_code == 200
    muted = {k["kind"]: k["muted"] for k in response.json["kinds"]}
    assert muted["invoice_due"] is True and muted["invoice_overdue"] is False
    assert client.get("/api/v1/auth/me/reminder-preferences").json == response.json
    send(app)
    assert kinds_seen(login, sides.co_manager) == [("reminder.invoice_overdue", "overdue_1")]
    assert kinds_seen(login, colleague) == [("reminder.invoice_due", "due_in_3"), ("reminder.invoice_overdue", "overdue_1")]
    # heard again once unmuted (the next run sends what is still due)
    assert client.put("/api/v1/auth/me/reminder-preferences", json={"muted": []}).status_code == 200
    send(app)
    assert len(kinds_seen(login, sides.co_manager)) == 2


def test_muting_an_unknown_kind_is_refused(login, sides):
    response = login(sides.co_manager).put("/api/v1/auth/me/reminder-preferences", json={"muted": ["spam"]})

    assert response.status_code == 422
    assert "spam" in str(response.json["errors"])


@pytest.mark.postgres_only
def test_two_runs_at_once_send_each_reminder_once(app, sides, make_user, monkeypatch):
    for _ in range(3):
        make_user(org=sides.co, role="manager")
    for n in range(5):
        invoice(sides, TODAY + timedelta(days=n % 3))
    real = reminders._kinds["invoice_due"]
    both_found = threading.Barrier(2, timeout=30)

    def find_then_wait(session, today):
        found = real.find(session, today)
        both_found.wait()  # each run has found everything before either records anything
        return found

    monkeypatch.setitem(reminders._kinds, "invoice_due", reminders.Kind(real.name, real.description, find_then_wait))
    results, errors = [], []

    def run():
        try:
            with app.app_context():
                results.append(reminders.send_kind(db.session, "invoice_due", TODAY))
                db.session.remove()
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sum(results) == 5 * 4
    assert db.session.scalar(sa.select(sa.func.count(ReminderSent.id))) == 5 * 4
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 5 * 4
    assert db.session.scalar(sa.select(sa.func.count(OutboundEmail.id))) == 5 * 4
