"""Manual settlement, voiding, the ledger, payouts of platform-collected money and fee revenue."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from marketplace.core.audit import AuditEvent
from marketplace.extensions import db
from marketplace.payments.models import Invoice, LedgerEntry, LedgerIsImmutable, Payout
from tests.helpers import assert_problem, outbox
from tests.payments.conftest import pay

SETTLE = {"reference": "SEPA-2026-0042", "settled_on": "2025-06-30", "note": "Received in full"}


def test_the_payee_settles_an_invoice_by_bank_transfer(parties, make_invoice, login, received):
    invoice = make_invoice(amount=10_000)
    response = login(parties.payee).post(f"/api/v1/invoices/{invoice.id}/settle", json=SETTLE)

    assert response.status_code == 200
    assert (response.json["status"], response.json["paid_via"]) == ("paid", "manual")
    assert response.json["settlement"] == {**SETTLE, "created_at": response.json["settlement"]["created_at"]}
    settlement_id = db.session.get(Invoice, invoice.id).settlement.id
    assert received == [("invoice_paid", "express_license", {"invoice": invoice.id, "settlement": settlement_id})]
    # The platform holds nothing; the payee owes it the fee.
    assert login(parties.payee).get("/api/v1/payments/balances").json == [
        {"currency": "EUR", "paid": 0, "earned": 9_500, "balance": -500}]
    assert login(parties.payer).get("/api/v1/payments/balances").json == [
        {"currency": "EUR", "paid": 10_000, "earned": 0, "balance": 0}]
    audit = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "invoice.settle_manually")).scalar_one()
    assert audit.actor_user_id == parties.payee.id and audit.changes["reference"] == SETTLE["reference"]
    assert outbox(to=parties.payer.email, category="invoice_paid")
    assert_problem(login(parties.payee).post(f"/api/v1/invoices/{invoice.id}/settle", json=SETTLE), 409)


def test_only_payee_managers_or_admins_settle_and_the_date_cannot_be_in_the_future(
    parties, make_invoice, login, admin_client
):
    invoice = make_invoice()
    url = f"/api/v1/invoices/{invoice.id}/settle"
    assert_problem(login(parties.payer).post(url, json=SETTLE), 403)
    assert_problem(login(parties.payee_member).post(url, json=SETTLE), 403)
    assert_problem(login(parties.outsider).post(url, json=SETTLE), 404)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert_problem(login(parties.payee).post(url, json={**SETTLE, "settled_on": tomorrow}), 422, "settled_on")
    assert_problem(login(parties.payee).post(url, json={"settled_on": "2025-01-01"}), 422, "reference")
    assert db.session.get(Invoice, invoice.id).status == "open"
    assert admin_client.post(url, json=SETTLE).json["status"] == "paid"


def test_settling_cancels_an_unfinished_card_payment_at_stripe(parties, make_invoice, login, stripe_direct):
    invoice = make_invoice()
    intent_id = pay(login(parties.payer), invoice.id).json["payment_intent_id"]
    response = login(parties.payee).post(f"/api/v1/invoices/{invoice.id}/settle", json=SETTLE)
    assert response.status_code == 200 and response.json["payments"][0]["status"] == "canceled"
    assert stripe_direct("GET", f"/v1/payment_intents/{intent_id}")["status"] == "canceled"


def test_an_admin_voids_an_open_invoice_with_a_reason(parties, make_invoice, login, admin_client, stripe_direct, received):
    invoice = make_invoice()
    intent_id = pay(login(parties.payer), invoice.id).json["payment_intent_id"]
    assert_problem(login(parties.payee).post(f"/api/v1/invoices/{invoice.id}/void", json={"reason": "x"}), 403)
    assert_problem(admin_client.post(f"/api/v1/invoices/{invoice.id}/void", json={}), 422, "reason")

    response = admin_client.post(f"/api/v1/invoices/{invoice.id}/void", json={"reason": "Duplicate of #7"})
    assert response.status_code == 200
    assert (response.json["status"], response.json["void_reason"]) == ("void", "Duplicate of #7")
    assert stripe_direct("GET", f"/v1/payment_intents/{intent_id}")["status"] == "canceled"
    assert received == [("invoice_voided", "express_license", {"invoice": invoice.id, "reason": "Duplicate of #7"})]
    assert outbox(to=parties.payer.email, category="invoice_voided")
    body = assert_problem(admin_client.post(f"/api/v1/invoices/{invoice.id}/void", json={"reason": "Again"}), 409)
    assert body["current_state"] == "void"


def test_a_paid_invoice_cannot_be_voided(parties, make_invoice, login, admin_client):
    invoice = make_invoice()
    pay(login(parties.payer), invoice.id, payment_method="pm_card_visa")
    body = assert_problem(admin_client.post(f"/api/v1/invoices/{invoice.id}/void", json={"reason": "x"}), 409)
    assert (body["current_state"], body["allowed_actions"]) == ("paid", ["refund"])


def test_admins_pay_out_platform_collected_money_up_to_what_is_held(
    parties, make_invoice, login, admin_client, make_org, admin
):
    for amount in (10_000, 30_000):
        invoice = make_invoice(amount=amount)
        pay(login(parties.payer), invoice.id, key=f"key-{amount:08d}", payment_method="pm_card_visa")
    due = admin_client.get("/api/v1/admin/payouts/due").json
    assert [(d["organization"]["id"], d["currency"], d["balance"]) for d in due] == [(parties.payee_org.id, "EUR", 38_000)]

    payout = {"organization_id": parties.payee_org.id, "amount": 38_001, "currency": "EUR",
              "reference": "WIRE-991", "paid_on": "2025-07-01"}
    body = assert_problem(admin_client.post("/api/v1/admin/payouts", json=payout), 409)
    assert body["balance"] == 38_000
    assert_problem(admin_client.post("/api/v1/admin/payouts", json={**payout, "currency": "USD", "amount": 1}), 409)
    assert_problem(admin_client.post("/api/v1/admin/payouts", json={**payout, "organization_id": 999_999}), 404)

    made = admin_client.post("/api/v1/admin/payouts", json={**payout, "amount": 30_000})
    assert made.status_code == 201
    assert (made.json["organization"]["id"], made.json["amount"], made.json["reference"]) == (
        parties.payee_org.id, 30_000, "WIRE-991")
    assert login(parties.payee).get("/api/v1/payments/balances").json[0]["balance"] == 8_000
    assert admin_client.get("/api/v1/admin/payouts/due").json[0]["balance"] == 8_000
    assert admin_client.get("/api/v1/admin/payouts").json["total"] == 1
    assert admin_client.get(f"/api/v1/admin/payouts?organization_id={make_org().id}").json["total"] == 0
    assert outbox(to=parties.payee.email, category="payout_recorded")
    line = db.session.execute(sa.select(LedgerEntry).where(LedgerEntry.kind == "payout")).scalar_one()
    assert (line.organization_id, line.account, line.amount) == (parties.payee_org.id, "held", -30_000)
    assert db.session.execute(sa.select(Payout)).scalar_one().recorded_by_id == admin.id


def test_an_organization_reads_its_own_ledger(parties, make_invoice, login):
    invoice = make_invoice(amount=10_000)
    pay(login(parties.payer), invoice.id, payment_method="pm_card_visa")
    make_invoice(amount=777, currency="USD")
    page = login(parties.payee_member).get("/api/v1/payments/ledger").json
    assert page["total"] == 3
    assert [(i["account"], i["kind"], i["amount"], i["invoice_id"]) for i in page["items"]] == [
        ("held", "collected", 9_500, invoice.id), ("payee", "platform_fee", -500, invoice.id),
        ("payee", "charge", 10_000, invoice.id)]
    assert login(parties.payer).get("/api/v1/payments/ledger?kind=charge").json["items"][0]["amount"] == -10_000
    assert login(parties.payer).get("/api/v1/payments/ledger?currency=USD").json["total"] == 0
    assert login(parties.outsider).get("/api/v1/payments/ledger").json["total"] == 0


def test_ledger_lines_cannot_be_changed_or_deleted(parties, make_invoice, login):
    invoice = make_invoice()
    pay(login(parties.payer), invoice.id, payment_method="pm_card_visa")
    line = db.session.execute(sa.select(LedgerEntry).limit(1)).scalar_one()
    line.amount = 1
    with pytest.raises(LedgerIsImmutable):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(LedgerEntry, line.id))
    with pytest.raises(LedgerIsImmutable):
        db.session.flush()
    db.session.rollback()


def test_admins_see_platform_fee_revenue_per_currency_and_period(parties, make_invoice, login, admin_client):
    for amount, currency in ((10_000, "EUR"), (20_000, "EUR"), (999, "JPY")):
        invoice = make_invoice(amount=amount, currency=currency)
        pay(login(parties.payer), invoice.id, key=f"key-{amount:08d}", payment_method="pm_card_visa")
    settled = make_invoice(amount=4_000)
    login(parties.payee).post(f"/api/v1/invoices/{settled.id}/settle", json=SETTLE)

    assert admin_client.get("/api/v1/admin/platform-revenue").json == [
        {"currency": "EUR", "fees": 1_700, "fee_refunds": 0, "net": 1_700},
        {"currency": "JPY", "fees": 50, "fee_refunds": 0, "net": 50},
    ]
    today = date.today()
    assert admin_client.get(f"/api/v1/admin/platform-revenue?since={today}&until={today}").json[1]["net"] == 50
    assert admin_client.get(f"/api/v1/admin/platform-revenue?until={today - timedelta(days=1)}").json == []
