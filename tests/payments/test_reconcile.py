"""``flask payments reconcile [--fix]``: finding drift from Stripe and repairing it from Stripe's truth."""

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.payments.models import Invoice, LedgerEntry, Payment, Refund, StripeAccount
from tests.payments.conftest import pay


def _reconcile(app, *args):
    result = app.test_cli_runner().invoke(args=["payments", "reconcile", *args])
    db.session.expire_all()
    return result


def test_reconcile_reports_a_payment_stripe_completed_and_fix_applies_it(
    app, parties, make_invoice, login, stripe_direct, received
):
    invoice = make_invoice()
    intent_id = pay(login(parties.payer), invoice.id).json["payment_intent_id"]
    # Confirmed at Stripe, but the webhook never arrived.
    stripe_direct("POST", f"/v1/payment_intents/{intent_id}", {"payment_method": "pm_card_visa"})
    stripe_direct("POST", f"/v1/payment_intents/{intent_id}/confirm")

    report = _reconcile(app)
    assert report.exit_code == 1, report.output
    assert "Comparing with Stripe" in report.output
    assert f"invoice {invoice.id} payment {intent_id}: requires_payment_method here, succeeded at Stripe " \
           "[fixable with --fix]" in report.output
    assert "Checked 1 objects: 1 drifted, 0 fixed." in report.output
    assert db.session.get(Invoice, invoice.id).status == "open"
    assert db.session.query(LedgerEntry).count() == 0

    fixed = _reconcile(app, "--fix")
    assert fixed.exit_code == 0, fixed.output
    assert "succeeded at Stripe [fixed]" in fixed.output and "1 drifted, 1 fixed" in fixed.output
    assert db.session.get(Invoice, invoice.id).status == "paid"
    assert db.session.query(LedgerEntry).filter_by(account="payer").one().amount == -10_000
    assert [name for name, _, _ in received] == ["invoice_paid"]

    clean = _reconcile(app)
    assert clean.exit_code == 0 and "0 drifted" in clean.output


def test_reconcile_adopts_a_refund_made_at_stripe(app, parties, make_invoice, login, stripe_direct):
    invoice = make_invoice()
    pay(login(parties.payer), invoice.id, payment_method="pm_card_visa")
    payment = db.session.execute(sa.select(Payment)).scalar_one()
    refund = stripe_direct("POST", "/v1/refunds", {"payment_intent": payment.stripe_payment_intent_id, "amount": "2500"})

    report = _reconcile(app)
    assert report.exit_code == 1
    assert f"refund {refund['id']} of 2500 EUR (succeeded) is missing here" in report.output
    assert db.session.query(Refund).count() == 0

    assert _reconcile(app, "--fix").exit_code == 0
    adopted = db.session.execute(sa.select(Refund)).scalar_one()
    assert (adopted.amount, adopted.status, adopted.fee_refund_amount) == (2_500, "succeeded", 125)
    assert db.session.get(Invoice, invoice.id).status == "partially_refunded"


def test_reconcile_updates_a_connected_account_from_stripe(app, connect_payee, stripe_stub):
    account = connect_payee(details_submitted=False, charges_enabled=False, payouts_enabled=False)
    stripe_stub.complete_onboarding(account.stripe_account_id)

    report = _reconcile(app, "--fix")
    assert report.exit_code == 0
    assert "details_submitted False here, True at Stripe" in report.output and "[fixed]" in report.output
    assert db.session.get(StripeAccount, account.id).is_complete


def test_reconcile_leaves_what_it_cannot_repair_to_a_person(app, parties, make_invoice, login):
    invoice = make_invoice()
    pay(login(parties.payer), invoice.id)
    payment = db.session.execute(sa.select(Payment)).scalar_one()
    lost = make_invoice()
    db.session.execute(sa.update(Payment).where(Payment.id == payment.id).values(stripe_payment_intent_id="pi_unknown"))
    db.session.execute(sa.update(Invoice).where(Invoice.id == lost.id).values(status="paid", paid_via="stripe"))
    db.session.commit()

    report = _reconcile(app, "--fix")
    assert report.exit_code == 1
    assert f"invoice {invoice.id} payment pi_unknown: Stripe cannot find it" in report.output
    assert f"invoice {lost.id}: paid by card without a succeeded payment [needs a person]" in report.output
