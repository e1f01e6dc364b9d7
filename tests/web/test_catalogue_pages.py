"""The public pages over HTTP: home, the catalogue search, a listing, a university."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest

from marketplace.extensions import db
from marketplace.ip.licenses.models import License
from tests.search.conftest import publish, university, whoosh_backend  # noqa: F401  (fixtures)

VI = {"Accept-Language": "vi"}
EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def _index(whoosh_backend):  # noqa: F811
    """Every test here searches an empty Whoosh index of its own."""


def text(response) -> str:
    """What a reader sees: the page without its tags, spaces collapsed."""
    return re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def links(response) -> list[str]:
    return [unescape(href) for href in re.findall(r'href="([^"]+)"', response.get_data(as_text=True))]


def result_titles(response) -> list[str]:
    html = response.get_data(as_text=True)
    return [re.sub(r"<[^>]+>", "", unescape(t)) for t in re.findall(r'<h3><a href="/listings/[^"]+">(.*?)</a></h3>', html)]


# ---- home --------------------------------------------------------------------------------------


def test_home_page_shows_figures_newest_listings_and_fields_to_browse(client, publish):  # noqa: F811
    publish("Solid-state sodium battery", fields=("EN.STOR",), express=True)
    publish("Rapid sepsis test", fields=("LS.DIAG",))
    page = client.get("/", headers=EN)
    assert page.status_code == 200
    body = text(page)
    assert "2 published listings" in body and "1 express licenses" in body
    assert result_titles(page) == ["Rapid sepsis test", "Solid-state sodium battery"]
    assert "/search?field=EN" in links(page) and "Energy (1)" in body
    assert 'action="/search"' in page.get_data(as_text=True)


# ---- search ------------------------------------------------------------------------------------


def test_search_page_finds_by_words_and_marks_them(client, publish):  # noqa: F811
    publish("Solid-state sodium battery", "A battery that does not burn.")
    publish("Rapid sepsis test", "Diagnoses sepsis in minutes.")
    page = client.get("/search?q=battery", headers=EN)
    assert page.status_code == 200
    assert result_titles(page) == ["Solid-state sodium battery"]
    assert "<mark>battery</mark>" in page.get_data(as_text=True)
    assert "1 listing found" in text(page)


def test_highlights_cannot_inject_markup(client, publish):  # noqa: F811
    publish("<script>alert(1)</script> battery", "A <b>bold</b> battery.")
    html = client.get("/search?q=battery").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "<b>bold" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>battery</mark>" in html


def test_facets_show_counts_and_their_links_narrow_the_search(client, publish, make_org):  # noqa: F811
    hanoi = make_org("university", name="Hanoi University of Science and Technology", country="VN")
    publish("Sodium battery", fields=("EN.STOR",), opportunity_types=("license",))
    publish("Lithium battery recycling", fields=("EN.STOR", "EV.RECY"), org=hanoi, opportunity_types=("co_development",))
    publish("Sepsis test", fields=("LS.DIAG",), trl=7)
    page = client.get("/search", headers=EN)
    body = text(page)
    for label in ("Energy storage and batteries (2)", "Vietnam (1)", "Co-development (1)", "TRL 7 (1)",
                  "Hanoi University of Science and Technology (1)"):
        assert label in body, label
    field_link = next(href for href in links(page) if href == "/search?field=EN.STOR")
    narrowed = client.get(field_link, headers=EN)
    assert sorted(result_titles(narrowed)) == ["Lithium battery recycling", "Sodium battery"]
    country_link = next(href for href in links(narrowed) if "country=VN" in href)
    assert country_link == "/search?field=EN.STOR&country=VN"
    both = client.get(country_link, headers=EN)
    assert result_titles(both) == ["Lithium battery recycling"]
    assert "/search?field=EN.STOR" in links(both)  # the selected value's link removes it again


def test_the_whole_query_lives_in_the_url_with_trl_range_sort_and_pages(client, publish):  # noqa: F811
    for n in range(36):
        publish(f"Battery cell {n}", trl=3 + n % 5)
    url = "/search?q=battery&trl_min=4&trl_max=6&sort=trl"
    page = client.get(url, headers=EN)
    total = sum(1 for n in range(36) if 4 <= 3 + n % 5 <= 6)
    assert f"{total} listings found" in text(page)
    html = page.get_data(as_text=True)
    assert '<option value="4" selected>' in html and '<option value="trl" selected>' in html
    second = unescape(re.search(r'<a href="([^"]+)" rel="next"', html).group(1))
    assert second == url + "&page=2"
    page_two = client.get(second, headers=EN)
    assert len(result_titles(page_two)) == total - 20


def test_did_you_mean_is_a_link_to_the_corrected_search(client, publish):  # noqa: F811
    publish("Solid-state sodium battery", "A battery that does not burn.")
    page = client.get("/search?q=baterry", headers=EN)
    suggestion = re.search(r'Did you mean\s*<a href="([^"]+)">([^<]+)</a>', page.get_data(as_text=True))
    assert suggestion and suggestion.group(2) == "battery"
    assert unescape(suggestion.group(1)) == "/search?q=battery"


def test_invalid_search_options_are_explained_on_the_page(client, publish):  # noqa: F811
    page = client.get('/search?q="unbalanced&trl_min=5&trl_max=2', headers=VI)
    assert page.status_code == 400 and page.mimetype == "text/html"
    assert "Một số tùy chọn tìm kiếm không hợp lệ" in text(page)
    assert 'aria-invalid="true"' in page.get_data(as_text=True)
    assert client.get("/search?trl_min=12").status_code == 400


def test_search_page_in_vietnamese_translates_labels_and_facets(client, publish):  # noqa: F811
    publish("Pin natri thể rắn", fields=("EN.STOR",), asset_kinds=("patent",))
    body = text(client.get("/search", headers=VI))
    assert "Tìm thấy 1 kết quả" in body
    assert "Lưu trữ năng lượng và pin (1)" in body and "Bằng sáng chế (1)" in body and "Hoa Kỳ (1)" in body


# ---- listing ------------------------------------------------------------------------------------


@pytest.fixture
def offered_listing(make_listing, make_asset, make_org, make_user):
    uni = make_org("university", name="Vietnam National University, Hanoi", slug="vnu-hanoi", country="VN")
    make_user(org=uni, name="Nguyễn Thị Lan")
    asset = make_asset(uni, kind="patent", status="granted", patent_number="VN 1-0023456", grant_date=date(2024, 5, 2),
                       internal_notes="Ask for 3% royalties at least.")
    return make_listing(
        uni,
        status="published",
        slug="cam-bien-do-man",
        title="Cảm biến đo độ mặn cho ao nuôi tôm",
        assets=[asset],
        fields=("AG.AQUA",),
        express_license={"fields": ["AG.AQUA"], "territories": ["VN", "KH"], "price_amount": 1_500_000,
                         "currency": "VND", "term_months": 24, "terms": "Non-exclusive, no sublicensing."},
    )


def test_listing_page_shows_its_public_facts_and_the_price_in_the_readers_language(client, offered_listing):
    vi = client.get("/listings/cam-bien-do-man", headers=VI)
    assert vi.status_code == 200
    body = text(vi)
    assert "Cảm biến đo độ mặn cho ao nuôi tôm" in body
    assert "1.500.000\xa0₫" in body and "24 tháng" in body and "Việt Nam, Campuchia" in body
    assert "Nuôi trồng thủy sản" in body and "Bằng sáng chế" in body and "VN 1-0023456" in body
    assert "TRL 4 trên 9" in body
    assert "Ask for 3% royalties" not in body  # the university's internal notes are never public
    en = text(client.get("/listings/cam-bien-do-man", headers=EN))
    assert "₫1,500,000" in en and "24 months" in en and "Vietnam, Cambodia" in en and "May 2, 2024" in en
    assert "/universities/vnu-hanoi" in links(client.get("/listings/cam-bien-do-man"))


def test_ask_nda_and_buy_lead_to_login_and_back(client, offered_listing):
    page = client.get("/listings/cam-bien-do-man", headers=EN)
    body = text(page)
    for action in ("Ask a question", "Request the NDA", "Buy the express license"):
        assert action in body
    assert links(page).count("/login?next=%2Flistings%2Fcam-bien-do-man") >= 3


def test_availability_shows_what_is_already_licensed(client, offered_listing, make_org):
    page = client.get("/listings/cam-bien-do-man", headers=EN)
    assert "every field is open for an exclusive license" in text(page)
    licensee = make_org("company")
    license = License(licensor_id=offered_listing.university_id, licensee_id=licensee.id, source_type="offer",
                      exclusivity="exclusive", fields=["AG"], territories=["VN"], start_date=date(2025, 1, 1),
                      end_date=date(2030, 12, 31), status="active", currency="VND")
    license.assets = list(offered_listing.assets)
    db.session.add(license)
    db.session.commit()
    body = text(client.get("/listings/cam-bien-do-man", headers=VI))
    assert "Nông nghiệp và thực phẩm" in body and "Việt Nam" in body and "31 thg 12, 2030" in body


def test_unpublished_listings_are_not_found_except_by_their_university(client, make_listing, make_user, login):
    draft = make_listing(status="draft", slug="a-draft")
    page = client.get("/listings/a-draft", headers=EN)
    assert page.status_code == 404 and page.mimetype == "text/html"
    insider = login(make_user(org=draft.university))
    own = insider.get("/listings/a-draft", headers=EN)
    assert own.status_code == 200 and "This listing is not published" in text(own)


# ---- university ---------------------------------------------------------------------------------------


def test_university_page_lists_its_published_listings_only(client, make_org, make_listing):
    uni = make_org("university", name="Đại học Bách khoa Hà Nội", slug="hust", country="VN")
    make_listing(uni, status="published", title="Vật liệu composite từ xơ dừa")
    make_listing(uni, status="draft", title="A draft nobody sees")
    make_listing(status="published", title="Someone else's listing")
    page = client.get("/universities/hust", headers=VI)
    assert page.status_code == 200
    assert result_titles(page) == ["Vật liệu composite từ xơ dừa"]
    assert "Đại học Bách khoa Hà Nội" in text(page) and "1 công nghệ đã công bố" in text(page)
    assert client.get("/universities/nope").status_code == 404
    company = make_org("company", slug="acme")
    assert client.get(f"/universities/{company.slug}").status_code == 404


def test_a_bad_page_number_is_a_400_page_not_a_500(client, make_org):
    make_org("university", slug="hust")
    for url in ("/universities/hust?page=abc", "/universities/hust?page=0", "/search?page=0"):
        response = client.get(url)
        assert response.status_code == 400 and response.mimetype == "text/html", url


def test_the_header_shows_who_is_logged_in_and_a_logout_form(client, login, make_user):
    assert "Log in" in text(client.get("/", headers=EN))
    user = make_user(name="Phạm Minh Anh")
    page = login(user).get("/", headers=EN)
    html = page.get_data(as_text=True)
    assert "Logged in as Phạm Minh Anh" in text(page)
    assert re.search(r'<form method="post" action="/logout"[^>]*>\s*<input type="hidden" name="csrf_token"', html)
    assert page.headers["Cache-Control"] == "private, no-store"


def test_errors_show_beside_the_search_options_they_concern(client):
    page = client.get("/search?trl_min=12&field=NOPE", headers=EN)
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert re.search(r'<select id="trl_min" name="trl_min" aria-invalid="true" aria-describedby="trl_min-errors">', html)
    assert 'id="trl_min-errors"' in html and "Unknown technology field code 'NOPE'" in text(page)
