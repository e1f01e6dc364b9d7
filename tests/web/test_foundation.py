"""The web foundation: languages and their switch, formats, page headers, CSRF on forms, error pages."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Flask, request
from flask_babel import refresh

from marketplace import create_app
from marketplace.extensions import db
from marketplace.web.formatting import country_name, date as format_date, field_label, marked, money
from tests.conftest import app_config
from tests.helpers import assert_problem

VI = {"Accept-Language": "vi-VN,vi;q=0.9,en;q=0.5"}


def html_lang(response) -> str:
    return re.search(r'<html lang="([a-z]+)"', response.get_data(as_text=True)).group(1)


def test_pages_speak_the_browsers_language(client):
    vietnamese = client.get("/", headers=VI)
    assert vietnamese.status_code == 200 and vietnamese.mimetype == "text/html"
    assert html_lang(vietnamese) == "vi" and "Danh mục" in vietnamese.get_data(as_text=True)
    english = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert html_lang(english) == "en" and "Catalogue" in english.get_data(as_text=True)


def test_the_switcher_remembers_the_language_in_a_cookie_and_goes_back(client):
    response = client.post("/language", data={"lang": "vi", "next": "/search?q=pin"})
    assert response.status_code == 303 and response.headers["Location"] == "/search?q=pin"
    assert "lang=vi" in response.headers["Set-Cookie"]
    page = client.get("/search?q=pin", headers={"Accept-Language": "en"})
    assert html_lang(page) == "vi"


def test_the_switcher_never_redirects_to_another_site(client):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post("/language", data={"lang": "en", "next": target})
        assert response.headers["Location"] == "/"


def test_the_switcher_refuses_an_unknown_language(client):
    response = client.post("/language", data={"lang": "xx", "next": "/"})
    assert response.status_code == 400 and response.mimetype == "text/html"


def test_an_anonymous_page_view_sets_no_cookie(client):
    response = client.get("/")
    assert "Set-Cookie" not in response.headers


def test_a_logged_in_persons_choice_is_saved_and_wins_over_the_browser(login, make_user):
    user = make_user()
    browser = login(user)
    html = browser.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    browser.csrf_token = None  # a page's form sends the token as a field, not a header
    response = browser.post("/language", data={"lang": "vi", "next": "/", "csrf_token": token})
    assert response.status_code == 303
    db.session.refresh(user)
    assert user.locale == "vi"
    elsewhere = login(user)  # another browser: no cookie, an English Accept-Language
    assert html_lang(elsewhere.get("/", headers={"Accept-Language": "en"})) == "vi"


def test_a_form_post_without_the_csrf_field_is_refused_with_an_html_page(login, make_user):
    user = make_user()
    browser = login(user)
    browser.csrf_token = None
    response = browser.post("/language", data={"lang": "vi", "next": "/"})
    assert response.status_code == 403 and response.mimetype == "text/html"
    db.session.refresh(user)
    assert user.locale is None


def test_pages_forbid_inline_scripts_and_load_their_css_from_the_app(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "form-action 'self'" in csp
    html = response.get_data(as_text=True)
    assert "<script" not in html and " style=" not in html
    css_url = re.search(r'<link rel="stylesheet" href="([^"]+)"', html).group(1)
    css = client.get(css_url)
    assert css.status_code == 200 and css.mimetype == "text/css" and b".site-header" in css.data
    css.close()


def test_unknown_pages_answer_an_html_404_and_the_api_keeps_problem_json(client):
    page = client.get("/no-such-page", headers=VI)
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "Không tìm thấy trang" in page.get_data(as_text=True)
    assert_problem(client.get("/api/v1/no-such-endpoint"), 404)


@pytest.fixture
def failing_app(database_url, tmp_path) -> Flask:
    app = create_app(app_config(database_url, tmp_path))

    @app.get("/broken-page")
    def broken_page():
        raise RuntimeError("boom")

    @app.get("/api/v1/broken")
    def broken_api():
        raise RuntimeError("boom")

    return app


def test_an_unexpected_error_is_an_html_500_page_for_pages_and_a_problem_for_the_api(failing_app):
    client = failing_app.test_client()
    page = client.get("/broken-page")
    assert page.status_code == 500 and page.mimetype == "text/html"
    assert "boom" not in page.get_data(as_text=True)
    assert_problem(client.get("/api/v1/broken"), 500)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("vi", {"VND": "1.500.000\xa0₫", "USD": "1.234,56\xa0US$", "date": "15 thg 3, 2026"}),
        ("en", {"VND": "₫1,500,000", "USD": "$1,234.56", "date": "Mar 15, 2026"}),
    ],
)
def test_money_and_dates_are_written_the_readers_way(app, language, expected):
    with app.test_request_context("/", headers={"Accept-Language": language}):
        assert money(1_500_000, "VND") == expected["VND"]
        assert money(123_456, "USD") == expected["USD"]
        assert format_date(date(2026, 3, 15)) == expected["date"]


def test_taxonomy_and_country_names_are_translated(app):
    with app.test_request_context("/", headers=VI):
        assert field_label("LS.DIAG") == "Chẩn đoán"
        assert country_name("KR") == "Hàn Quốc" and country_name("WORLDWIDE") == "Toàn thế giới"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        refresh()  # the test's app context outlives the first request context, and Babel caches on it
        assert field_label("LS.DIAG") == "Diagnostics" and country_name("VN") == "Vietnam"


def test_every_technology_field_has_a_vietnamese_name(app):
    from marketplace.core.taxonomy import technology_fields

    assert [code for code, field in technology_fields().items() if not field.names.get("vi")] == []


def test_highlights_keep_only_their_marks():
    assert str(marked("a <mark>pin</mark> &lt;script&gt;x&lt;/script&gt; &amp; b")) == (
        "a <mark>pin</mark> &lt;script&gt;x&lt;/script&gt; &amp; b"
    )
    assert str(marked("<script>alert(1)</script><mark>ok</mark>")) == "&lt;script&gt;alert(1)&lt;/script&gt;<mark>ok</mark>"


@pytest.fixture
def form_app(database_url, tmp_path) -> Flask:
    from flask import render_template_string

    from marketplace.web.forms import check_form_csrf

    app = create_app(app_config(database_url, tmp_path))

    @app.route("/a-public-form", methods=["GET", "POST"])
    def a_public_form():
        if request.method == "POST":
            check_form_csrf()
            return "accepted"
        return render_template_string('{% import "web/macros.html" as ui with context %}<form>{{ ui.csrf_field() }}</form>')

    return app


def test_forms_anonymous_people_post_need_the_token_of_their_session(form_app):
    browser = form_app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/a-public-form").get_data(as_text=True)).group(1)
    assert browser.post("/a-public-form", data={"csrf_token": token}).get_data(as_text=True) == "accepted"
    forged = form_app.test_client()  # another site's form: no session, or not this token
    assert forged.post("/a-public-form", data={"csrf_token": token}).status_code == 403
    assert browser.post("/a-public-form", data={}).status_code == 403


def test_pages_say_their_language(client):
    assert client.get("/", headers=VI).headers["Content-Language"] == "vi"
