"""The incubator's pages over HTTP: its public page, a cohort's call for applications, the open calls
on the home page."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import Organization
from marketplace.extensions import db

from tests.incubator.conftest import (  # noqa: F401  (fixtures)
    incubator,
    make_application,
    make_cohort,
    make_member,
    make_program,
    make_startup,
)
from tests.incubator.test_dashboard import _count_statements, _populate, hand_built  # noqa: F401  (fixtures)
from tests.search.conftest import whoosh_backend  # noqa: F401  (fixtures)
from tests.web.test_catalogue_pages import EN, VI, links, text


# ---- the call for applications -------------------------------------------------------------------


def test_call_for_applications_shows_focus_dates_capacity_terms_and_questions(client, incubator, make_cohort):  # noqa: F811
    cohort = make_cohort(incubator.org, capacity=8)
    page = client.get(f"/cohorts/{cohort.id}", headers=EN)
    assert page.status_code == 200
    body = text(page)
    assert "Deep Tech Accelerator — Spring" in body
    assert "Taking applications" in body and "Energy" in body
    assert "8 startups" in body
    assert "€2,500.00, due 30 days after the cohort starts" in body
    assert "5% of each startup" in body
    assert "Who is on the team?" in body and "Any traction? (optional)" in body
    assert "Log in to apply" in body
    assert f"/incubators/{incubator.org.slug}" in links(page)


def test_call_for_applications_in_vietnamese(client, incubator, make_cohort):  # noqa: F811
    cohort = make_cohort(incubator.org, capacity=8)
    body = text(client.get(f"/cohorts/{cohort.id}", headers=VI))
    assert "Đang nhận hồ sơ" in body and "8 startup" in body
    assert "2.500,00\xa0€" in body and "5%" in body


def test_a_cohort_in_planning_is_not_found_except_by_its_incubators_people(
    client, login, incubator, make_cohort, make_startup  # noqa: F811
):
    cohort = make_cohort(incubator.org, status="planning", window="future")
    assert client.get(f"/cohorts/{cohort.id}", headers=EN).status_code == 404
    assert login(make_startup().founder).get(f"/cohorts/{cohort.id}").status_code == 404
    staff_page = login(incubator.staff).get(f"/cohorts/{cohort.id}", headers=EN)
    assert staff_page.status_code == 200 and "In planning" in text(staff_page)


def test_a_closed_cohort_says_it_takes_no_applications(client, incubator, make_cohort):  # noqa: F811
    cohort = make_cohort(incubator.org, status="selecting", window="closed")
    body = text(client.get(f"/cohorts/{cohort.id}", headers=EN))
    assert "This cohort is not taking applications." in body and "Log in to apply" not in body


def test_an_unknown_cohort_is_an_html_404(client):
    page = client.get("/cohorts/999999", headers=EN)
    assert page.status_code == 404 and page.mimetype == "text/html"


# ---- the incubator's page --------------------------------------------------------------------------


def test_incubator_page_lists_its_open_calls_and_announced_cohorts_not_those_in_planning(
    client, incubator, make_cohort, make_program  # noqa: F811
):
    program = make_program(incubator.org, name="Seed Program")
    open_call = make_cohort(incubator.org, name="Autumn", program=program)
    past = make_cohort(incubator.org, name="Winter", status="running", window="closed", program=program)
    make_cohort(incubator.org, name="Secret", status="planning", window="future", program=program)
    page = client.get(f"/incubators/{incubator.org.slug}", headers=EN)
    assert page.status_code == 200
    body = text(page)
    assert "Seed Program — Autumn" in body and "Seed Program — Winter" in body and "Secret" not in body
    assert f"/cohorts/{open_call.id}" in links(page) and f"/cohorts/{past.id}" in links(page)


def test_incubator_page_says_when_nothing_is_open(client, incubator):  # noqa: F811
    body = text(client.get(f"/incubators/{incubator.org.slug}", headers=EN))
    assert "This incubator is not taking applications at the moment." in body


def test_only_incubators_have_an_incubator_page(client, make_org):
    university = make_org("university")
    assert client.get(f"/incubators/{university.slug}").status_code == 404


# ---- the home page -----------------------------------------------------------------------------------


def test_home_page_links_the_calls_taking_applications_now(client, incubator, make_cohort, whoosh_backend):  # noqa: F811
    open_call = make_cohort(incubator.org, name="Autumn")
    closed = make_cohort(incubator.org, name="Winter", status="selecting", window="closed")
    future = make_cohort(incubator.org, name="Summer", window="future")
    page = client.get("/", headers=EN)
    assert "Incubators taking applications" in text(page)
    assert f"/cohorts/{open_call.id}" in links(page)
    assert f"/cohorts/{closed.id}" not in links(page) and f"/cohorts/{future.id}" not in links(page)


def test_home_page_has_no_calls_section_when_none_is_open(client, whoosh_backend):  # noqa: F811
    assert "Incubators taking applications" not in text(client.get("/", headers=EN))


# ---- the cohort dashboard -------------------------------------------------------------------------


def test_dashboard_shows_totals_milestones_kpi_trends_licenses_and_payments(login, incubator, hand_built):  # noqa: F811
    cohort, alpha, beta, _ = hand_built
    page = login(incubator.staff).get(f"/cohorts/{cohort.id}/dashboard", headers=EN)
    assert page.status_code == 200
    body = text(page)
    assert "2 startups" in body and "1 / 5 milestones done" in body
    assert "€1,600.00 revenue in the latest periods" in body  # Alpha 1,500 + Beta 100 (program currency EUR)
    # trends: Alpha's three periods and the cohort totals per period, Beta only in March
    assert "Period ending Alpha Storage Beta Grid Cohort total" in body
    assert "Jan 31, 2026 €800.00 — €800.00" in body and "Mar 31, 2026 €1,500.00 €100.00 €1,600.00" in body
    assert "Mar 31, 2026 4 1 5" in body  # customers
    assert "Alpha Storage Northbridge University Exclusive · upfront fee $10,000.00 · royalty 2.5% · equity 1% Active Outstanding" in body
    assert "Gone Inc" not in body and "Else" not in body
    html = page.get_data(as_text=True)
    for chart in ("milestones", "revenue_amount", "customers", "headcount", "funding_raised_amount", "burn_amount", "payments"):
        assert f'src="/cohorts/{cohort.id}/dashboard/{chart}.svg"' in html
    assert f"/api/v1/incubator/cohorts/{cohort.id}/dashboard.csv" in links(page)


def test_dashboard_charts_are_svg_images_without_scripts_to_run(login, incubator, hand_built):  # noqa: F811
    cohort, *_ = hand_built
    client = login(incubator.staff)
    for chart in ("milestones", "revenue_amount", "customers", "payments"):
        response = client.get(f"/cohorts/{cohort.id}/dashboard/{chart}.svg", headers=EN)
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        assert "script-src" not in response.headers["Content-Security-Policy"]
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
        assert response.headers["Cache-Control"] == "private, no-store"
        svg = response.get_data(as_text=True)
        assert "Alpha Storage" in svg and "Gone Inc" not in svg
        assert "<script" not in svg or 'xlink:href="' not in svg.split("<script", 1)[1].split(">", 1)[0]
    assert "Cohort total" in client.get(f"/cohorts/{cohort.id}/dashboard/revenue_amount.svg", headers=EN).get_data(as_text=True)
    assert client.get(f"/cohorts/{cohort.id}/dashboard/nothing.svg").status_code == 404


def test_dashboard_in_vietnamese(login, incubator, hand_built):  # noqa: F811
    cohort, *_ = hand_built
    body = text(login(incubator.staff).get(f"/cohorts/{cohort.id}/dashboard", headers=VI))
    assert "Tổng của khóa" in body and "1.600,00\xa0€" in body


def test_dashboard_is_for_the_incubators_people_only(client, login, incubator, hand_built, make_startup, make_org, make_user):  # noqa: F811
    cohort, alpha, *_ = hand_built
    for url in (f"/cohorts/{cohort.id}/dashboard", f"/cohorts/{cohort.id}/dashboard/revenue_amount.svg"):
        anonymous = client.get(url)
        assert anonymous.status_code == 303 and anonymous.headers["Location"].startswith("/login?next=")
        other_incubator = make_user(org=make_org("incubator"), role="manager")
        member_startup = make_user(org=db.session.get(Organization, alpha.startup_id), role="manager")
        for outsider in (other_incubator, make_startup().founder, member_startup):
            assert login(outsider).get(url).status_code == 404
        assert login(incubator.manager).get(url).status_code == 200


def test_the_call_page_links_the_dashboard_for_the_incubators_people_only(client, login, incubator, hand_built):  # noqa: F811
    cohort, *_ = hand_built
    dashboard = f"/cohorts/{cohort.id}/dashboard"
    assert dashboard in links(login(incubator.staff).get(f"/cohorts/{cohort.id}"))
    assert dashboard not in links(client.get(f"/cohorts/{cohort.id}"))


def test_dashboard_page_runs_the_same_bounded_number_of_statements_for_2_and_20_startups(
    login, incubator, make_org, make_cohort, make_startup, make_member  # noqa: F811
):
    university = make_org("university")
    small = make_cohort(incubator.org, status="running", window="closed", capacity=50)
    large = make_cohort(incubator.org, status="running", window="closed", capacity=50)
    _populate(small, university, incubator, make_startup, make_member, 2)
    _populate(large, university, incubator, make_startup, make_member, 20)
    client = login(incubator.manager)
    client.get(f"/cohorts/{small.id}/dashboard")  # warm-up
    api_count, _ = _count_statements(client, f"/api/v1/incubator/cohorts/{large.id}/dashboard")
    small_count, _ = _count_statements(client, f"/cohorts/{small.id}/dashboard")
    statements = []
    sa.event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2][:150]))
    large_count, large_page = _count_statements(client, f"/cohorts/{large.id}/dashboard")
    assert small_count == large_count
    assert large_count <= api_count + 1, "\n".join(statements)  # the API's statements and one for the KPI trends


# ---- a startup applies -------------------------------------------------------------------------------

from marketplace.incubator.models import Application  # noqa: E402


def _form(**values) -> dict:
    return {"pitch": "", "answer-team": "", "answer-traction": "", **values}


def test_a_startup_saves_a_draft_edits_it_submits_it_and_sees_its_status(login, incubator, make_cohort, make_startup):  # noqa: F811
    cohort = make_cohort(incubator.org)
    startup = make_startup()
    client = login(startup.founder)
    call = client.get(f"/cohorts/{cohort.id}", headers=EN)
    assert f"/cohorts/{cohort.id}/apply" in links(call)
    form = client.get(f"/cohorts/{cohort.id}/apply", headers=EN)
    assert form.status_code == 200 and "Who is on the team?" in text(form)

    saved = client.post(f"/cohorts/{cohort.id}/apply", data=_form(pitch="We store energy.", action="save"))
    assert saved.status_code == 303
    application = db.session.execute(sa.select(Application)).scalar_one()
    assert application.status == "draft" and application.pitch == "We store energy."
    assert saved.headers["Location"] == f"/applications/{application.id}"

    incomplete = client.post(f"/applications/{application.id}", data=_form(pitch="We store energy.", action="submit"),
                             headers=EN)
    assert incomplete.status_code == 400
    html = incomplete.get_data(as_text=True)
    assert 'id="answer-team-errors"' in html and "This question must be answered." in text(incomplete)
    assert db.session.get(Application, application.id).status == "draft"

    done = client.post(f"/applications/{application.id}",
                       data=_form(pitch="We store energy.", **{"answer-team": "Two founders"}, action="submit"))
    assert done.status_code == 303
    assert db.session.get(Application, application.id).status == "submitted"
    page = client.get(f"/applications/{application.id}", headers=EN)
    assert "Status: Submitted" in text(page)
    assert "Submitted" in text(client.get("/applications", headers=EN))
    assert "Your application : Submitted" in text(client.get(f"/cohorts/{cohort.id}", headers=EN))


def test_a_startup_withdraws_its_application(login, incubator, make_cohort, make_startup, make_application):  # noqa: F811
    cohort = make_cohort(incubator.org)
    startup = make_startup()
    application = make_application(cohort, startup)
    client = login(startup.founder)
    assert client.post(f"/applications/{application.id}", data={"action": "withdraw"}).status_code == 303
    assert db.session.get(Application, application.id).status == "withdrawn"
    assert "Status: Withdrawn" in text(client.get(f"/applications/{application.id}", headers=EN))


def test_the_application_form_shows_schema_errors_beside_their_fields(login, incubator, make_cohort, make_startup):  # noqa: F811
    cohort = make_cohort(incubator.org)
    client = login(make_startup().founder)
    response = client.post(f"/cohorts/{cohort.id}/apply", data=_form(pitch="x" * 20_001, action="save"), headers=EN)
    assert response.status_code == 400
    assert 'id="pitch-errors"' in response.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count()).select_from(Application)).scalar_one() == 0


def test_applying_to_a_closed_cohort_says_so(login, incubator, make_cohort, make_startup):  # noqa: F811
    cohort = make_cohort(incubator.org, status="selecting", window="closed")
    response = login(make_startup().founder).post(f"/cohorts/{cohort.id}/apply", data=_form(action="save"), headers=EN)
    assert response.status_code == 409 and "not taking applications" in text(response)


def test_the_application_form_needs_the_csrf_token(login, incubator, make_cohort, make_startup):  # noqa: F811
    cohort = make_cohort(incubator.org)
    client = login(make_startup().founder)
    response = client.post(f"/cohorts/{cohort.id}/apply", data=_form(action="save"), headers={"X-CSRF-Token": "forged"})
    assert response.status_code == 403
    assert db.session.execute(sa.select(sa.func.count()).select_from(Application)).scalar_one() == 0


def test_who_may_see_and_change_an_application(client, login, incubator, make_cohort, make_startup, make_application, make_org, make_user):  # noqa: F811
    cohort = make_cohort(incubator.org)
    startup = make_startup()
    draft = make_application(cohort, startup, status="draft")
    url = f"/applications/{draft.id}"
    assert client.get(url).status_code == 303  # anonymous: to the login page
    assert login(make_startup().founder).get(url).status_code == 404  # another startup
    assert login(incubator.manager).get(url).status_code == 404  # a draft is the startup's alone
    assert login(make_user(org=make_org("company"))).get(url).status_code == 404
    assert login(startup.member).get(url).status_code == 200
    assert client.get(f"/cohorts/{cohort.id}/apply").status_code == 303
    assert login(incubator.manager).get(f"/cohorts/{cohort.id}/apply").status_code == 403  # only startups apply
    draft.status, draft.submitted_at = "submitted", draft.created_at
    db.session.commit()
    manager = login(incubator.manager)
    assert manager.get(url).status_code == 200
    assert manager.post(url, data={"action": "withdraw"}).status_code == 403


# ---- KPI reports -------------------------------------------------------------------------------------

from datetime import date as _date  # noqa: E402

from marketplace.incubator.models import KPIReport  # noqa: E402


def _kpi_form(**values) -> dict:
    return {"period_start": "2026-04-01", "period_end": "2026-04-30", "revenue_amount": "1,750.50", "customers": "6",
            "headcount": "5", "funding_raised_amount": "0", "burn_amount": "800", "highlights": "First pilot", **values}


def test_a_startup_reports_a_period_with_the_previous_one_beside_the_form(login, incubator, make_cohort, make_startup, make_member):  # noqa: F811
    cohort = make_cohort(incubator.org, status="running", window="closed")
    startup = make_startup()
    member = make_member(cohort, startup)
    db.session.add(KPIReport(member_id=member.id, period_start=_date(2026, 3, 1), period_end=_date(2026, 3, 31),
                             currency="EUR", revenue_amount=150_000, customers=4, headcount=5, burn_amount=70_000))
    db.session.commit()
    client = login(startup.founder)
    form = client.get(f"/members/{member.id}/kpis", headers=EN)
    assert form.status_code == 200
    body = text(form)
    assert "Previous period: €1,500.00" in body and "Previous period: 4" in body
    assert 'value="2026-04-01"' in form.get_data(as_text=True)  # the day after the previous period
    response = client.post(f"/members/{member.id}/kpis", data=_kpi_form())
    assert response.status_code == 303
    report = db.session.execute(sa.select(KPIReport).where(KPIReport.period_start == _date(2026, 4, 1))).scalar_one()
    assert (report.revenue_amount, report.customers, report.burn_amount) == (175_050, 6, 80_000)
    assert "€1,750.50" in text(client.get(f"/members/{member.id}/kpis", headers=EN))


def test_the_kpi_form_shows_errors_beside_their_fields(login, incubator, make_cohort, make_startup, make_member):  # noqa: F811
    cohort = make_cohort(incubator.org, status="running", window="closed")
    startup = make_startup()
    member = make_member(cohort, startup)
    client = login(startup.founder)
    response = client.post(f"/members/{member.id}/kpis", headers=EN,
                           data=_kpi_form(revenue_amount="lots", customers="", period_end="2026-03-01"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="revenue_amount-errors"' in html and "Enter an amount such as 1500.00." in text(response)
    assert 'id="customers-errors"' in html
    assert db.session.execute(sa.select(sa.func.count()).select_from(KPIReport)).scalar_one() == 0
    backwards = client.post(f"/members/{member.id}/kpis", headers=EN, data=_kpi_form(period_end="2026-03-01"))
    assert backwards.status_code == 400 and 'id="period_end-errors"' in backwards.get_data(as_text=True)


def test_kpi_reports_are_the_startups_and_its_incubators_only(client, login, incubator, make_cohort, make_startup, make_member):  # noqa: F811
    cohort = make_cohort(incubator.org, status="running", window="closed")
    startup = make_startup()
    member = make_member(cohort, startup)
    url = f"/members/{member.id}/kpis"
    assert client.get(url).status_code == 303
    assert login(make_startup().founder).get(url).status_code == 404
    staff = login(incubator.staff)
    assert staff.get(url).status_code == 200 and "Report a period" not in text(staff.get(url, headers=EN))
    assert staff.post(url, data=_kpi_form()).status_code == 403
    assert login(startup.founder).post(url, data=_kpi_form(), headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert db.session.execute(sa.select(sa.func.count()).select_from(KPIReport)).scalar_one() == 0


# ---- managers: the cohort lifecycle and decisions -------------------------------------------------------

from marketplace.incubator.models import Cohort, CohortMember  # noqa: E402


def test_a_manager_moves_a_cohort_along_its_lifecycle_from_the_call_page(login, incubator, make_cohort):  # noqa: F811
    cohort = make_cohort(incubator.org, status="planning", window="open")
    manager = login(incubator.manager)
    page = manager.get(f"/cohorts/{cohort.id}", headers=EN)
    assert "Open applications" in text(page) and "Start the cohort" not in text(page)
    assert "Open applications" not in text(login(incubator.staff).get(f"/cohorts/{cohort.id}", headers=EN))
    assert manager.post(f"/cohorts/{cohort.id}/lifecycle", data={"action": "open"}).status_code == 303
    assert db.session.get(Cohort, cohort.id).status == "open"
    refused = manager.post(f"/cohorts/{cohort.id}/lifecycle", data={"action": "start"}, headers=EN)
    assert refused.status_code == 409 and db.session.get(Cohort, cohort.id).status == "open"
    assert login(incubator.staff).post(f"/cohorts/{cohort.id}/lifecycle", data={"action": "close"}).status_code == 403
    assert manager.post(f"/cohorts/{cohort.id}/lifecycle", data={"action": "close"},
                        headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert db.session.get(Cohort, cohort.id).status == "open"


def test_a_manager_filters_applications_and_accepts_up_to_capacity(login, incubator, make_cohort, make_startup, make_application):  # noqa: F811
    cohort = make_cohort(incubator.org, status="selecting", window="closed", capacity=1)
    first, second = make_startup(name="Alpha One"), make_startup(name="Beta Two")
    a = make_application(cohort, first)
    b = make_application(cohort, second)
    make_application(cohort, make_startup(name="Draft Three"), status="draft")
    manager = login(incubator.manager)
    listing = manager.get(f"/cohorts/{cohort.id}/applications", headers=EN)
    assert listing.status_code == 200
    body = text(listing)
    assert "Alpha One" in body and "Beta Two" in body and "Draft Three" not in body and "0 of 1 places taken" in body
    assert manager.post(f"/applications/{a.id}/decision", data={"action": "accept"}).status_code == 303
    full = manager.post(f"/applications/{b.id}/decision", data={"action": "accept"}, headers=EN)
    assert full.status_code == 409 and 'role="alert"' in full.get_data(as_text=True)
    assert manager.post(f"/applications/{b.id}/decision", data={"action": "waitlist"}).status_code == 303
    waitlisted = text(manager.get(f"/cohorts/{cohort.id}/applications?status=waitlisted", headers=EN))
    assert "Beta Two" in waitlisted and "Alpha One" not in waitlisted
    assert db.session.execute(sa.select(sa.func.count()).select_from(CohortMember)).scalar_one() == 1
    # the accepted startup withdraws: the waitlisted one moves up
    assert login(first.founder).post(f"/applications/{a.id}", data={"action": "withdraw"}).status_code == 303
    assert db.session.get(Application, b.id).status == "accepted"


def test_only_managers_decide_and_only_staff_see_the_applications(client, login, incubator, make_cohort, make_startup, make_application):  # noqa: F811
    cohort = make_cohort(incubator.org, status="selecting", window="closed")
    startup = make_startup()
    application = make_application(cohort, startup)
    url = f"/cohorts/{cohort.id}/applications"
    assert client.get(url).status_code == 303
    assert login(startup.founder).get(url).status_code == 404
    assert "/decision" not in login(incubator.staff).get(url, headers=EN).get_data(as_text=True)
    assert login(incubator.staff).post(f"/applications/{application.id}/decision", data={"action": "accept"}).status_code == 404
    assert login(startup.founder).post(f"/applications/{application.id}/decision", data={"action": "accept"}).status_code == 403
    assert db.session.get(Application, application.id).status == "submitted"
    assert login(incubator.manager).get(f"{url}?status=nonsense").status_code == 400
