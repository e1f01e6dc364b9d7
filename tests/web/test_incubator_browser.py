"""The incubator's pages in a real browser (Chromium through Playwright): applying, axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.incubator.conftest import (  # noqa: F401  (fixtures)
    incubator,
    make_application,
    make_cohort,
    make_member,
    make_program,
    make_startup,
)
from tests.incubator.test_dashboard import hand_built  # noqa: F401  (fixtures)
from tests.search.conftest import whoosh_backend  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def log_in(page, user) -> None:
    """Log the browser tab in through the API (the login page is not part of these pages)."""
    response = page.request.post("/api/v1/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.ok, response.text()


@pytest.fixture
def open_call(incubator, make_cohort):  # noqa: F811
    return make_cohort(incubator.org, name="Autumn", capacity=4)


def test_a_visitor_finds_an_open_call_from_the_home_page(page, open_call, whoosh_backend):  # noqa: F811
    page.goto("/")
    page.get_by_role("link", name="Deep Tech Accelerator — Autumn").click()
    expect(page.get_by_role("heading", name="Deep Tech Accelerator — Autumn", level=1)).to_be_visible()
    expect(page.get_by_text("4 startups")).to_be_visible()
    page.get_by_role("link", name=open_call.program.incubator.name).click()
    expect(page.get_by_role("heading", name="Calls for applications")).to_be_visible()


@pytest.mark.parametrize("language", ["en", "vi"])
def test_the_public_incubator_pages_have_no_serious_accessibility_violations(
    page, open_call, incubator, axe_violations, whoosh_backend, language  # noqa: F811
):
    page.goto("/")
    if language == "vi":
        page.get_by_role("button", name="Tiếng Việt").click()
        expect(page.locator("html")).to_have_attribute("lang", "vi")
    found = {}
    for url in ("/", f"/cohorts/{open_call.id}", f"/incubators/{incubator.org.slug}"):
        page.goto(url)
        if violations := axe_violations(page):
            found[url] = violations
    assert found == {}


@pytest.mark.parametrize("language", ["en", "vi"])
def test_the_cohort_dashboard_shows_its_charts_without_serious_accessibility_violations(
    page, incubator, hand_built, axe_violations, language  # noqa: F811
):
    cohort, *_ = hand_built
    log_in(page, incubator.staff)
    page.goto(f"/cohorts/{cohort.id}")
    if language == "vi":
        page.get_by_role("button", name="Tiếng Việt").click()
        expect(page.locator("html")).to_have_attribute("lang", "vi")
    page.locator(f'a[href="/cohorts/{cohort.id}/dashboard"]').click()
    charts = page.locator(".chart img")
    expect(charts).to_have_count(7)
    for i in range(7):
        expect(charts.nth(i)).to_have_js_property("complete", True)
        assert charts.nth(i).evaluate("img => img.naturalWidth") > 0, charts.nth(i).get_attribute("src")
    page.screenshot(path=f"/tmp/incpages/dashboard-{language}.png", full_page=True)
    assert axe_violations(page) == []


def test_a_startup_applies_to_an_open_cohort(page, open_call, make_startup, axe_violations):  # noqa: F811
    startup = make_startup(name="Sunrise Storage")
    log_in(page, startup.founder)
    page.goto(f"/cohorts/{open_call.id}")
    page.get_by_role("link", name="Apply now").click()
    assert axe_violations(page) == []
    page.get_by_label("Pitch").fill("Batteries that do not burn.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Status: Draft")).to_be_visible()
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_text("This question must be answered.")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Who is on the team?").fill("Two founders and an engineer")
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_text("Status: Submitted")).to_be_visible()
    assert axe_violations(page) == []
    page.goto("/applications")
    expect(page.get_by_role("cell", name="Submitted", exact=True)).to_be_visible()
    assert axe_violations(page) == []
    page.goto(f"/cohorts/{open_call.id}")
    expect(page.get_by_role("link", name="Your application")).to_be_visible()
    page.get_by_role("link", name="Your application").click()
    page.get_by_role("button", name="Withdraw application").click()
    expect(page.get_by_text("Status: Withdrawn")).to_be_visible()


@pytest.mark.parametrize("language", ["en", "vi"])
def test_a_startup_reports_its_key_figures_and_sees_them_on_the_page(
    page, incubator, make_cohort, make_startup, make_member, axe_violations, language  # noqa: F811
):
    cohort = make_cohort(incubator.org, status="running", window="closed")
    startup = make_startup()
    member = make_member(cohort, startup)
    log_in(page, startup.founder)
    page.goto(f"/members/{member.id}/kpis")
    if language == "vi":
        page.get_by_role("button", name="Tiếng Việt").click()
        expect(page.locator("html")).to_have_attribute("lang", "vi")
    assert axe_violations(page) == []
    if language == "en":
        page.get_by_label("Period end").fill("2026-12-31")
        page.get_by_label("Revenue (EUR)").fill("abc")
        page.get_by_role("button", name="Submit report").click()
        expect(page.get_by_text("Enter an amount such as 1500.00.")).to_be_visible()
        assert axe_violations(page) == []
        page.get_by_label("Revenue (EUR)").fill("1200")
        page.get_by_label("Customers").fill("3")
        page.get_by_label("Headcount").fill("4")
        page.get_by_label("Burn (EUR)").fill("900")
        page.get_by_role("button", name="Submit report").click()
        expect(page.get_by_role("cell", name="€1,200.00")).to_be_visible()
        expect(page.get_by_text("Previous period: €1,200.00")).to_be_visible()


def test_a_manager_accepts_up_to_capacity_and_sees_the_waitlisted_startup_promoted(
    page, browser, live_server, incubator, make_cohort, make_startup, make_application, axe_violations  # noqa: F811
):
    cohort = make_cohort(incubator.org, status="open", window="open", capacity=1)
    first, second = make_startup(name="Alpha One"), make_startup(name="Beta Two")
    accepted = make_application(cohort, first)
    make_application(cohort, second)
    log_in(page, incubator.manager)
    page.goto(f"/cohorts/{cohort.id}")
    page.get_by_role("button", name="Close applications and select").click()
    expect(page.get_by_text("Selecting startups")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Applications received").click()
    page.get_by_role("row", name=re.compile("Alpha One")).get_by_role("button", name="Accept").click()
    expect(page.get_by_text("1 of 1 places taken.")).to_be_visible()
    page.get_by_role("row", name=re.compile("Beta Two")).get_by_role("button", name="Accept").click()
    expect(page.get_by_role("alert")).to_be_visible()
    page.goto(f"/cohorts/{cohort.id}/applications")
    page.get_by_role("row", name=re.compile("Beta Two")).get_by_role("button", name="Waitlist").click()
    page.get_by_role("link", name="Waitlisted").click()
    expect(page.get_by_role("row", name=re.compile("Beta Two"))).to_be_visible()
    assert axe_violations(page) == []

    startup_context = browser.new_context(base_url=live_server, locale="en-US")
    startup_tab = startup_context.new_page()
    log_in(startup_tab, first.founder)
    startup_tab.goto(f"/applications/{accepted.id}")
    startup_tab.get_by_role("button", name="Withdraw application").click()
    expect(startup_tab.get_by_text("Status: Withdrawn")).to_be_visible()
    startup_context.close()

    page.goto(f"/cohorts/{cohort.id}/applications?status=accepted")
    expect(page.get_by_role("row", name=re.compile("Beta Two"))).to_be_visible()
