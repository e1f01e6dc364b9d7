"""The Stripe webhook: signatures, each event once, events out of order, the handlers table,
and real deliveries signed by localstripe."""

import time

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.payments.models import Dispute, Invoice, LedgerEntry, Payment, StripeEvent
from tests.helpers import assert_problem, outbox
from tests.payments.conftest import pay, wait_until
from tests.payments.stripe_fakes import fixture, new_id, sign, signed_event

WEBHOOK = "/api/v1/payments/stripe/webhook"


def _started_payment(parties, make_invoice, login) -> Payment:
    """An invoice with a PaymentIntent at localstripe that the payer has not confirmed yet."""
    invoice = make_invoice(amount=10_000)
    assert pay(login(parties.payer), invoice.id).status_code == 200
    return db.session.execute(sa.select(Payment)).scalar_one()


def _intent(payment: Payment, status: str, **overrides) -> dict:
    values = dict(id=payment.stripe_payment_intent_id, amount=payment.amount, currency=payment.currency.lower(),
                  status=status, latest_charge=new_id("ch") if status == "succeeded" else None,
                  last_payment_error=None, metadata={"invoice_id": str(payment.invoice_id)})
    values.update(overrides)
    return fixture("payment_intent", **values)


def _deliver(client, event_type, obj, **kwargs):
    payload, headers = signed_event(event_type, obj, **kwargs)
    return client.post(WEBHOOK, data=payload, headers=headers)


def _invoice_status(payment: Payment) -> str:
    db.session.expire_all()
    return db.session.get(Invoice, payment.invoice_id).status


def test_a_bad_or_stale_signature_is_refused_and_nothing_is_recorded(app, parties, make_invoice, login, client):
    payment = _started_payment(parties, make_invoice, login)
    obj = _intent(payment, "succeeded")
    payload, headers = signed_event("payment_intent.succeeded", obj, secret="whsec_someone_else")
    assert_problem(client.post(WEBHOOK, data=payload, headers=headers), 400)

    payload, headers = signed_event("payment_intent.succeeded", obj)
    assert_problem(client.post(WEBHOOK, data=payload.replace("10000", "1"), headers=headers), 400)
    assert_problem(client.post(WEBHOOK, data=payload, headers={"Content-Type": "application/json"}), 400)
    stale = {"Stripe-Signature": sign(payload, timestamp=int(time.time()) - 600)}
    assert_problem(client.post(WEBHOOK, data=payload, headers=stale), 400)
    assert_problem(client.post(WEBHOOK, data="not json", headers={"Stripe-Signature": sign("not json")}), 400)

    assert db.session.query(StripeEvent).count() == 0
    assert _invoice_status(payment) == "open"
    app.config["STRIPE_WEBHOOK_SECRET"] = ""
    assert_problem(client.post(WEBHOOK, data=payload, headers=headers), 503)


def test_a_replayed_event_is_recorded_once_and_answered_200(parties, make_invoice, login, client, received):
    payment = _started_payment(parties, make_invoice, login)
    payload, headers = signed_event("payment_intent.succeeded", _intent(payment, "succeeded"))

    first = client.post(WEBHOOK, data=payload, headers=headers)
    second = client.post(WEBHOOK, data=payload, headers=headers)

    assert first.status_code == 200 and first.json == {"received": True, "duplicate": False, "outcome": "applied"}
    assert second.status_code == 200 and second.json == {"received": True, "duplicate": True, "outcome": None}
    assert db.session.query(StripeEvent).count() == 1
    assert db.session.query(LedgerEntry).filter_by(account="payer").count() == 1
    assert [name for name, _, _ in received] == ["invoice_paid"]
    assert _invoice_status(payment) == "paid"


def test_a_late_processing_event_never_undoes_succeeded(parties, make_invoice, login, client):
    payment = _started_payment(parties, make_invoice, login)
    now = int(time.time())
    assert _deliver(client, "payment_intent.succeeded", _intent(payment, "succeeded"), created=now).json["outcome"] == "applied"

    older = _deliver(client, "payment_intent.processing", _intent(payment, "processing"), created=now - 5)
    newer_but_late = _deliver(client, "payment_intent.processing", _intent(payment, "processing"), created=now + 5)
    failed = _deliver(client, "payment_intent.payment_failed",
                      _intent(payment, "requires_payment_method", last_payment_error={"code": "card_declined"}),
                      created=now + 6)

    assert [r.json["outcome"] for r in (older, newer_but_late, failed)] == ["stale", "stale", "stale"]
    assert _invoice_status(payment) == "paid"
    assert db.session.get(Payment, payment.id).status == "succeeded"
    outcomes = db.session.execute(sa.select(StripeEvent.type, StripeEvent.outcome).order_by(StripeEvent.id)).all()
    assert [o for _, o in outcomes] == ["applied", "stale", "stale", "stale"]


