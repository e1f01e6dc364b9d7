"""Paying an invoice by card through localstripe (platform-collected): success, decline, 3-D Secure,
idempotency, and the rules about who may pay what."""

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.payments.models import Invoice, LedgerEntry, Payment, PaymentRequest, StripeCustomer
from tests.helpers import assert_problem, outbox
from tests.payments.conftest import pay


def _invoice(invoice_id: int) -> Invoice:
    return db.session.get(Invoice, invoice_id)


def test_paying_without_a_card_returns_the_intents_client_secret_and_leaves_the_invoice_open(
    parties, make_invoice, login, stripe_stub, stripe_direct
):
    invoice = make_invoice(amount=12_345, currency="EUR")
    response = pay(login(parties.payer_member), invoice.id)

    assert response.status_code == 200, response.json
    body = response.json
    assert body["status"] == "requires_payment_method" and body["invoice_status"] == "open"
    assert body["route"] == "platform" and body["application_fee_amount"] == 0
    assert body["client_secret"].startswith(body["payment_intent_id"] + "_secret_")
    intent = stripe_direct("GET", f"/v1/payment_intents/{body['payment_intent_id']}")
    customer = db.session.execute(sa.select(StripeCustomer)).scalar_one()
    assert (intent["amount"], intent["currency"], intent["customer"]) == (12_345, "eur", customer.stripe_customer_id)
    assert intent["metadata"] == {"invoice_id": str(invoice.id), "attempt": "1", "source": "express_license"}
    assert stripe_direct("GET", f"/v1/customers/{customer.stripe_customer_id}")["name"] == "Helix Biologics"
    create = stripe_stub.calls_to("POST", "/v1/payment_intents")[0]
    assert create.headers["Idempotency-Key"] == f"invoice-{invoice.id}-attempt-1"
    assert create.params == {
        "amount": "12345", "currency": "eur", "customer": customer.stripe_customer_id,
        "payment_method_types[0]": "card", "metadata[invoice_id]": str(invoice.id), "metadata[attempt]": "1",
        "metadata[source]": "express_license",
    }
    assert _invoice(invoice.id).status == "open"


def test_the_same_idempotency_key_returns_the_same_intent_and_another_key_reuses_the_live_one(
    parties, make_invoice, login, stripe_stub
):
    invoice = make_invoice()
    payer = login(parties.payer)
    first = pay(payer, invoice.id, key="attempt-aaaa-1").json
    again = pay(payer, invoice.id, key="attempt-aaaa-1").json
    other = pay(login(parties.payer_member), invoice.id, key="attempt-bbbb-2").json

    assert first["payment_intent_id"] == again["payment_intent_id"] == other["payment_intent_id"]
    assert first["client_secret"] == again["client_secret"]
    assert len(stripe_stub.calls_to("POST", "/v1/payment_intents")) == 1
    assert db.session.query(Payment).count() == 1
    assert db.session.query(PaymentRequest).count() == 2


def test_an_idempotency_key_reused_for_a_different_request_is_refused(parties, make_invoice, login):
    invoice = make_invoice()
    payer = login(parties.payer)
    assert pay(payer, invoice.id, key="attempt-cccc-1").status_code == 200
    body = assert_problem(pay(payer, invoice.id, key="attempt-cccc-1", payment_method="pm_card_visa"), 409)
    assert body["type"].endswith("idempotency-key-reused")


def test_a_card_sent_form_encoded_is_refused_with_415_before_any_payment_starts(
    parties, make_invoice, login, stripe_stub
):
    invoice = make_invoice()
    payer = login(parties.payer)
    for body in ({"data": {"payment_method": "pm_card_visa"}},
                 {"data": '{"payment_method": "pm_card_visa"}', "content_type": "text/plain"}):
        response = payer.post(f"/api/v1/invoices/{invoice.id}/pay", headers={"Idempotency-Key": "key-0000-0415"},
                              **body)
        problem = assert_problem(response, 415)
        assert "application/json" in problem["detail"]
    assert stripe_stub.calls == []
    assert db.session.query(Payment).count() == db.session.query(PaymentRequest).count() == 0
    assert _invoice(invoice.id).status == "open"


def test_paying_needs_an_idempotency_key(parties, make_invoice, login):
    invoice = make_invoice()
    response = login(parties.payer).post(f"/api/v1/invoices/{invoice.id}/pay", json={})
    assert_problem(response, 422, "Idempotency-Key")
    assert db.session.query(Payment).count() == 0


