"""Refunds: partial arithmetic, the fee returned in proportion, recorded when Stripe confirms."""

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.payments.models import Invoice, LedgerEntry, Payment, Refund
from tests.helpers import assert_problem, outbox
from tests.payments.conftest import pay
from tests.payments.stripe_fakes import charge_of, signed_event

WEBHOOK = "/api/v1/payments/stripe/webhook"


def _paid_invoice(parties, make_invoice, login, amount=10_000, **overrides) -> Invoice:
    invoice = make_invoice(amount=amount, **overrides)
    response = pay(login(parties.payer), invoice.id, payment_method="pm_card_visa")
    assert response.json["invoice_status"] == "paid", response.json
    return invoice


def _refund_lines(refund_id: int) -> list[tuple]:
    stmt = (sa.select(LedgerEntry.organization_id, LedgerEntry.account, LedgerEntry.kind, LedgerEntry.amount)
            .where(LedgerEntry.movement == f"refund:{refund_id}").order_by(LedgerEntry.line))
    return db.session.execute(stmt).all()


def test_partial_refunds_return_the_fee_in_proportion_and_add_up_to_the_whole(
    parties, make_invoice, login, admin_client, stripe_direct, received
):
    invoice = _paid_invoice(parties, make_invoice, login)
    payee = login(parties.payee)

    first = payee.post(f"/api/v1/invoices/{invoice.id}/refunds", json={"amount": 3_333, "reason": "One module missing"})
    assert first.status_code == 201, first.json
    assert (first.json["amount"], first.json["status"], first.json["fee_refund_amount"]) == (3_333, "succeeded", 167)
    body = payee.get(f"/api/v1/invoices/{invoice.id}").json
    assert (body["status"], body["amount_refunded"], body["fee_refunded"]) == ("partially_refunded", 3_333, 167)
    payment = db.session.execute(sa.select(Payment)).scalar_one()
    at_stripe = stripe_direct("GET", f"/v1/refunds?payment_intent={payment.stripe_payment_intent_id}")["data"]
    assert [(r["id"], r["amount"]) for r in at_stripe] == [(first.json["stripe_refund_id"], 3_333)]
    payer_id, payee_id = parties.payer_org.id, parties.payee_org.id
    assert _refund_lines(first.json["id"]) == [
        (payer_id, "payer", "refund", 3_333),
        (payee_id, "payee", "refund", -3_333),
        (payee_id, "payee", "fee_refund", 167),
        (None, "revenue", "fee_refund", -167),
        (payee_id, "held", "refund", -3_166),
    ]

    rest = admin_client.post(f"/api/v1/invoices/{invoice.id}/refunds", json={"reason": "Deal cancelled"})
    assert (rest.json["amount"], rest.json["fee_refund_amount"]) == (6_667, 333)
    body = payee.get(f"/api/v1/invoices/{invoice.id}").json
    assert (body["status"], body["amount_refunded"], body["fee_refunded"]) == ("refunded", 10_000, 500)
    assert [(name, kw["refund"], kw["fully"]) for name, _, kw in received if name == "invoice_refunded"] == [
        ("invoice_refunded", first.json["id"], False), ("invoice_refunded", rest.json["id"], True)]
    assert payee.get("/api/v1/payments/balances").json == [{"currency": "EUR", "paid": 0, "earned": 0, "balance": 0}]
    assert login(parties.payer).get("/api/v1/payments/balances").json == [
        {"currency": "EUR", "paid": 0, "earned": 0, "balance": 0}]
    assert admin_client.get("/api/v1/admin/platform-revenue").json == [
        {"currency": "EUR", "fees": 500, "fee_refunds": 500, "net": 0}]
    assert len(outbox(to=parties.payer.email, category="invoice_refunded")) == 2

    again = assert_problem(payee.post(f"/api/v1/invoices/{invoice.id}/refunds", json={"reason": "More"}), 409)
    assert again["current_state"] == "refunded"


def test_refunds_are_limited_to_what_is_left_and_to_the_payees_managers(parties, make_invoice, login, client):
    invoice = _paid_invoice(parties, make_invoice, login)
    url = f"/api/v1/invoices/{invoice.id}/refunds"
    assert_problem(login(parties.payee).post(url, json={"amount": 10_001, "reason": "Too much"}), 422, "amount")
    assert_problem(login(parties.payee).post(url, json={"amount": 0, "reason": "Nothing"}), 422, "amount")
    assert_problem(login(parties.payee).post(url, json={"amount": 5}), 422, "reason")
    assert_problem(login(parties.payer).post(url, json={"reason": "Give it back"}), 403)
    assert_problem(login(parties.payee_member).post(url, json={"reason": "Give it back"}), 403)
    assert_problem(login(parties.outsider).post(url, json={"reason": "Give it back"}), 404)
    assert_problem(client.post(url, json={"reason": "Give it back"}), 401)
    assert db.session.query(Refund).count() == 0


def test_only_card_paid_invoices_can_be_refunded(parties, make_invoice, login):
    payee = login(parties.payee)
    open_invoice = make_invoice()
    body = assert_problem(payee.post(f"/api/v1/invoices/{open_invoice.id}/refunds", json={"reason": "x"}), 409)
    assert body["current_state"] == "open"
    payee.post(f"/api/v1/invoices/{open_invoice.id}/settle", json={"reference": "SEPA-9", "settled_on": "2025-05-01"})
    body = assert_problem(payee.post(f"/api/v1/invoices/{open_invoice.id}/refunds", json={"reason": "x"}), 409)
    assert body["type"].endswith("not-paid-by-card")


