import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.incubator import billing
from marketplace.incubator.models import KPIReport, MentorAssignment, Milestone
from marketplace.ip.licenses.models import License
from marketplace.payments.models import Invoice
from marketplace.payments.services import create_invoice
from tests.helpers import assert_problem

from .conftest import days_from_today


def _milestone(member, status, due_in):
    db.session.add(Milestone(member_id=member.id, title=f"{status} {due_in}", status=status,
                             due_on=days_from_today(due_in)))


def _report(member, start: date, end: date, revenue, funding, headcount, customers, burn):
    db.session.add(KPIReport(member_id=member.id, period_start=start, period_end=end, currency=member.currency,
                             revenue_amount=revenue, funding_raised_amount=funding, headcount=headcount,
                             customers=customers, burn_amount=burn))


def _license(university, startup, status="active", **terms):
    values = {"exclusivity": "exclusive", "fields": ["EN.STOR"], "territories": ["US", "EU"],
              "start_date": date(2026, 1, 1), "currency": "USD", "royalty_rate_bps": 250, "equity_bps": 100,
              "upfront_fee_amount": 1_000_000}
    values.update(terms)
    lic = License(licensor_id=university.id, licensee_id=startup.org.id, source_type="offer", status=status, **values)
    db.session.add(lic)
    return lic


@pytest.fixture
def hand_built(incubator, make_org, make_cohort, make_startup, make_member):
    """Two startups with known records, one withdrawn startup and a startup of another cohort."""
    cohort = make_cohort(incubator.org, status="running", window="closed", capacity=5)
    university = make_org("university", name="Northbridge University")
    alpha, beta = make_startup(name="Alpha Storage"), make_startup(name="Beta Grid")
    a, b = make_member(cohort, alpha), make_member(cohort, beta)
    gone = make_member(cohort, make_startup(name="Gone Inc"), status="withdrawn")
    elsewhere = make_member(make_cohort(incubator.org, status="running", window="closed"), make_startup(name="Else"))
    db.session.add(MentorAssignment(member_id=a.id, mentor_id=incubator.staff.id, assigned_at=a.joined_at))
    for status, due_in in (("done", -20), ("pending", 5), ("pending", -2), ("missed", -9)):
        _milestone(a, status, due_in)
    _milestone(b, "pending", 0)
    for m in (gone, elsewhere):
        _milestone(m, "pending", -3)
        _report(m, date(2026, 3, 1), date(2026, 3, 31), 9, 9, 9, 9, 9)
    _report(a, date(2026, 1, 1), date(2026, 1, 31), 80_000, 500_000, 2, 1, 40_000)
    _report(a, date(2026, 2, 1), date(2026, 2, 28), 100_000, 0, 3, 2, 50_000)
    _report(a, date(2026, 3, 1), date(2026, 3, 31), 150_000, 2_000_000, 5, 4, 70_000)
    _report(b, date(2026, 3, 1), date(2026, 3, 31), 10_000, 0, 2, 1, 20_000)
    active = _license(university, alpha)
    _license(university, beta, status="pending_payment", exclusivity="non_exclusive", equity_bps=0)
    _license(university, beta, status="draft")
    db.session.flush()
    # program fees: Alpha's paid, Beta's outstanding; the withdrawn startup's is not the cohort's concern
    for member in (a, b, gone):
        billing.issue_program_fee(db.session, member)
    _set(db.session.get(Invoice, a.fee_invoice_id), "paid")
    # licensing money: Alpha owes its upfront fee; Beta paid a milestone, partly refunded; a void one owes nothing
    _invoice(alpha, university, 1_000_000, "upfront_fee")
    _set(_invoice(beta, university, 50_000, "milestone"), "partially_refunded", refunded=10_000)
    _set(_invoice(beta, university, 99_999, "royalty"), "void")
    # not about the cohort: a sponsorship Alpha pays, a milestone to a university it holds no shown license of
    _invoice(alpha, university, 7_777, "sponsorship_tranche")
    _invoice(alpha, make_org("university"), 3_333, "milestone")
    db.session.commit()
    return cohort, a, b, active


def _invoice(startup, payee, amount, source, currency="USD"):
    return create_invoice(db.session, startup.org, payee, amount, currency, source, f"ref-{amount}",
                          f"{source} {amount}", days_from_today(30))


def _set(invoice, status, refunded=0):
    invoice.status, invoice.amount_refunded = status, refunded


