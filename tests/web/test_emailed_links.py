"""Every link the emails carry answers a page: for the right person a page (not 404), for others 404,
for anonymous visitors the login page that comes back to it."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from marketplace.extensions import db
from marketplace.ip.licenses.models import License
from marketplace.payments import services as payments
from marketplace.payments.models import StripeAccount
from tests.helpers import outbox
from tests.web.pages import EN, VI, link_in, submit, text

ROOT = Path(__file__).resolve().parents[2] / "marketplace"
#: how the code writes a link into an email: ``link(f"/x/{...}")``, ``_link("/x?token=" + ...)``,
#: ``PUBLIC_BASE_URL ... + f"/x/{...}"``, ``f"{base}/x/{...}"`` and ``...rstrip('/')}/x/{...}``
LINK_CALL = re.compile(
    r"""(?:\blink\(f?["']|_link\(f?["']|\+\s*f["']|\{base\}|rstrip\(['"]/['"]\)\})(/[a-z][^"'\s]*)"""
)

#: every link template of the emails -> the page it must answer (checked below, one test each)
ANSWERED = {
    "/reset-password?token=": "reset_password",
    "/accept-invitation?token=": "accept_invitation",
    "/listings/<slug>": "listing",
    "/licenses/<id>": "license",
    "/invoices/<id>": "invoice",
    "/payments/connect/return": "connect_return",
    "/payments/connect/refresh": "connect_refresh",
}
#: links to the deal workspaces (offers, inquiries, NDA requests), whose pages come with the deal pages
DEAL_WORKSPACES = {"/offers/<id>", "/inquiries/<id>", "/nda-requests/<id>"}


def link_templates() -> set[str]:
    """The link templates written in the code that builds emails, ``{...}`` named by what they hold (``<id>``, ``<slug>``)."""
    found = set()
    for path in ROOT.rglob("*.py"):
        for match in LINK_CALL.finditer(path.read_text()):
            template = match.group(1)
            template = re.sub(r"\{[^}]*slug[^}]*\}", "<slug>", template)
            template = re.sub(r"\{[^}]*\}", "<id>", template)
            found.add(template)
    return found


def test_every_link_template_of_the_emails_is_known_here():
    assert link_templates() == set(ANSWERED) | DEAL_WORKSPACES


# ---- the parties ---------------------------------------------------------------------------------


@pytest.fixture
def deal(make_org, make_user, make_listing):
    """A university, a company with a license on the university's listing, its upfront invoice, an outsider."""
    uni = make_org("university", name="Đại học Bách khoa Hà Nội", country="VN")
    company = make_org("company", name="Mekong Xanh", country="VN")
    people = {
        "tto": make_user(org=uni, role="manager"),
        "tto_member": make_user(org=uni, role="member"),
        "buyer": make_user(org=company, role="manager"),
        "outsider": make_user(kind="company"),
    }
    listing = make_listing(uni, status="published", slug="pin-kem", title="Pin kẽm-không khí")
    invoice = payments.create_invoice(
        db.session, payer_org=company, payee_org=uni, amount=1_500_000, currency="VND", source="express_license",
        source_ref="license-1", description="Express license: Pin kẽm-không khí", due_date=date(2027, 1, 15),
    )
    license = License(
        licensor_id=uni.id, licensee_id=company.id, source_type="express_license", listing_id=listing.id,
        exclusivity="non_exclusive", fields=["EN.STOR"], territories=["VN", "KH"], start_date=date(2026, 12, 1),
        end_date=date(2028, 11, 30), status="pending_payment", currency="VND", upfront_fee_amount=1_500_000,
        royalty_rate_bps=250, upfront_invoice_id=invoice.id,
    )
    db.session.add(license)
    db.session.commit()
    return {"uni": uni, "company": company, "listing": listing, "invoice": invoice, "license": license, **people}


def browser_of(app, user):
    from tests.accounts.test_pages import page_login

    browser = app.test_client()
    page_login(browser, user)
    return browser


# ---- each link ------------------------------------------------------------------------------------


def test_reset_password_link_answers_the_reset_page(client, deal):
    submit(client, "/forgot-password", data={"email": deal["buyer"].email})
    link = link_in(outbox(to=deal["buyer"].email, category="password_reset")[0], "/reset-password")
    page = client.get(link, headers=EN)
    assert page.status_code == 200 and "Choose a new password" in text(page)


def test_accept_invitation_link_answers_the_invitation_page(app, client, deal):
    submit(browser_of(app, deal["tto"]), "/organization/members", "/organization/invitations",
           {"email": "new@hust.edu.vn", "role": "member"})
    link = link_in(outbox(to="new@hust.edu.vn", category="invitation")[0], "/accept-invitation")
    page = client.get(link, headers=EN)
    assert page.status_code == 200 and "Accept the invitation" in text(page)


def test_listing_link_answers_the_listing_page(client, deal):
    assert client.get("/listings/pin-kem", headers=EN).status_code == 200


def test_license_link_shows_its_terms_to_both_parties_only(app, client, deal):
    path = f"/licenses/{deal['license'].id}"
    for who in ("tto", "tto_member", "buyer"):
        page = browser_of(app, deal[who]).get(path, headers=VI)
        assert page.status_code == 200, who
        body = text(page)
        assert "1.500.000 ₫" in body and "Việt Nam, Campuchia" in body and "2,5% doanh thu thuần" in body
    english = text(browser_of(app, deal["buyer"]).get(path, headers=EN))
    assert "₫1,500,000" in english and "Waiting for payment" in english and "Licensee" in english
    assert browser_of(app, deal["outsider"]).get(path, headers=EN).status_code == 404
    anonymous = client.get(path)
    assert anonymous.status_code == 303 and anonymous.headers["Location"] == f"/login?next=%2Flicenses%2F{deal['license'].id}"


def test_invoice_link_shows_amount_status_and_due_date_to_the_parties_only(app, client, deal):
    path = f"/invoices/{deal['invoice'].id}"
    payer = browser_of(app, deal["buyer"])
    vi = text(payer.get(path, headers=VI))
    assert "1.500.000 ₫" in vi and "15 thg 1, 2027" in vi and "Chưa thanh toán" in vi
    en = text(payer.get(path, headers=EN))
    assert "₫1,500,000" in en and "Jan 15, 2027" in en and "Not paid yet" in en
    assert browser_of(app, deal["tto_member"]).get(path, headers=EN).status_code == 200
    assert browser_of(app, deal["outsider"]).get(path, headers=EN).status_code == 404
    assert client.get(path).headers["Location"] == f"/login?next=%2Finvoices%2F{deal['invoice'].id}"


@pytest.mark.parametrize("path", ["/payments/connect/return", "/payments/connect/refresh"])
def test_stripe_connect_links_tell_the_onboarding_state_and_offer_to_continue(app, client, deal, path):
    tto = browser_of(app, deal["tto"])
    before = text(tto.get(path, headers=EN))
    assert "Not started" in before and "Start onboarding with Stripe" in before
    db.session.add(StripeAccount(organization_id=deal["uni"].id, stripe_account_id="acct_123",
                                 details_submitted=True, charges_enabled=False, payouts_enabled=False,
                                 requirements_due=["external_account"]))
    db.session.commit()
    pending = tto.get(path, headers=EN)
    assert pending.status_code == 200
    assert "Submitted: Stripe is checking" in text(pending) and "Continue onboarding with Stripe" in text(pending)
    assert "external_account" in text(pending)
    member = text(browser_of(app, deal["tto_member"]).get(path, headers=EN))
    assert "A manager of your organization can continue" in member and "Continue onboarding" not in member
    assert browser_of(app, deal["buyer"]).get(path, headers=EN).status_code == 403  # companies are not paid out
    assert client.get(path).status_code == 303


def test_the_connect_refresh_page_says_the_link_expired(app, deal):
    page = text(browser_of(app, deal["tto"]).get("/payments/connect/refresh", headers=EN))
    assert "has expired or was already used" in page


def test_connect_pages_read_without_writing(app, deal):
    from marketplace.core.audit import AuditEvent

    tto = browser_of(app, deal["tto"])
    events = db.session.query(AuditEvent).count()
    tto.get("/payments/connect/return", headers=EN)
    assert db.session.query(AuditEvent).count() == events and db.session.query(StripeAccount).count() == 0
