"""The public pages in a real browser (Chromium through Playwright): clicks, languages, axe-core, phones."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.search.conftest import publish, university, whoosh_backend  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


@pytest.fixture
def catalogue(whoosh_backend, publish, make_org, make_asset, make_user):  # noqa: F811
    """A small published catalogue: three batteries (one Vietnamese) and a diagnostic test."""
    hust = make_org("university", name="Đại học Bách khoa Hà Nội", slug="hust", country="VN")
    make_user(org=hust, name="Trần Văn Minh")
    publish("Solid-state sodium battery", "A battery that does not burn.", fields=("EN.STOR",), trl=5)
    publish("Fast-charging lithium battery", "A battery charged in ten minutes.", fields=("EN.STOR",), trl=7,
            express=True)
    vietnamese = publish("Pin kẽm-không khí cho xe máy điện battery", "Pin rẻ, an toàn, làm từ kẽm.", org=hust,
                         fields=("EN.STOR", "TR.AUTO"), trl=4, asset_kinds=("patent",), express=True)
    publish("Rapid sepsis test", "Diagnoses sepsis in minutes.", fields=("LS.DIAG",), trl=6)
    return vietnamese


def result_titles(page) -> list[str]:
    return page.locator(".results h3").all_inner_texts()


def test_searching_and_narrowing_with_facets_by_clicks(page, catalogue):
    page.goto("/")
    page.get_by_label("Search the catalogue").fill("battery")
    page.get_by_label("Search the catalogue").press("Enter")
    expect(page.get_by_role("heading", name="3 listings found")).to_be_visible()
    assert page.locator(".results mark").first.inner_text().lower() == "battery"

    page.locator(".facet a", has_text="Vietnam").click()
    expect(page.get_by_role("heading", name="1 listing found")).to_be_visible()
    assert "country=VN" in page.url and "q=battery" in page.url
    assert result_titles(page) == ["Pin kẽm-không khí cho xe máy điện battery"]

    page.locator(".facet a", has_text="Vietnam").click()  # clicking a chosen value removes it
    expect(page.get_by_role("heading", name="3 listings found")).to_be_visible()

    page.locator(".facet a", has_text="TRL 7").click()
    expect(page.get_by_role("heading", name="1 listing found")).to_be_visible()
    assert result_titles(page) == ["Fast-charging lithium battery"]

    page.get_by_role("link", name="Clear all filters").click()
    page.get_by_label("Express license only").check()
    page.get_by_label("Sort by").select_option("trl")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("heading", name="2 listings found")).to_be_visible()
    assert result_titles(page) == ["Fast-charging lithium battery", "Pin kẽm-không khí cho xe máy điện battery"]
    assert "has_express_license=true" in page.url and "sort=trl" in page.url

    page.get_by_role("link", name="Fast-charging lithium battery").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fast-charging lithium battery")


def test_switching_to_vietnamese(page, catalogue):
    page.goto("/search?q=battery")
    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", name="Tìm thấy 3 kết quả")).to_be_visible()
    assert page.url.endswith("/search?q=battery")
    page.get_by_role("link", name="Pin kẽm-không khí cho xe máy điện battery").click()
    expect(page.get_by_role("heading", name="Giấy phép nhanh")).to_be_visible()
    expect(page.locator(".price")).to_have_text("500,00\xa0US$")
    page.get_by_role("button", name="English").click()
    expect(page.locator(".price")).to_have_text("$500.00")


@pytest.fixture
def every_page(catalogue, make_listing, make_asset):
    """The URL of each page built here, with content in every part of it."""
    asset = make_asset(catalogue.university, kind="patent", status="granted", patent_number="VN 1-0034567",
                       grant_date=date(2024, 5, 2))
    full = make_listing(
        catalogue.university, status="published", slug="loc-nuoc-nano", title="Màng lọc nước nano bạc",
        assets=[asset], fields=("EV.WATR",),
        express_license={"fields": ["EV.WATR"], "territories": ["VN", "LA"], "price_amount": 150_000_000,
                         "currency": "VND", "term_months": 36, "terms": "Không độc quyền."},
    )
    return {
        "home": "/",
        "catalogue": "/search",
        "search results": "/search?q=battery&field=EN.STOR",
        "search with an error": "/search?trl_min=9&trl_max=1",
        "no results with a suggestion": "/search?q=baterry+sepsiss",
        "listing": f"/listings/{full.slug}",
        "listing with availability": f"/listings/{catalogue.slug}",
        "university": "/universities/hust",
        "not found": "/no-such-page",
    }


@pytest.mark.parametrize("language", ["en", "vi"])
def test_every_page_has_no_serious_accessibility_violations(page, every_page, axe_violations, language):
    page.goto("/")
    if language == "vi":
        page.get_by_role("button", name="Tiếng Việt").click()
        expect(page.locator("html")).to_have_attribute("lang", "vi")
    found = {}
    for name, url in every_page.items():
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == language
        if violations := axe_violations(page):
            found[name] = violations
    assert found == {}


@pytest.mark.parametrize("url", ["/listings/{slug}", "/search?q=battery", "/"])
def test_pages_fit_a_phone_without_horizontal_scrolling(page, catalogue, url):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(url.format(slug=catalogue.slug))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{url} is {width}px wide on a 375px screen"