def test_dashboard_numbers_match_a_hand_built_cohort(login, incubator, hand_built):
    cohort, a, b, active = hand_built
    response = login(incubator.manager).get(f"/api/v1/incubator/cohorts/{cohort.id}/dashboard")
    assert response.status_code == 200, response.json
    data = response.json
    assert data["cohort"]["id"] == cohort.id and data["currency"] == "EUR"
    assert [s["startup"]["name"] for s in data["startups"]] == ["Alpha Storage", "Beta Grid"]
    alpha, beta = data["startups"]
    assert alpha["milestones"] == {"total": 4, "done": 1, "due": 1, "overdue": 2, "missed": 1}
    assert beta["milestones"] == {"total": 1, "done": 0, "due": 1, "overdue": 0, "missed": 0}
    assert alpha["kpis"] == {
        "reports": 3,
        "period_start": "2026-03-01",
        "period_end": "2026-03-31",
        "latest": {"revenue_amount": 150_000, "funding_raised_amount": 2_000_000, "headcount": 5, "customers": 4,
                   "burn_amount": 70_000},
        "previous_period_end": "2026-02-28",
        "change": {"revenue_amount": 50_000, "funding_raised_amount": 2_000_000, "headcount": 2, "customers": 2,
                   "burn_amount": 20_000},
        "funding_raised_to_date": 2_500_000,
    }
    assert beta["kpis"]["change"] is None and beta["kpis"]["previous_period_end"] is None
    assert alpha["mentors"] == [{"id": incubator.staff.id, "name": incubator.staff.name}]
    assert (alpha["fee_amount"], alpha["equity_bps"], alpha["currency"]) == (250_000, 500, "EUR")
    [lic] = alpha["licenses"]
    assert lic["id"] == active.id and lic["licensor"]["name"] == "Northbridge University"
    assert (lic["exclusivity"], lic["fields"], lic["territories"], lic["royalty_rate_bps"], lic["equity_bps"]) == (
        "exclusive", ["EN.STOR"], ["US", "EU"], 250, 100)
    assert lic["payment"] == {"state": "outstanding", "currency": "USD", "paid_amount": 0,
                              "outstanding_amount": 1_000_000}
    assert [x["status"] for x in beta["licenses"]] == ["pending_payment"]
    assert beta["licenses"][0]["payment"] == {"state": "paid", "currency": "USD", "paid_amount": 40_000,
                                              "outstanding_amount": 0}
    assert alpha["invoices"] == [
        {"currency": "EUR", "paid_amount": 250_000, "outstanding_amount": 0, "paid_count": 1, "outstanding_count": 0},
        {"currency": "USD", "paid_amount": 0, "outstanding_amount": 1_000_000, "paid_count": 0,
         "outstanding_count": 1},
    ]
    assert beta["invoices"] == [
        {"currency": "EUR", "paid_amount": 0, "outstanding_amount": 250_000, "paid_count": 0, "outstanding_count": 1},
        {"currency": "USD", "paid_amount": 40_000, "outstanding_amount": 0, "paid_count": 1, "outstanding_count": 0},
    ]
    totals = data["totals"]
    assert totals["startups"] == 2
    assert totals["milestones"] == {"total": 5, "done": 1, "due": 2, "overdue": 2, "missed": 1}
    assert totals["kpis"] == {"reporting_startups": 2, "revenue_amount": 160_000, "headcount": 7, "customers": 5,
                              "burn_amount": 90_000, "funding_raised_to_date": 2_500_000}
    assert (totals["licenses"], totals["active_licenses"]) == (2, 1)
    assert totals["invoices"] == [
        {"currency": "EUR", "paid_amount": 250_000, "outstanding_amount": 250_000, "paid_count": 1,
         "outstanding_count": 1},
        {"currency": "USD", "paid_amount": 40_000, "outstanding_amount": 1_000_000, "paid_count": 1,
         "outstanding_count": 1},
    ]


