import pytest

pytestmark = pytest.mark.browser


def test_the_home_page_opens_in_chromium_and_passes_axe(page, axe_violations):
    page.goto("/")
    assert page.locator("h1").inner_text()
    assert axe_violations(page) == []