def test_a_card_payment_that_succeeds_pays_the_invoice_once_and_records_the_money(
    parties, make_invoice, login, received
):
    invoice = make_invoice(amount=10_000)
    payer = login(parties.payer)
    response = pay(payer, invoice.id, payment_method="pm_card_visa")

    assert response.status_code == 200
    assert (response.json["status"], response.json["invoice_status"]) == ("succeeded", "paid")
    paid = _invoice(invoice.id)
    assert (paid.status, paid.paid_via) == ("paid", "stripe") and paid.paid_at is not None
    assert paid.payments[0].stripe_charge_id.startswith("ch_")
    lines = db.session.execute(sa.select(LedgerEntry).order_by(LedgerEntry.line)).scalars().all()
    assert [(e.organization_id, e.account, e.kind, e.amount) for e in lines] == [
        (parties.payer_org.id, "payer", "charge", -10_000),
        (parties.payee_org.id, "payee", "charge", 10_000),
        (parties.payee_org.id, "payee", "platform_fee", -500),
        (None, "revenue", "platform_fee", 500),
        (parties.payee_org.id, "held", "collected", 9_500),
    ]
    assert [(name, sender, kw) for name, sender, kw in received] == [
        ("invoice_paid", "express_license", {"invoice": invoice.id, "payment": paid.payments[0].id})]
    assert {e.to_address for e in outbox(category="invoice_paid")} == {
        parties.payer.email, parties.payer_member.email, parties.payee.email}
    balances = login(parties.payee).get("/api/v1/payments/balances").json
    assert balances == [{"currency": "EUR", "paid": 0, "earned": 9_500, "balance": 9_500}]
    assert payer.get("/api/v1/payments/balances").json == [{"currency": "EUR", "paid": 10_000, "earned": 0, "balance": 0}]

    again = assert_problem(pay(payer, invoice.id, key="another-key-0001", payment_method="pm_card_visa"), 409)
    assert again["current_state"] == "paid" and again["allowed_actions"] == ["refund"]
    assert db.session.query(Payment).count() == 1


def test_a_declined_card_fails_the_attempt_and_the_invoice_stays_payable(
    parties, make_invoice, login, received, stripe_direct
):
    invoice = make_invoice()
    payer = login(parties.payer)
    declined = pay(payer, invoice.id, key="decline-0001", payment_method="pm_card_chargeCustomerFail")

    assert declined.status_code == 200
    assert (declined.json["status"], declined.json["invoice_status"]) == ("failed", "failed")
    assert declined.json["failure_code"] == "card_declined"
    assert [(name, kw["reason"]) for name, _, kw in received] == [("invoice_payment_failed", "Your card was declined.")]
    assert outbox(to=parties.payer.email, category="payment_failed")
    assert db.session.query(LedgerEntry).count() == 0

    retried = pay(payer, invoice.id, key="retry-0002", payment_method="pm_card_visa")
    assert (retried.json["status"], retried.json["invoice_status"]) == ("succeeded", "paid")
    assert retried.json["payment_intent_id"] != declined.json["payment_intent_id"]
    first, second = _invoice(invoice.id).payments
    assert (first.attempt, first.status, second.attempt, second.status) == (1, "canceled", 2, "succeeded")
    # The failed intent was canceled at Stripe, so it can never be charged later.
    assert stripe_direct("GET", f"/v1/payment_intents/{first.stripe_payment_intent_id}")["status"] == "canceled"
    assert [name for name, _, _ in received] == ["invoice_payment_failed", "invoice_paid"]


def test_a_3d_secure_card_is_paid_only_when_stripe_confirms_the_authentication(
    parties, make_invoice, login, stripe_direct
):
    invoice = make_invoice()
    card = stripe_direct("POST", "/v1/payment_methods", {
        "type": "card", "card[number]": "4000002500003155", "card[exp_month]": "12", "card[exp_year]": "2031",
        "card[cvc]": "123"})
    payer = login(parties.payer)
    response = pay(payer, invoice.id, payment_method=card["id"])
    assert (response.json["status"], response.json["invoice_status"]) == ("requires_action", "open")

    # Nothing changes on a refresh until the payer authenticates with their bank...
    refreshed = payer.post(f"/api/v1/invoices/{invoice.id}/refresh")
    assert refreshed.json["status"] == "open" and refreshed.json["payments"][0]["status"] == "requires_action"
    stripe_direct("POST", f"/v1/payment_intents/{response.json['payment_intent_id']}/_authenticate",
                  {"client_secret": response.json["client_secret"], "success": "true"})
    # ...and the invoice is paid once Stripe says so.
    refreshed = payer.post(f"/api/v1/invoices/{invoice.id}/refresh")
    assert refreshed.status_code == 200
    assert refreshed.json["status"] == "paid" and refreshed.json["payments"][0]["status"] == "succeeded"