def test_dashboard_csv_has_a_row_per_startup_and_totals(login, incubator, hand_built):
    cohort, *_ = hand_built
    response = login(incubator.staff).get(f"/api/v1/incubator/cohorts/{cohort.id}/dashboard.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f"cohort-{cohort.id}-dashboard.csv" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["startup"] for r in rows] == ["Alpha Storage", "Beta Grid", "TOTAL"]
    alpha, beta, total = rows
    assert (alpha["milestones_done"], alpha["milestones_due"], alpha["milestones_overdue"]) == ("1", "1", "2")
    assert (alpha["revenue_amount"], alpha["revenue_amount_change"], alpha["funding_raised_to_date"]) == (
        "150000", "50000", "2500000")
    assert alpha["kpi_period_end"] == "2026-03-31" and alpha["currency"] == "EUR"
    assert alpha["license_terms"].startswith("Northbridge University: exclusive; fields EN.STOR; territories US EU")
    assert "royalty 250 bps; equity 100 bps; active" in alpha["license_terms"]
    assert "payment outstanding" in alpha["license_terms"]
    assert (alpha["invoices_paid"], alpha["invoices_outstanding"]) == ("EUR 250000; USD 0", "EUR 0; USD 1000000")
    assert beta["revenue_amount_change"] == "" and beta["licenses"] == "1"
    assert (total["invoices_paid"], total["invoices_outstanding"]) == ("EUR 250000; USD 40000", "EUR 250000; USD 1000000")
    assert (total["revenue_amount"], total["headcount"], total["milestones_total"], total["licenses"]) == (
        "160000", "7", "5", "2")


def test_csv_cells_that_look_like_formulas_are_neutralised(login, incubator, make_cohort, make_startup, make_member):
    cohort = make_cohort(incubator.org, status="running", window="closed")
    make_member(cohort, make_startup(name="=HYPERLINK(\"http://evil\")"))
    text = login(incubator.manager).get(f"/api/v1/incubator/cohorts/{cohort.id}/dashboard.csv").get_data(as_text=True)
    row = list(csv.DictReader(io.StringIO(text)))[0]
    assert row["startup"] == "'=HYPERLINK(\"http://evil\")"


def test_dashboard_is_for_the_incubators_staff_only(login, make_user, incubator, hand_built, make_startup):
    cohort, a, *_ = hand_built
    member_startup = db.session.get(type(a), a.id).startup
    founder = member_startup.members[0]
    for user in (founder, make_user(kind="incubator"), make_user(kind="university")):
        client = login(user)
        assert_problem(client.get(f"/api/v1/incubator/cohorts/{cohort.id}/dashboard"), 404)
        assert_problem(client.get(f"/api/v1/incubator/cohorts/{cohort.id}/dashboard.csv"), 404)


# ---- the statement-count bound -----------------------------------------------------------------


def _populate(cohort, university, incubator, make_startup, make_member, n):
    for i in range(n):
        startup = make_startup(name=f"Startup {i:02d}")
        member = make_member(cohort, startup)
        db.session.add(MentorAssignment(member_id=member.id, mentor_id=incubator.staff.id, assigned_at=member.joined_at))
        _milestone(member, "done", -3)
        _milestone(member, "pending", 3)
        _report(member, date(2026, 1, 1), date(2026, 1, 31), 1, 2, 3, 4, 5)
        _report(member, date(2026, 2, 1), date(2026, 2, 28), 2, 3, 4, 5, 6)
        _license(university, startup)
        db.session.flush()
        billing.issue_program_fee(db.session, member)
        create_invoice(db.session, startup.org, university, 100, "USD", "royalty", f"r{member.id}", "Royalty",
                       days_from_today(30))
    db.session.commit()


def _count_statements(client, url) -> int:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200, response.json
    return len(statements), response


def test_dashboard_runs_the_same_bounded_number_of_statements_for_2_and_20_startups(
    login, incubator, make_org, make_cohort, make_startup, make_member
):
    university = make_org("university")
    small = make_cohort(incubator.org, status="running", window="closed", capacity=50)
    large = make_cohort(incubator.org, status="running", window="closed", capacity=50)
    _populate(small, university, incubator, make_startup, make_member, 2)
    _populate(large, university, incubator, make_startup, make_member, 20)
    client = login(incubator.manager)
    client.get(f"/api/v1/incubator/cohorts/{small.id}/dashboard")  # warm-up: same code paths loaded
    small_count, small_response = _count_statements(client, f"/api/v1/incubator/cohorts/{small.id}/dashboard")
    large_count, large_response = _count_statements(client, f"/api/v1/incubator/cohorts/{large.id}/dashboard")
    assert len(small_response.json["startups"]) == 2 and len(large_response.json["startups"]) == 20
    assert all(len(s["licenses"]) == 1 and s["kpis"]["change"] and len(s["invoices"]) == 2
               and s["licenses"][0]["payment"]["state"] == "outstanding" for s in large_response.json["startups"])
    assert small_count == large_count
    assert large_count <= 16
    csv_count, _ = _count_statements(client, f"/api/v1/incubator/cohorts/{large.id}/dashboard.csv")
    assert csv_count == large_count
