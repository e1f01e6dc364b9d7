"""Stripe Connect: onboarding a university, its account state, and destination charges.

localstripe has no Connect: the stub answers these calls with Stripe's example objects and the
tests assert the exact parameters the app sent.
"""

import time

import sqlalchemy as sa

from marketplace.core.audit import AuditEvent
from marketplace.extensions import db
from marketplace.payments.models import Invoice, LedgerEntry, StripeAccount
from tests.helpers import assert_problem, outbox
from tests.payments.conftest import pay
from tests.payments.stripe_fakes import signed_event

WEBHOOK = "/api/v1/payments/stripe/webhook"


def test_a_university_manager_gets_an_onboarding_link_for_a_new_express_account(app, parties, login, stripe_stub):
    university = login(parties.payee)
    assert university.get("/api/v1/payments/connect").json == {
        "connected": False, "stripe_account_id": None, "onboarding_status": "not_started", "details_submitted": False,
        "charges_enabled": False, "payouts_enabled": False, "requirements_due": [], "disabled_reason": None}

    response = university.post("/api/v1/payments/connect/onboarding-link")
    assert response.status_code == 201, response.json
    account = db.session.execute(sa.select(StripeAccount)).scalar_one()
    assert response.json["url"].startswith(f"https://connect.stripe.com/setup/e/{account.stripe_account_id}/")
    assert response.json["expires_at"] > time.time()
    assert response.json["account"]["onboarding_status"] == "incomplete"
    assert account.organization_id == parties.payee_org.id
    create = stripe_stub.calls_to("POST", "/v1/accounts")[0]
    assert create.params == {
        "type": "express", "country": "US", "business_profile[name]": "Northbridge University",
        "business_profile[url]": parties.payee_org.website,
        "capabilities[card_payments][requested]": "true", "capabilities[transfers][requested]": "true",
        "metadata[organization_id]": str(parties.payee_org.id),
    }
    assert create.headers["Idempotency-Key"] == f"express-account-organization-{parties.payee_org.id}"
    link = stripe_stub.calls_to("POST", "/v1/account_links")[0]
    assert link.params == {
        "account": account.stripe_account_id, "type": "account_onboarding",
        "refresh_url": "http://testserver/payments/connect/refresh",
        "return_url": "http://testserver/payments/connect/return",
    }

    # A second link reuses the account.
    assert university.post("/api/v1/payments/connect/onboarding-link").status_code == 201
    assert len(stripe_stub.calls_to("POST", "/v1/accounts")) == 1
    assert len(stripe_stub.calls_to("POST", "/v1/account_links")) == 2
    assert db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.action == "stripe_account.create")).scalar_one().object_id == str(account.id)


def test_only_managers_of_a_university_or_incubator_can_connect(parties, login, make_user, make_org, stripe_stub):
    assert_problem(login(parties.payee_member).post("/api/v1/payments/connect/onboarding-link"), 403)
    assert_problem(login(parties.payer).post("/api/v1/payments/connect/onboarding-link"), 403)
    assert login(make_user(org=make_org("incubator"))).post("/api/v1/payments/connect/onboarding-link").status_code == 201
    assert len(stripe_stub.calls_to("POST", "/v1/accounts")) == 1


def test_account_updated_events_move_the_account_state_and_stale_ones_are_ignored(app, parties, login, client, stripe_stub):
    university = login(parties.payee)
    university.post("/api/v1/payments/connect/onboarding-link")
    account = db.session.execute(sa.select(StripeAccount)).scalar_one()
    now = int(time.time()) + 5

    complete = stripe_stub.complete_onboarding(account.stripe_account_id)
    payload, headers = signed_event("account.updated", complete, created=now)
    response = client.post(WEBHOOK, data=payload, headers=headers)
    assert response.status_code == 200 and response.json["outcome"] == "applied"
    state = university.get("/api/v1/payments/connect").json
    assert (state["onboarding_status"], state["payouts_enabled"], state["requirements_due"]) == ("complete", True, [])
    assert outbox(to=parties.payee.email, category="stripe_account_ready")

    # An older event (still incomplete) delivered late changes nothing.
    incomplete = dict(complete, details_submitted=False, charges_enabled=False, payouts_enabled=False)
    payload, headers = signed_event("account.updated", incomplete, created=now - 60)
    assert client.post(WEBHOOK, data=payload, headers=headers).json["outcome"] == "stale"
    assert university.get("/api/v1/payments/connect").json["onboarding_status"] == "complete"

    # Stripe later disables payouts (restricted): a newer event applies.
    restricted = dict(complete, payouts_enabled=False,
                      requirements=dict(complete["requirements"], disabled_reason="requirements.past_due",
                                        currently_due=["external_account"]))
    payload, headers = signed_event("account.updated", restricted, created=now + 60)
    assert client.post(WEBHOOK, data=payload, headers=headers).json["outcome"] == "applied"
    state = university.get("/api/v1/payments/connect").json
    assert (state["onboarding_status"], state["requirements_due"]) == ("restricted", ["external_account"])
    # ...and the onboarding link is offered again.
    assert university.post("/api/v1/payments/connect/onboarding-link").status_code == 201


