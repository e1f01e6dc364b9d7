"""Account and admin pages in a real browser: a password reset and an invitation through the emailed
links, an admin approving a listing from the queue, and axe-core on every page as the right person."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from marketplace.extensions import db
from marketplace.ip.licenses.models import License
from marketplace.listings.models import ListingFlag
from marketplace.notifications.models import OutboundEmail
from marketplace.notifications.services import notify
from marketplace.payments import services as payments
from tests.conftest import PASSWORD
from tests.search.conftest import whoosh_backend  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser
NEW = "an-entirely-new-passphrase"


def log_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def emailed_link(to: str, category: str, path: str) -> str:
    """The link to ``path`` in the newest email of ``category`` sent to ``to`` (read from the outbox table)."""
    db.session.commit()  # see what the server committed
    body = db.session.execute(
        sa.select(OutboundEmail.body)
        .where(OutboundEmail.to_address == to, OutboundEmail.category == category)
        .order_by(OutboundEmail.id.desc())
    ).scalars().first()
    assert body, f"no {category} email to {to}"
    return re.search(r"https?://[^/\s]+(" + re.escape(path) + r"\S*)", body).group(1)


def test_a_forgotten_password_is_reset_through_the_emailed_link(page, make_user):
    user = make_user(name="Nguyễn Thị Lan")
    page.goto("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill(user.email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("status")).to_contain_text("If an account has this email")

    page.goto(emailed_link(user.email, "password_reset", "/reset-password"))
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("New password").fill("short")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.locator("#new_password-errors")).to_be_visible()
    expect(page.get_by_label("New password")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("New password").fill(NEW)
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password has been changed")

    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("Invalid email or password.")
    page.get_by_label("Password").fill(NEW)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Logged in as Nguyễn Thị Lan")).to_be_visible()


def test_a_colleague_accepts_an_invitation(page, browser, live_server, make_org, make_user):
    org = make_org("university", name="Đại học Quốc gia Hà Nội")
    manager = make_user(org=org, role="manager")
    log_in(page, manager.email)
    page.get_by_role("link", name="Members").first.click()
    page.get_by_label("Their email").fill("huy@vnu.edu.vn")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("status")).to_have_text("The invitation is sent.")
    expect(page.get_by_text("huy@vnu.edu.vn")).to_be_visible()

    invitee = browser.new_context(base_url=live_server, locale="vi-VN").new_page()
    try:
        invitee.goto(emailed_link("huy@vnu.edu.vn", "invitation", "/accept-invitation"))
        expect(invitee.get_by_role("heading", name="Nhận lời mời")).to_be_visible()
        invitee.get_by_label("Tên của bạn").fill("Đỗ Quang Huy")
        invitee.get_by_label("Mật khẩu").fill(NEW)
        invitee.get_by_role("button", name="Tham gia").click()
        expect(invitee.get_by_role("status")).to_have_text("Chào mừng! Bạn đã tham gia tổ chức của mình.")
        expect(invitee.get_by_text("Đại học Quốc gia Hà Nội")).to_be_visible()
    finally:
        invitee.context.close()
    page.reload()
    expect(page.get_by_role("cell", name="Đỗ Quang Huy", exact=True)).to_be_visible()


def test_an_admin_approves_a_listing_from_the_queue_and_it_appears_in_the_catalogue(
    page, whoosh_backend, admin, make_org, make_user, make_listing  # noqa: F811
):
    uni = make_org("university")
    make_user(org=uni, role="manager")
    listing = make_listing(uni, status="in_review", title="Màng lọc nước nano bạc", keywords=["nano"])
    page.goto("/search?q=nano")
    expect(page.get_by_role("link", name="Màng lọc nước nano bạc")).to_have_count(0)

    log_in(page, admin.email)
    page.get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Moderation queue").click()
    expect(page.get_by_role("heading", name="Màng lọc nước nano bạc")).to_be_visible()
    page.get_by_role("button", name="Approve “Màng lọc nước nano bạc”").click()
    expect(page.get_by_role("status")).to_have_text("The listing is published.")
    expect(page.get_by_text("No listing waits for review.")).to_be_visible()

    page.goto("/search?q=nano")
    page.get_by_role("link", name="Màng lọc nước nano bạc").click()
    expect(page).to_have_url(re.compile(f"/listings/{listing.slug}$"))


# ---- axe-core on every page built here, as the person it is for ------------------------------------


@pytest.fixture
def people(admin, make_org, make_user, make_listing):
    """A university manager with a license, an invoice and a notification; an admin with work in every queue."""
    uni = make_org("university", name="Đại học Bách khoa Hà Nội", country="VN")
    company = make_org("company", name="Mekong Xanh", country="VN", verified=False)
    manager = make_user(org=uni, role="manager", name="Trần Văn Minh")
    make_user(org=uni, role="member", name="Lê Hoàng Phúc")
    make_user(org=company, role="manager", name="Phạm Minh Anh")
    in_review = make_listing(uni, status="in_review", title="Pin kẽm-không khí")
    make_listing(uni, status="suspended", title="Cảm biến độ mặn")
    published = make_listing(uni, status="published", title="Màng lọc nước")
    db.session.add(ListingFlag(listing_id=published.id, reporter_user_id=manager.id, category="inaccurate",
                               text="The TRL is overstated."))
    invoice = payments.create_invoice(
        db.session, payer_org=company, payee_org=uni, amount=1_500_000, currency="VND", source="express_license",
        source_ref="license-1", description="Express license", due_date=date(2027, 1, 15),
    )
    license = License(licensor_id=uni.id, licensee_id=company.id, source_type="express_license",
                      listing_id=in_review.id, exclusivity="non_exclusive", fields=["EN.STOR"], territories=["VN"],
                      start_date=date(2026, 12, 1), status="pending_payment", currency="VND",
                      upfront_fee_amount=1_500_000, royalty_rate_bps=250, upfront_invoice_id=invoice.id)
    db.session.add(license)
    notify(db.session, manager.id, kind="test", title="Một thông báo", body="Nội dung.")
    db.session.commit()
    return {"manager": manager, "admin": admin, "license": license, "invoice": invoice}


def account_pages(people) -> dict[str, tuple[str | None, str]]:
    """Page name -> (who looks at it: None for anonymous, else a key of ``people``; its URL)."""
    return {
        "log in": (None, "/login"),
        "register": (None, "/register"),
        "forgot password": (None, "/forgot-password"),
        "reset password": (None, "/reset-password?token=an-invalid-token"),
        "accept invitation": (None, "/accept-invitation?token=an-invalid-token"),
        "account": ("manager", "/account"),
        "API tokens": ("manager", "/account/tokens"),
        "members": ("manager", "/organization/members"),
        "notifications": ("manager", "/notifications"),
        "license": ("manager", f"/licenses/{people['license'].id}"),
        "invoice": ("manager", f"/invoices/{people['invoice'].id}"),
        "Stripe Connect return": ("manager", "/payments/connect/return"),
        "Stripe Connect refresh": ("manager", "/payments/connect/refresh"),
        "admin organizations": ("admin", "/admin/organizations"),
        "admin moderation": ("admin", "/admin/moderation"),
        "admin flags": ("admin", "/admin/flags"),
        "admin users": ("admin", "/admin/users"),
        "admin audit trail": ("admin", "/admin/audit?action=listing"),
    }


@pytest.mark.parametrize("language", ["en", "vi"])
def test_every_account_and_admin_page_has_no_serious_accessibility_violations(
    page, browser, live_server, people, axe_violations, language
):
    found = {}
    tabs = {None: page}
    for who in ("manager", "admin"):
        context = browser.new_context(base_url=live_server, locale="en-US")
        tabs[who] = context.new_page()
        log_in(tabs[who], people[who].email)
    try:
        for tab in tabs.values():
            tab.goto("/")
            if language == "vi":
                tab.get_by_role("button", name="Tiếng Việt").click()
                expect(tab.locator("html")).to_have_attribute("lang", "vi")
        for name, (who, url) in account_pages(people).items():
            tab = tabs[who]
            answer = tab.goto(url)
            assert answer.status == 200, (name, answer.status)
            assert tab.locator("html").get_attribute("lang") == language
            if violations := axe_violations(tab):
                found[name] = violations
        # a form with its errors shown is a page too
        page.goto("/login")
        page.get_by_role("button", name="Đăng nhập" if language == "vi" else "Log in").click()
        if violations := axe_violations(page):
            found["log in with errors"] = violations
    finally:
        for who, tab in tabs.items():
            if who is not None:
                tab.context.close()
    assert found == {}
