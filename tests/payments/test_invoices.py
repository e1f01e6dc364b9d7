"""Issuing invoices (the public API other packages call), the platform fee, and who sees what."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from marketplace.core.audit import AuditEvent
from marketplace.core.errors import ValidationFailed
from marketplace.extensions import db
from marketplace.notifications.models import Notification
from marketplace.payments.models import Invoice
from marketplace.payments.services import create_invoice, find_invoices, platform_fee
from tests.helpers import assert_problem, outbox


@pytest.mark.parametrize(
    ("amount", "bps", "fee"),
    [
        (10_000, 500, 500),
        (1_010, 250, 25),  # 25.25 rounds down
        (1_020, 250, 26),  # 25.5 rounds half up
        (999, 250, 25),  # 24.975
        (1, 5_000, 1),  # 0.5 rounds up, and equals the amount
        (7, 10_000, 7),  # never more than the amount
        (12_345, 0, 0),
    ],
)
def test_platform_fee_is_rounded_half_up_and_never_above_the_amount(amount, bps, fee):
    assert platform_fee(amount, bps) == fee
    assert 0 <= platform_fee(amount, bps) <= amount


def test_create_invoice_uses_the_configured_fee_and_notifies_the_payer(app, parties, make_invoice):
    app.config["PLATFORM_FEE_BPS"] = 250
    invoice = make_invoice(amount=1_020, currency="USD", source="royalty", source_ref=42)

    assert (invoice.status, invoice.platform_fee_bps, invoice.platform_fee_amount, invoice.payee_amount) == (
        "open", 250, 26, 994)
    assert invoice.source_ref == "42"
    assert find_invoices(db.session, "royalty", 42) == [invoice]
    assert {e.to_address for e in outbox(category="invoice_issued")} == {parties.payer.email, parties.payer_member.email}
    assert db.session.query(Notification).filter_by(kind="invoice_issued").count() == 2
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "invoice.create")).scalar_one()
    assert event.changes["platform_fee_amount"] == 26 and event.object_id == str(invoice.id)


def test_zero_decimal_currency_amounts_are_whole_units(parties, make_invoice, login):
    invoice = make_invoice(amount=999, currency="JPY", platform_fee_bps=250)
    body = login(parties.payer).get(f"/api/v1/invoices/{invoice.id}").json
    assert (body["amount"], body["currency"], body["platform_fee_amount"], body["payee_amount"]) == (999, "JPY", 25, 974)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": 10.5}, "amount"),
        ({"amount": True}, "amount"),
        ({"currency": "EURO"}, "currency"),
        ({"currency": "eur"}, "currency"),
        ({"source": "gift"}, "source"),
        ({"description": "  "}, "description"),
        ({"platform_fee_bps": 10_001}, "platform_fee_bps"),
    ],
)
def test_invalid_invoices_are_refused_with_the_field_named(parties, overrides, field):
    values = dict(payer_org=parties.payer_org, payee_org=parties.payee_org, amount=100, currency="EUR",
                  source="milestone", source_ref="m-1", description="Milestone", due_date=date(2030, 1, 1))
    values.update(overrides)
    with pytest.raises(ValidationFailed) as caught:
        create_invoice(db.session, **values)
    assert field in caught.value.errors
    assert db.session.query(Invoice).count() == 0


def test_an_organization_cannot_invoice_itself(parties):
    with pytest.raises(ValidationFailed) as caught:
        create_invoice(db.session, parties.payer_org, parties.payer_org.id, 100, "EUR", "milestone", "m", "x",
                       date(2030, 1, 1))
    assert "payer" in caught.value.errors


def test_payer_and_payee_members_see_the_invoice_and_others_get_404(parties, make_invoice, login, admin_client, client):
    invoice = make_invoice()
    for person in (parties.payer, parties.payer_member, parties.payee, parties.payee_member):
        response = login(person).get(f"/api/v1/invoices/{invoice.id}")
        assert response.status_code == 200
        assert response.json["payer"]["id"] == parties.payer_org.id and response.json["amount"] == 10_000
    assert admin_client.get(f"/api/v1/invoices/{invoice.id}").status_code == 200
    assert_problem(login(parties.outsider).get(f"/api/v1/invoices/{invoice.id}"), 404)
    assert_problem(login(parties.outsider).get("/api/v1/invoices/999999"), 404)
    assert_problem(client.get(f"/api/v1/invoices/{invoice.id}"), 401)
    assert login(parties.outsider).get("/api/v1/invoices").json["total"] == 0


def test_invoice_lists_filter_by_status_source_role_counterparty_currency_and_due_date(
    parties, make_invoice, make_org, login, admin_client
):
    other_uni = make_org("university")
    today = date.today()
    first = make_invoice(source="royalty", due_date=today + timedelta(days=5))
    second = make_invoice(currency="USD", source="milestone", due_date=today + timedelta(days=40))
    third = make_invoice(payee_org=other_uni, due_date=today + timedelta(days=60))
    # The payee invoices the payer's counterparty in the other direction too.
    reverse = make_invoice(payer_org=parties.payee_org, payee_org=parties.payer_org, source="program_fee",
                           due_date=today + timedelta(days=90))
    payer = login(parties.payer)

    def ids(query=""):
        body = payer.get(f"/api/v1/invoices{query}").json
        return [item["id"] for item in body["items"]], body["total"]

    assert ids() == ([reverse.id, third.id, second.id, first.id], 4)
    assert ids("?role=payer") == ([third.id, second.id, first.id], 3)
    assert ids("?role=payee") == ([reverse.id], 1)
    assert ids("?source=royalty") == ([first.id], 1)
    assert ids("?currency=usd") == ([second.id], 1)
    assert ids(f"?counterparty_id={other_uni.id}") == ([third.id], 1)
    assert ids(f"?counterparty_id={parties.payee_org.id}&role=payer") == ([second.id, first.id], 2)
    assert ids(f"?due_after={today + timedelta(days=10)}&due_before={today + timedelta(days=45)}") == ([second.id], 1)
    assert ids("?status=paid") == ([], 0)
    page = payer.get("/api/v1/invoices?page=2&page_size=3").json
    assert (page["total"], page["pages"], [i["id"] for i in page["items"]]) == (4, 2, [first.id])
    assert_problem(payer.get("/api/v1/invoices?status=lost"), 422, "status")
    # The other university sees only its own invoice; an admin sees every invoice.
    assert login(parties.payee).get("/api/v1/invoices").json["total"] == 3
    assert admin_client.get("/api/v1/invoices").json["total"] == 4


def test_the_invoice_shows_how_card_money_would_reach_the_payee(parties, make_invoice, login, connect_payee, make_org):
    invoice = make_invoice()
    payer = login(parties.payer)
    card = payer.get(f"/api/v1/invoices/{invoice.id}").json["card_payment"]
    assert card == {"available": True, "route": "platform", "reason": None}

    account = connect_payee(payouts_enabled=False, charges_enabled=True, details_submitted=True)
    card = payer.get(f"/api/v1/invoices/{invoice.id}").json["card_payment"]
    assert card["available"] is False and card["route"] is None and "payouts" in card["reason"]

    account.payouts_enabled = True
    db.session.commit()
    assert payer.get(f"/api/v1/invoices/{invoice.id}").json["card_payment"] == {
        "available": True, "route": "connect", "reason": None}

    unverified = make_org("university", verified=False)
    other = make_invoice(payee_org=unverified)
    card = payer.get(f"/api/v1/invoices/{other.id}").json["card_payment"]
    assert card["available"] is False and "not verified" in card["reason"]
