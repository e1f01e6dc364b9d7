import sqlalchemy as sa

from marketplace.core.audit import AuditEvent
from marketplace.extensions import db
from marketplace.incubator import billing
from marketplace.incubator.models import CohortMember
from marketplace.payments.models import Invoice
from tests.helpers import outbox

from .conftest import days_from_today


def test_starting_a_cohort_invoices_each_members_program_fee_through_payments(login, incubator, make_cohort,
                                                                              make_startup, make_member):
    cohort = make_cohort(incubator.org, status="selecting", window="closed")
    alpha, beta = make_startup(), make_startup()
    a, b = make_member(cohort, alpha), make_member(cohort, beta)
    response = login(incubator.manager).post(f"/api/v1/incubator/cohorts/{cohort.id}/start")
    assert response.status_code == 200, response.json
    invoices = db.session.execute(sa.select(Invoice).order_by(Invoice.id)).scalars().all()
    assert [(i.payer_organization_id, i.payee_organization_id, i.amount, i.currency, i.source, i.source_ref, i.status)
            for i in invoices] == [
        (alpha.org.id, incubator.org.id, 250_000, "EUR", "program_fee", str(a.id), "open"),
        (beta.org.id, incubator.org.id, 250_000, "EUR", "program_fee", str(b.id), "open"),
    ]
    assert invoices[0].due_date == days_from_today(30)
    assert [db.session.get(CohortMember, m.id).fee_invoice_id for m in (a, b)] == [i.id for i in invoices]
    assert outbox(to=alpha.founder.email)  # payments tells the payer
    start = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "cohort.start")).scalar_one()
    assert start.changes["fee_invoice_ids"] == [i.id for i in invoices]


def test_a_free_program_issues_no_invoice_and_a_fee_is_invoiced_once(app, incubator, make_cohort, make_program,
                                                                     make_startup, make_member):
    free = make_cohort(incubator.org, status="running", window="closed",
                       program=make_program(incubator.org, fee_amount=0))
    assert billing.issue_program_fee(db.session, make_member(free, make_startup())) is None
    paid = make_cohort(incubator.org, status="running", window="closed")
    member = make_member(paid, make_startup())
    first = billing.issue_program_fee(db.session, member)
    member.fee_invoice_id = None  # even when the pointer is lost, payments' record prevents a second invoice
    assert billing.issue_program_fee(db.session, member) == first
    assert db.session.query(Invoice).count() == 1


def test_member_sees_its_program_fee_invoices(login, incubator, make_cohort, make_startup, make_member):
    cohort = make_cohort(incubator.org, status="running", window="closed")
    startup = make_startup()
    member = make_member(cohort, startup)
    billing.issue_program_fee(db.session, member)
    db.session.commit()
    listed = login(startup.member).get(f"/api/v1/incubator/members/{member.id}/invoices").json
    assert [(i["amount"], i["currency"], i["status"]) for i in listed] == [(250_000, "EUR", "open")]
    assert listed[0]["description"] == "Deep Tech Accelerator, Spring: program fee"
