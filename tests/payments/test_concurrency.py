"""Races, on PostgreSQL with threads: two pay requests make one PaymentIntent; two deliveries of one
event record it once. (SQLite serializes every writer, so these run on PostgreSQL only.)"""

import time

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.payments import signals
from marketplace.payments.models import Invoice, LedgerEntry, Payment, StripeEvent
from tests.helpers import at_once as _at_once
from tests.payments.conftest import pay
from tests.payments.stripe_fakes import fixture, new_id, signed_event

pytestmark = pytest.mark.postgres_only


@pytest.mark.parametrize("keys", [("same-key-0001", "same-key-0001"), ("first-key-0001", "second-key-0002")])
def test_two_simultaneous_pay_requests_create_one_payment_intent(parties, make_invoice, login, stripe_stub, keys):
    invoice = make_invoice()
    clients = [login(parties.payer), login(parties.payer_member)]
    # Stripe answering slowly keeps the first request inside its transaction while the second arrives.
    stripe_stub.delays[("POST", "/v1/payment_intents")] = 0.5

    invoice_id = invoice.id
    first, second = _at_once(*(lambda c=c, k=k: pay(c, invoice_id, key=k) for c, k in zip(clients, keys)))

    assert (first.status_code, second.status_code) == (200, 200), (first.json, second.json)
    assert first.json["payment_intent_id"] == second.json["payment_intent_id"]
    assert len(stripe_stub.calls_to("POST", "/v1/payment_intents")) == 1
    db.session.rollback()
    assert db.session.query(Payment).count() == 1


def test_two_deliveries_of_one_event_record_it_once(parties, make_invoice, login, client, app):
    invoice = make_invoice()
    pay(login(parties.payer), invoice.id)
    payment = db.session.execute(sa.select(Payment)).scalar_one()
    intent = fixture("payment_intent", id=payment.stripe_payment_intent_id, amount=payment.amount, currency="eur",
                     status="succeeded", latest_charge=new_id("ch"), last_payment_error=None)
    payload, headers = signed_event("payment_intent.succeeded", intent)
    paid = []

    def slow_subscriber(sender, **kwargs):
        paid.append(kwargs["invoice"].id)
        time.sleep(0.5)  # the first delivery holds its transaction open while the second one arrives

    signals.invoice_paid.connect(slow_subscriber)
    try:
        first, second = _at_once(*(lambda c=c: c.post("/api/v1/payments/stripe/webhook", data=payload, headers=headers)
                                   for c in (app.test_client(), app.test_client())))
    finally:
        signals.invoice_paid.disconnect(slow_subscriber)

    assert (first.status_code, second.status_code) == (200, 200)
    assert sorted([first.json["duplicate"], second.json["duplicate"]]) == [False, True]
    assert paid == [invoice.id]
    db.session.rollback()
    assert db.session.query(StripeEvent).count() == 1
    assert db.session.query(LedgerEntry).filter_by(account="payer").count() == 1
    assert db.session.get(Invoice, invoice.id).status == "paid"
