"""Licenses and money, end to end through the payments service: the upfront fee activates the
license when paid, royalty reports with the minimum true-up, milestone invoices, what is paid,
outstanding and overdue, termination and expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.core.audit import AuditEvent
from marketplace.extensions import db
from marketplace.ip.licenses import royalties
from marketplace.ip.licenses.models import License, LicenseMilestone, RoyaltyReport
from marketplace.payments.models import Invoice
from tests.deals.conftest import days, license_terms, deal_listing, make_offer, today, world  # noqa: F401  (fixtures)
from tests.helpers import assert_problem, outbox


def accept(world, **terms):
    offer = make_offer(world, terms=license_terms(world, **terms))
    assert offer.status_code == 201, offer.json
    accepted = world.uni.post(f"/api/v1/offers/{offer.json['id']}/accept")
    assert accepted.status_code == 200, accepted.json
    return db.session.get(License, accepted.json["license_id"])


def settle(world, invoice_id: int):
    response = world.uni.post(f"/api/v1/invoices/{invoice_id}/settle",
                              json={"reference": f"BANK-{invoice_id}", "settled_on": today().isoformat()})
    assert response.status_code == 200, response.json
    return response


def report(world, license, period_start, *lines, client=None):
    body = {"period_start": period_start.isoformat(),
            "lines": [{"territory": t, "net_sales_amount": sales, "units": units} for t, sales, units in lines]}
    return (client or world.buyer_staff).post(f"/api/v1/licenses/{license.id}/royalty-reports", json=body)


# ---- the upfront fee ------------------------------------------------------------------------------


def test_upfront_fee_is_invoiced_and_paying_it_activates_the_license(world):
    license = accept(world, upfront_fee_amount=25_000_00)
    assert license.status == "pending_payment" and license.activated_at is None
    invoice = db.session.get(Invoice, license.upfront_invoice_id)
    assert (invoice.amount, invoice.currency, invoice.source, invoice.due_date) == (25_000_00, "USD", "upfront_fee", today())
    assert (invoice.payer_organization_id, invoice.payee_organization_id) == (world.company.id, world.university.id)

    settle(world, invoice.id)
    db.session.expire_all()
    license = db.session.get(License, license.id)
    assert license.status == "active" and license.activated_at is not None
    assert outbox(to=world.company_manager.email, category="license_activated")
    listed = world.buyer.get(f"/api/v1/licenses/{license.id}").json
    assert listed["money"]["paid_amount"] == 25_000_00 and listed["money"]["outstanding_amount"] == 0


@pytest.mark.parametrize("fee", [1000, 0], ids=["with upfront fee", "active at once"])
def test_accepting_an_offer_that_conflicts_with_a_license_awaiting_payment_is_refused(world, make_user, login, fee):
    first = accept(world, upfront_fee_amount=1000)
    assert first.status == "pending_payment"
    rival = login(make_user(kind="company"))
    offer = make_offer(world, terms=license_terms(world, upfront_fee_amount=fee), client=rival).json

    body = assert_problem(world.uni.post(f"/api/v1/offers/{offer['id']}/accept"), 409)
    assert body["type"].endswith("/license-conflict")
    assert "awaiting payment" in body["detail"] and str(first.id) in body["detail"]  # the university sees which
    assert body["conflicts"][0]["license_id"] == first.id
    assert (body["conflicts"][0]["fields"], body["conflicts"][0]["territories"]) == (["LS.DIAG"], ["US"])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(License)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invoice)) == 1
    assert world.uni.get(f"/api/v1/offers/{offer['id']}").json["status"] == "open"
    # what a license awaiting payment holds is shown as taken
    taken = world.anonymous.get(f"/api/v1/listings/{world.listing.id}/availability").json["taken"]
    assert [(t["fields"], t["territories"]) for t in taken] == [(["LS.DIAG"], ["US"])]

    # once the university ended the first license, the rival's offer can be accepted
    world.uni.post(f"/api/v1/licenses/{first.id}/terminate", json={"reason": "Never paid"})
    accepted = world.uni.post(f"/api/v1/offers/{offer['id']}/accept")
    assert accepted.status_code == 200, accepted.json


def _pending_license_made_before_the_rule(world, licensee, fee: int) -> License:
    """A second license pending payment on the same terms, as acceptances made before the rule could leave."""
    from marketplace.ip.licenses import billing

    lic = License(licensor_id=world.university.id, licensee_id=licensee.id, source_type="offer", status="pending_payment",
                  exclusivity="exclusive", fields=["LS.DIAG"], territories=["US"], start_date=today(),
                  end_date=today() + timedelta(days=3000), currency="USD", upfront_fee_amount=fee)
    lic.assets = list(world.assets)
    db.session.add(lic)
    db.session.flush()
    lic.upfront_invoice_id = billing.invoice_upfront_fee(db.session, lic)
    db.session.commit()
    return lic


def test_a_bank_transfer_for_a_license_that_can_no_longer_start_leaves_it_pending_and_tells_both_sides(
    world, make_user
):
    first = accept(world, upfront_fee_amount=1000)
    second = _pending_license_made_before_the_rule(world, make_user(kind="company").organization, 1000)
    settle(world, first.upfront_invoice_id)
    settle(world, second.upfront_invoice_id)  # the transfer happened outside the platform...
    db.session.expire_all()
    assert db.session.get(License, first.id).status == "active"
    assert db.session.get(License, second.id).status == "pending_payment"  # ...the license does not activate
    assert db.session.get(Invoice, second.upfront_invoice_id).status == "paid"
    blocked = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "license.activation_blocked")).one()
    assert blocked.changes["conflicts"][0]["license_id"] == first.id
    told = outbox(to=world.uni_manager.email, category="license_activation_blocked")
    assert told and "return the bank transfer" in told[0].body


def test_voiding_the_unpaid_upfront_invoice_terminates_the_pending_license(world, admin_client):
    license = accept(world, upfront_fee_amount=1000)
    voided = admin_client.post(f"/api/v1/invoices/{license.upfront_invoice_id}/void", json={"reason": "Deal off"})
    assert voided.status_code == 200, voided.json
    db.session.expire_all()
    license = db.session.get(License, license.id)
    assert license.status == "terminated" and "voided" in license.termination_reason


def test_accepting_an_offer_that_conflicts_now_is_refused_even_when_payment_is_still_due(world, make_user, login):
    accept(world)
    rival = login(make_user(kind="company"))
    offer = make_offer(world, terms=license_terms(world, upfront_fee_amount=1000), client=rival).json
    assert_problem(world.uni.post(f"/api/v1/offers/{offer['id']}/accept"), 409)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invoice)) == 0


# ---- royalty reports --------------------------------------------------------------------------------


@pytest.fixture
def royalty_license(world):
    """Five per cent on net sales, a minimum of 10,000.00 a year, quarterly reports; started 14 months ago."""
    start = royalties.add_months(today(), -14)
    return accept(world, start_date=start.isoformat(), royalty_rate_bps=500,
                  minimum_annual_royalty_amount=10_000_00, territories=["US", "CA"])


def test_royalty_reports_invoice_rate_times_net_sales_and_true_up_the_minimum_at_year_end(world, royalty_license):
    lic = royalty_license
    quarters = royalties.reporting_periods(lic.start_date, None, "quarterly", today())
    q1, q2, q3, q4 = quarters[:4]
    first = report(world, lic, q1.start, ("US", 15_000_00, 120), ("CA", 5_000_00, 40))
    assert first.status_code == 201, first.json
    body = first.json
    assert (body["net_sales_amount"], body["units"], body["royalty_amount"]) == (20_000_00, 160, 1_000_00)
    assert (body["period_end"], body["true_up_amount"]) == (q1.end.isoformat(), 0)
    royalty_invoice = db.session.get(Invoice, body["invoice_id"])
    assert (royalty_invoice.amount, royalty_invoice.source) == (1_000_00, "royalty")
    assert royalty_invoice.due_date == today() + timedelta(days=30)
    assert outbox(to=world.uni_manager.email, category="royalty_report")

    # a quarter reported out of order does not close the year; the last missing one does
    assert report(world, lic, q4.start, ("US", 20_000_00, 100)).json["true_up_amount"] == 0
    assert report(world, lic, q2.start, ("US", 20_000_00, 100)).json["true_up_amount"] == 0
    closing = report(world, lic, q3.start, ("CA", 333, 1)).json
    assert closing["royalty_amount"] == 17  # 333 x 5% = 16.65 -> 17, half-up
    # year: 1,000.00 + 1,000.00 + 1,000.00 + 0.17 = 3,000.17 of royalties; the minimum is 10,000.00
    assert closing["true_up_amount"] == 6_999_83
    true_up = db.session.get(Invoice, closing["true_up_invoice_id"])
    assert (true_up.amount, true_up.source, true_up.payer_organization_id) == (6_999_83, "royalty", world.company.id)
    assert "true-up" in true_up.description
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "royalty_report.true_up")).one()
    assert event.changes["royalties"] == 3_000_17

    money = world.uni.get(f"/api/v1/licenses/{lic.id}").json["money"]
    assert money["invoiced_amount"] == 3_000_17 + 6_999_83 and money["outstanding_amount"] == 10_000_00


def test_a_year_above_the_minimum_needs_no_true_up(world, royalty_license):
    lic = royalty_license
    for quarter in royalties.reporting_periods(lic.start_date, None, "quarterly", today())[:4]:
        last = report(world, lic, quarter.start, ("US", 100_000_00, 10)).json
    assert last["true_up_amount"] == 0 and last["true_up_invoice_id"] is None


def test_royalty_report_rules(world, royalty_license):
    lic = royalty_license
    quarters = royalties.reporting_periods(lic.start_date, None, "quarterly", today())
    assert_problem(report(world, lic, quarters[0].start, ("DE", 100, 1)), 422, "lines")
    assert_problem(report(world, lic, quarters[0].start, ("US", 100, 1), ("US", 5, 1)), 422, "lines")
    assert_problem(report(world, lic, quarters[0].start + timedelta(days=1), ("US", 100, 1)), 422, "period_start")
    assert_problem(report(world, lic, quarters[-1].start, ("US", 100, 1)), 422, "period_start")  # not over yet
    assert_problem(report(world, lic, quarters[0].start, ("US", 100, 1), client=world.uni), 403)
    assert_problem(report(world, lic, quarters[0].start, ("US", 100, 1), client=world.third), 404)
    nil = report(world, lic, quarters[0].start)
    assert nil.status_code == 201 and nil.json["royalty_amount"] == 0 and nil.json["invoice_id"] is None
    assert_problem(report(world, lic, quarters[0].start, ("US", 100, 1)), 409)


def test_late_reports_are_listed_for_the_university(world, royalty_license):
    lic = royalty_license
    quarters = royalties.reporting_periods(lic.start_date, None, "quarterly", today())
    overdue = [q for q in quarters if q.due_date < today()]
    assert report(world, lic, overdue[0].start, ("US", 1000, 1)).json["is_late"] is True
    late = world.uni.get("/api/v1/licenses/late-royalty-reports").json
    assert [(r["period_start"], r["report_id"] is None) for r in late] == (
        [(overdue[0].start.isoformat(), False)] + [(q.start.isoformat(), True) for q in overdue[1:]])
    assert late[1]["days_late"] == (today() - overdue[1].due_date).days
    assert world.third.get("/api/v1/licenses/late-royalty-reports").json == []


# ---- milestones -------------------------------------------------------------------------------------


@pytest.fixture
def milestone_license(world):
    return accept(world, milestones=[
        {"name": "First patient dosed", "amount": 50_000_00, "trigger": "First patient dosed in a phase I trial"},
        {"name": "Second anniversary", "amount": 10_000_00, "due_date": days(-3)},
        {"name": "Fifth anniversary", "amount": 20_000_00, "due_date": days(700)},
    ])


def test_licensee_reaches_a_milestone_with_evidence_and_the_university_confirms_and_invoices(world, milestone_license):
    lic = milestone_license
    event = lic.milestones[0]
    base = f"/api/v1/licenses/{lic.id}/milestones/{event.id}"
    assert_problem(world.buyer_staff.post(f"{base}/reach", json={}), 422, "evidence")
    reached = world.buyer_staff.post(f"{base}/reach", json={"evidence": "Trial registry entry NCT0000"})
    assert reached.status_code == 200 and reached.json["status"] == "reached"
    assert outbox(to=world.uni_manager.email, category="milestone_reached")
    assert_problem(world.buyer.post(f"{base}/confirm"), 403)
    assert_problem(world.uni_staff.post(f"{base}/confirm"), 403)  # managers confirm
    confirmed = world.uni.post(f"{base}/confirm")
    assert confirmed.status_code == 200 and confirmed.json["status"] == "invoiced"
    invoice = db.session.get(Invoice, confirmed.json["invoice_id"])
    assert (invoice.amount, invoice.source, invoice.due_date) == (50_000_00, "milestone", today() + timedelta(days=30))
    assert outbox(to=world.company_manager.email, category="milestone_invoiced")
    assert_problem(world.uni.post(f"{base}/confirm"), 409)


def test_university_may_confirm_an_event_milestone_nobody_reported(world, milestone_license):
    event = milestone_license.milestones[0]
    confirmed = world.uni.post(f"/api/v1/licenses/{milestone_license.id}/milestones/{event.id}/confirm")
    assert confirmed.status_code == 200 and confirmed.json["invoice_id"]


def test_dated_milestones_are_invoiced_when_due_by_the_nightly_job(app, world, milestone_license):
    lic = milestone_license
    dated = lic.milestones[1]
    assert_problem(world.buyer.post(f"/api/v1/licenses/{lic.id}/milestones/{dated.id}/reach",
                                    json={"evidence": "It is the date"}), 409)
    runner = app.test_cli_runner()
    assert "1 milestone(s) invoiced" in runner.invoke(args=["licenses", "invoice-milestones"]).output
    assert "0 milestone(s) invoiced" in runner.invoke(args=["licenses", "invoice-milestones"]).output
    db.session.expire_all()
    due = db.session.get(LicenseMilestone, dated.id)
    invoice = db.session.get(Invoice, due.invoice_id)
    assert due.status == "invoiced" and (invoice.amount, invoice.due_date) == (10_000_00, today() - timedelta(days=3))
    assert db.session.get(LicenseMilestone, lic.milestones[2].id).status == "pending"
    money = world.buyer.get(f"/api/v1/licenses/{lic.id}").json["money"]
    assert money["overdue_amount"] == 10_000_00 and money["outstanding_amount"] == 10_000_00


# ---- lists with money, termination, expiry ----------------------------------------------------------


def test_license_lists_show_paid_outstanding_and_overdue_for_both_sides(app, world, milestone_license):
    lic = milestone_license
    app.test_cli_runner().invoke(args=["licenses", "invoice-milestones"])
    confirmed = world.uni.post(f"/api/v1/licenses/{lic.id}/milestones/{lic.milestones[0].id}/confirm").json
    settle(world, confirmed["invoice_id"])
    for client, role in ((world.uni, "licensor"), (world.buyer_staff, "licensee")):
        page = client.get(f"/api/v1/licenses?role={role}").json
        assert page["total"] == 1
        money = page["items"][0]["money"]
        assert (money["paid_amount"], money["outstanding_amount"], money["overdue_amount"]) == (
            50_000_00, 10_000_00, 10_000_00)
    assert world.buyer.get("/api/v1/licenses?role=licensor").json["total"] == 0
    assert world.third.get("/api/v1/licenses").json["total"] == 0
    assert_problem(world.third.get(f"/api/v1/licenses/{lic.id}"), 404)


def test_university_terminates_a_license_with_a_reason_and_date(world):
    lic = accept(world)
    url = f"/api/v1/licenses/{lic.id}/terminate"
    assert_problem(world.buyer.post(url, json={"reason": "We stop"}), 403)
    assert_problem(world.third.post(url, json={"reason": "x"}), 404)
    assert_problem(world.uni.post(url, json={"reason": "x", "effective_on": days(5)}), 422, "effective_on")
    done = world.uni.post(url, json={"reason": "Unpaid royalties", "effective_on": days(-2)})
    assert done.status_code == 200, done.json
    assert done.json["status"] == "terminated" and done.json["termination_date"] == days(-2)
    assert done.json["termination_reason"] == "Unpaid royalties"
    assert outbox(to=world.company_manager.email, category="license_terminated")
    assert_problem(world.uni.post(url, json={"reason": "again"}), 409)
    # the rights are free again
    availability = world.anonymous.get(f"/api/v1/listings/{world.listing.id}/availability").json
    assert availability["taken"] == []


def test_licenses_past_their_end_expire_with_the_nightly_command(app, world):
    lic = accept(world, start_date=days(-800), end_date=days(-1))
    runner = app.test_cli_runner()
    assert "1 license(s) expired" in runner.invoke(args=["licenses", "expire"]).output
    assert "0 license(s) expired" in runner.invoke(args=["licenses", "expire"]).output
    db.session.expire_all()
    assert db.session.get(License, lic.id).status == "expired"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RoyaltyReport)) == 0


def test_an_express_license_counts_its_invoice_in_the_license_money_and_listing_stats(world, deal_listing):
    express = {"fields": ["LS.DIAG"], "territories": ["US"], "price_amount": 2_500_00, "currency": "USD",
               "term_months": 12, "terms": "Standard non-exclusive license."}
    listing = deal_listing(world.university, express_license=express, opportunity_types=["license"])
    bought = world.buyer.post(f"/api/v1/listings/{listing.id}/express-license/purchase")
    assert bought.status_code == 201, bought.json
    license_id, invoice_id = bought.json["license"]["id"], bought.json["invoice"]["id"]
    assert world.uni.get(f"/api/v1/licenses/{license_id}").json["money"]["outstanding_amount"] == 2_500_00
    settle(world, invoice_id)
    assert world.buyer.get(f"/api/v1/licenses/{license_id}").json["money"]["paid_amount"] == 2_500_00
    stats = world.uni.get(f"/api/v1/listings/{listing.id}/stats").json
    assert stats["licenses"]["active"] == 1 and stats["money_received"][0]["paid_amount"] == 2_500_00