def test_events_in_order_move_the_invoice_and_older_news_is_ignored(parties, make_invoice, login, client, received):
    payment = _started_payment(parties, make_invoice, login)
    now = int(time.time()) + 10
    _deliver(client, "payment_intent.processing", _intent(payment, "processing"), created=now)
    assert _invoice_status(payment) == "processing"
    declined = _intent(payment, "requires_payment_method",
                       last_payment_error={"code": "card_declined", "message": "Your card was declined."})
    assert _deliver(client, "payment_intent.payment_failed", declined, created=now + 2).json["outcome"] == "applied"
    assert _invoice_status(payment) == "failed"
    # The processing event delivered again (under a new id) after the failure is older news.
    assert _deliver(client, "payment_intent.processing", _intent(payment, "processing"), created=now).json["outcome"] == "stale"
    assert _invoice_status(payment) == "failed"
    assert [(name, kw["reason"]) for name, _, kw in received] == [("invoice_payment_failed", "Your card was declined.")]


def test_a_canceled_intent_leaves_the_invoice_payable_again(parties, make_invoice, login, client, received):
    payment = _started_payment(parties, make_invoice, login)
    now = int(time.time()) + 10
    _deliver(client, "payment_intent.processing", _intent(payment, "processing"), created=now)
    _deliver(client, "payment_intent.canceled", _intent(payment, "canceled"), created=now + 1)
    assert _invoice_status(payment) == "open"
    assert [(name, kw["reason"]) for name, _, kw in received] == [
        ("invoice_payment_failed", "The card payment was canceled.")]
    retry = pay(login(parties.payer), payment.invoice_id, key="after-cancel-1", payment_method="pm_card_visa")
    assert retry.json["invoice_status"] == "paid"


def test_unknown_events_and_objects_are_recorded_and_acknowledged(client):
    response = _deliver(client, "customer.created", fixture("customer"))
    assert response.status_code == 200 and response.json["outcome"] == "unhandled"
    response = _deliver(client, "payment_intent.succeeded", fixture("payment_intent", id="pi_not_ours", status="succeeded"))
    assert response.status_code == 200 and response.json["outcome"] == "unknown_object"
    assert db.session.execute(sa.select(StripeEvent.object_id).order_by(StripeEvent.id)).scalars().all() == [
        fixture("customer")["id"], "pi_not_ours"]


def test_a_dispute_is_recorded_and_the_payee_and_admins_are_told(parties, make_invoice, login, client, admin):
    invoice = make_invoice(amount=10_000)
    pay(login(parties.payer), invoice.id, payment_method="pm_card_visa")
    payment = db.session.execute(sa.select(Payment)).scalar_one()
    dispute = fixture("dispute", id=new_id("dp"), charge=payment.stripe_charge_id,
                      payment_intent=payment.stripe_payment_intent_id, amount=10_000, currency="eur", reason="fraudulent")

    assert _deliver(client, "charge.dispute.created", dispute).json["outcome"] == "applied"
    assert _deliver(client, "charge.dispute.created", dispute).json["outcome"] == "unchanged"
    row = db.session.execute(sa.select(Dispute)).scalar_one()
    assert (row.invoice_id, row.amount, row.currency, row.reason, row.status) == (
        invoice.id, 10_000, "EUR", "fraudulent", "warning_needs_response")
    assert {e.to_address for e in outbox(category="payment_disputed")} == {parties.payee.email, admin.email}
    assert login(parties.payer).get(f"/api/v1/invoices/{invoice.id}").json["disputes"][0]["reason"] == "fraudulent"


def test_localstripe_delivers_signed_events_and_only_they_pay_the_invoice(
    parties, make_invoice, login, live_webhooks, stripe_direct
):
    invoice = make_invoice()
    started = pay(login(parties.payer), invoice.id).json
    # The payer's browser confirms the intent with Stripe directly (as Stripe.js would).
    intent_id = started["payment_intent_id"]
    stripe_direct("POST", f"/v1/payment_intents/{intent_id}", {"payment_method": "pm_card_visa"})
    assert stripe_direct("POST", f"/v1/payment_intents/{intent_id}/confirm")["status"] == "succeeded"
    assert db.session.get(Invoice, invoice.id).status == "open"  # the client's word is not enough

    wait_until(lambda: db.session.get(Invoice, invoice.id).status == "paid")
    # (Events of intents made by earlier tests may arrive too: they are acknowledged as unknown objects.)
    event = db.session.execute(sa.select(StripeEvent).where(StripeEvent.object_id == intent_id)).scalar_one()
    assert (event.type, event.object_id, event.outcome) == ("payment_intent.succeeded", intent_id, "applied")


def test_localstripe_delivers_a_declined_payment(parties, make_invoice, login, live_webhooks, stripe_direct):
    invoice = make_invoice()
    intent_id = pay(login(parties.payer), invoice.id).json["payment_intent_id"]
    stripe_direct("POST", f"/v1/payment_intents/{intent_id}", {"payment_method": "pm_card_chargeCustomerFail"})
    try:
        stripe_direct("POST", f"/v1/payment_intents/{intent_id}/confirm")
    except OSError as exc:  # localstripe answers the confirmation with 402
        assert "402" in str(exc)
    wait_until(lambda: db.session.get(Invoice, invoice.id).status == "failed")
    assert db.session.get(Invoice, invoice.id).payments[0].failure_code == "card_declined"