def test_a_failed_3d_secure_authentication_fails_the_attempt(parties, make_invoice, login, stripe_direct):
    invoice = make_invoice()
    card = stripe_direct("POST", "/v1/payment_methods", {
        "type": "card", "card[number]": "4000002500003155", "card[exp_month]": "12", "card[exp_year]": "2031",
        "card[cvc]": "123"})
    payer = login(parties.payer)
    started = pay(payer, invoice.id, payment_method=card["id"]).json
    stripe_direct("POST", f"/v1/payment_intents/{started['payment_intent_id']}/_authenticate",
                  {"client_secret": started["client_secret"], "success": "false"})
    refreshed = login(parties.payee).post(f"/api/v1/invoices/{invoice.id}/refresh").json
    assert refreshed["status"] == "failed"
    assert refreshed["payments"][0]["failure_code"] == "payment_intent_authentication_failure"


def test_only_the_payers_members_can_pay(parties, make_invoice, login, client, stripe_stub):
    invoice = make_invoice()
    assert_problem(pay(login(parties.payee), invoice.id), 403)
    assert_problem(pay(login(parties.payee_member), invoice.id), 403)
    assert_problem(pay(login(parties.outsider), invoice.id), 404)
    assert_problem(pay(client, invoice.id), 401)
    assert stripe_stub.calls == [] and db.session.query(Payment).count() == 0


def test_a_void_invoice_cannot_be_paid(parties, make_invoice, login, admin_client, stripe_stub):
    invoice = make_invoice()
    assert admin_client.post(f"/api/v1/invoices/{invoice.id}/void", json={"reason": "Issued twice"}).status_code == 200
    body = assert_problem(pay(login(parties.payer), invoice.id, payment_method="pm_card_visa"), 409)
    assert body["current_state"] == "void" and body["allowed_actions"] == []
    assert stripe_stub.calls == []


def test_card_payment_to_an_unverified_payee_or_one_whose_payouts_stripe_disabled_is_refused(
    parties, make_invoice, make_org, login, connect_payee, stripe_stub
):
    payer = login(parties.payer)
    unverified = make_invoice(payee_org=make_org("university", verified=False))
    body = assert_problem(pay(payer, unverified.id), 409)
    assert body["type"].endswith("card-payment-unavailable") and "settle" in body["detail"]

    connect_payee(details_submitted=True, charges_enabled=True, payouts_enabled=False)
    blocked = make_invoice()
    body = assert_problem(pay(payer, blocked.id), 409)
    assert "payouts" in body["detail"]
    assert stripe_stub.calls_to("POST", "/v1/payment_intents") == []
    # The payee can still settle it by bank transfer.
    settled = login(parties.payee).post(f"/api/v1/invoices/{blocked.id}/settle",
                                        json={"reference": "SEPA-77", "settled_on": "2025-03-01"})
    assert settled.status_code == 200 and settled.json["status"] == "paid"


def test_currencies_reach_stripe_in_the_units_stripe_expects(parties, make_invoice, login, stripe_stub):
    payer = login(parties.payer)
    yen = make_invoice(amount=999, currency="JPY")
    krona = make_invoice(amount=500, currency="ISK")
    assert pay(payer, yen.id, payment_method="pm_card_visa").json["invoice_status"] == "paid"
    assert pay(payer, krona.id, payment_method="pm_card_visa").json["invoice_status"] == "paid"
    sent = [(c.params["amount"], c.params["currency"]) for c in stripe_stub.calls_to("POST", "/v1/payment_intents")]
    # JPY is zero-decimal at Stripe too; ISK is zero-decimal in ISO 4217 but two-decimal at Stripe.
    assert sent == [("999", "jpy"), ("50000", "isk")]
    assert db.session.get(Invoice, krona.id).payments[0].amount == 500
    dinar = make_invoice(amount=1_005, currency="KWD")
    body = assert_problem(pay(payer, dinar.id), 409)
    assert "multiples of 10" in body["detail"]


def test_an_unknown_payment_method_is_the_clients_error_naming_the_field(parties, make_invoice, login, stripe_stub):
    invoice = make_invoice()
    payer = login(parties.payer)
    refused = pay(payer, invoice.id, key="unknown-pm-0001", payment_method="pm_does_not_exist")
    body = assert_problem(refused, 422, "payment_method")
    assert "pm_does_not_exist" in " ".join(body["errors"]["payment_method"])
    assert _invoice(invoice.id).status == "open"
    # also when the card is given for an intent started without one
    assert pay(payer, invoice.id, key="no-pm-yet-0003").status_code == 200
    assert_problem(pay(payer, invoice.id, key="unknown-pm-0004", payment_method="card_nope"), 422, "payment_method")
    # the same invoice can then be paid with a real card
    paid = pay(payer, invoice.id, key="known-pm-0002", payment_method="pm_card_visa")
    assert paid.status_code == 200 and paid.json["invoice_status"] == "paid", paid.json


def test_a_stripe_outage_is_still_a_gateway_error(app, parties, make_invoice, login, stripe_settings):
    invoice = make_invoice()
    app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"  # nobody listens there (restored after the test)
    assert_problem(pay(login(parties.payer), invoice.id, payment_method="pm_card_visa"), 502)