def test_the_account_state_can_be_refreshed_on_demand(parties, login, stripe_stub):
    university = login(parties.payee)
    assert_problem(university.post("/api/v1/payments/connect/refresh"), 409)
    university.post("/api/v1/payments/connect/onboarding-link")
    account = db.session.execute(sa.select(StripeAccount)).scalar_one()
    stripe_stub.complete_onboarding(account.stripe_account_id)

    response = university.post("/api/v1/payments/connect/refresh")
    assert response.status_code == 200
    assert response.json["onboarding_status"] == "complete" and response.json["charges_enabled"] is True
    assert stripe_stub.calls_to("GET", f"/v1/accounts/{account.stripe_account_id}")
    assert_problem(university.post("/api/v1/payments/connect/onboarding-link"), 409)


def test_an_invoice_to_an_onboarded_university_is_a_destination_charge_with_the_platform_fee(
    parties, make_invoice, login, connect_payee, stripe_stub, received
):
    account = connect_payee()
    invoice = make_invoice(amount=250_000, currency="USD")
    assert login(parties.payer).get(f"/api/v1/invoices/{invoice.id}").json["card_payment"]["route"] == "connect"

    response = pay(login(parties.payer), invoice.id, payment_method="pm_card_visa")
    assert response.status_code == 200, response.json
    assert (response.json["route"], response.json["status"], response.json["invoice_status"]) == (
        "connect", "succeeded", "paid")
    assert response.json["application_fee_amount"] == 12_500
    create = stripe_stub.calls_to("POST", "/v1/payment_intents")[0]
    assert create.answered_by == "stub"
    customer = stripe_stub.calls_to("POST", "/v1/customers")[0]
    assert customer.answered_by == "localstripe"
    assert create.params == {
        "amount": "250000", "currency": "usd", "customer": create.params["customer"],
        "payment_method_types[0]": "card", "payment_method": "pm_card_visa",
        "metadata[invoice_id]": str(invoice.id), "metadata[attempt]": "1", "metadata[source]": "express_license",
        "application_fee_amount": "12500", "transfer_data[destination]": account.stripe_account_id,
    }
    assert create.params["customer"].startswith("cus_")
    assert stripe_stub.calls_to("POST", r"/v1/payment_intents/pi_\w+/confirm")
    lines = db.session.execute(
        sa.select(LedgerEntry.account, LedgerEntry.kind, LedgerEntry.amount)
        .where(LedgerEntry.organization_id == parties.payee_org.id).order_by(LedgerEntry.line)).all()
    assert lines == [("payee", "charge", 250_000), ("payee", "platform_fee", -12_500),
                     ("held", "collected", 237_500), ("held", "transfer", -237_500)]
    # Nothing is held for a Connect payee: the money is already in its Stripe account.
    assert login(parties.payee).get("/api/v1/payments/balances").json == [
        {"currency": "USD", "paid": 0, "earned": 237_500, "balance": 0}]
    assert [name for name, _, _ in received] == ["invoice_paid"]


def test_a_declined_destination_charge_fails_the_invoice(parties, make_invoice, login, connect_payee):
    connect_payee()
    invoice = make_invoice()
    response = pay(login(parties.payer), invoice.id, payment_method="pm_card_chargeCustomerFail")
    assert (response.json["status"], response.json["failure_code"], response.json["invoice_status"]) == (
        "failed", "card_declined", "failed")
    assert db.session.get(Invoice, invoice.id).status == "failed"
