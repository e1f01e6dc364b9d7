"""The incubator's pages over HTTP: its public page, a cohort's call for applications, the open calls
on the home page."""

from __future__ import annotations

import pytest

from tests.incubator.conftest import (  # noqa: F401  (fixtures)
    incubator,
    make_application,
    make_cohort,
    make_member,
    make_program,
    make_startup,
)
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
