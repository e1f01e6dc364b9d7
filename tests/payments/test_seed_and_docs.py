"""Demo invoices from ``flask seed-demo`` and the payments part of the OpenAPI document."""

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.payments.models import Invoice, LedgerEntry


def test_seed_demo_creates_invoices_in_several_states_once(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    # other packages' seeders issue invoices too (incubator program fees): look at payments' own demo invoices
    demo = Invoice.source_ref.like("demo-%")
    states = dict(db.session.execute(sa.select(Invoice.source_ref, Invoice.status).where(demo)).all())
    assert states == {"demo-1": "open", "demo-2": "paid", "demo-3": "open", "demo-4": "void", "demo-5": "open"}
    yen = db.session.execute(sa.select(Invoice).where(Invoice.source_ref == "demo-3")).scalar_one()
    assert (yen.currency, yen.amount, yen.platform_fee_amount) == ("JPY", 500_000, 25_000)
    lines, invoices = db.session.query(LedgerEntry).count(), db.session.query(Invoice).count()

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    db.session.expire_all()
    assert db.session.query(Invoice).filter(demo).count() == 5 and db.session.query(LedgerEntry).count() == lines


def test_the_openapi_document_describes_paying_with_an_idempotency_key(client):
    spec = client.get("/api/v1/openapi.json").json
    pay = spec["paths"]["/api/v1/invoices/{invoice_id}/pay"]["post"]
    assert pay["summary"].startswith("Start (or resume) paying the invoice by card")
    assert {"in": "header", "name": "Idempotency-Key"}.items() <= next(
        p for p in pay["parameters"] if p["name"] == "Idempotency-Key").items()
    assert "/api/v1/payments/stripe/webhook" in spec["paths"]
    assert spec["paths"]["/api/v1/admin/payouts"]["post"]["summary"]