def test_a_connect_refund_takes_back_the_transfer_and_the_application_fee(
    parties, make_invoice, login, connect_payee, stripe_stub
):
    connect_payee()
    invoice = _paid_invoice(parties, make_invoice, login, amount=20_000)
    response = login(parties.payee).post(f"/api/v1/invoices/{invoice.id}/refunds", json={"amount": 5_000, "reason": "Late"})

    assert response.status_code == 201 and response.json["fee_refund_amount"] == 250
    call = stripe_stub.calls_to("POST", "/v1/refunds")[0]
    payment = db.session.execute(sa.select(Payment)).scalar_one()
    assert call.answered_by == "stub" and call.params == {
        "payment_intent": payment.stripe_payment_intent_id, "amount": "5000",
        "metadata[invoice_id]": str(invoice.id), "metadata[refund_id]": str(response.json["id"]),
        "metadata[reason]": "Late", "reverse_transfer": "true", "refund_application_fee": "true",
    }
    assert call.headers["Idempotency-Key"] == f"invoice-{invoice.id}-refund-1"
    held = [(kind, amount) for _, account, kind, amount in _refund_lines(response.json["id"]) if account == "held"]
    assert held == [("transfer_reversal", 4_750), ("refund", -4_750)]


def test_a_pending_refund_is_recorded_only_when_stripe_confirms_it(
    parties, make_invoice, login, connect_payee, stripe_stub, client, received
):
    connect_payee()
    invoice = _paid_invoice(parties, make_invoice, login)
    stripe_stub.refund_status = "pending"
    response = login(parties.payee).post(f"/api/v1/invoices/{invoice.id}/refunds", json={"amount": 4_000, "reason": "x"})
    assert response.status_code == 201
    assert (response.json["status"], response.json["fee_refund_amount"]) == ("pending", None)
    assert db.session.get(Invoice, invoice.id).status == "paid"
    assert _refund_lines(response.json["id"]) == []
    # Another refund may not take more than what is not yet refunded or pending.
    assert_problem(login(parties.payee).post(f"/api/v1/invoices/{invoice.id}/refunds",
                                             json={"amount": 6_001, "reason": "x"}), 422, "amount")

    stripe_stub.set_refund_status(response.json["stripe_refund_id"], "succeeded")
    intent = stripe_stub.intents[db.session.execute(sa.select(Payment)).scalar_one().stripe_payment_intent_id]
    charge = charge_of(intent, amount_refunded=4_000, refunded=False)
    payload, headers = signed_event("charge.refunded", charge)
    assert client.post(WEBHOOK, data=payload, headers=headers).json["outcome"] == "applied"
    payload, headers = signed_event("charge.refunded", charge)  # delivered again under a new event id
    assert client.post(WEBHOOK, data=payload, headers=headers).json["outcome"] == "unchanged"

    db.session.expire_all()
    refund = db.session.get(Refund, response.json["id"])
    assert (refund.status, refund.fee_refund_amount) == ("succeeded", 200)
    assert db.session.get(Invoice, invoice.id).status == "partially_refunded"
    assert len(_refund_lines(refund.id)) == 6
    assert [name for name, _, _ in received].count("invoice_refunded") == 1


def test_a_failed_refund_frees_the_amount_again(parties, make_invoice, login, connect_payee, stripe_stub, client):
    connect_payee()
    invoice = _paid_invoice(parties, make_invoice, login)
    stripe_stub.refund_status = "pending"
    refund = login(parties.payee).post(f"/api/v1/invoices/{invoice.id}/refunds", json={"reason": "x"}).json
    failed = stripe_stub.set_refund_status(refund["stripe_refund_id"], "failed")
    payload, headers = signed_event("refund.failed", failed)
    assert client.post(WEBHOOK, data=payload, headers=headers).json["outcome"] == "applied"
    assert db.session.get(Refund, refund["id"]).status == "failed"
    assert outbox(to=parties.payee.email, category="refund_failed")
    assert db.session.get(Invoice, invoice.id).status == "paid"
    stripe_stub.refund_status = "succeeded"
    again = login(parties.payee).post(f"/api/v1/invoices/{invoice.id}/refunds", json={"reason": "Second try"})
    assert again.status_code == 201 and again.json["amount"] == 10_000


def test_a_refund_made_in_the_stripe_dashboard_is_adopted_from_charge_refunded(
    parties, make_invoice, login, client, stripe_direct
):
    invoice = _paid_invoice(parties, make_invoice, login)
    payment = db.session.execute(sa.select(Payment)).scalar_one()
    made = stripe_direct("POST", "/v1/refunds", {"payment_intent": payment.stripe_payment_intent_id, "amount": "2000"})
    charge = charge_of({"id": payment.stripe_payment_intent_id, "latest_charge": payment.stripe_charge_id,
                        "amount": 10_000, "currency": "eur"}, amount_refunded=2_000)
    payload, headers = signed_event("charge.refunded", charge)

    assert client.post(WEBHOOK, data=payload, headers=headers).json["outcome"] == "applied"
    refund = db.session.execute(sa.select(Refund)).scalar_one()
    assert (refund.stripe_refund_id, refund.amount, refund.fee_refund_amount, refund.reason) == (
        made["id"], 2_000, 100, "Refunded in the Stripe Dashboard")
    assert db.session.get(Invoice, invoice.id).status == "partially_refunded"


def test_refresh_picks_up_refunds_without_webhooks(parties, make_invoice, login, stripe_direct):
    invoice = _paid_invoice(parties, make_invoice, login)
    payment = db.session.execute(sa.select(Payment)).scalar_one()
    stripe_direct("POST", "/v1/refunds", {"payment_intent": payment.stripe_payment_intent_id})
    body = login(parties.payer).post(f"/api/v1/invoices/{invoice.id}/refresh").json
    assert (body["status"], body["amount_refunded"], body["fee_refunded"]) == ("refunded", 10_000, 500)
