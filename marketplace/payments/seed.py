"""Demo invoices in several states (``flask seed-demo``; runs after the accounts seeder)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from marketplace.accounts.models import Organization, User
from marketplace.accounts.seed import DEMO_ADMIN
from marketplace.core.db import utcnow
from marketplace.payments.services import create_invoice, find_invoices, settle_manually, void_invoice

#: (source_ref, payer slug, payee slug, amount, currency, source, description, then)
DEMO_INVOICES = [
    ("demo-1", "helix-biologics", "northbridge-university", 2_500_000, "USD", "express_license",
     "Express license: CRISPR delivery vector (non-exclusive, 3 years)", None),
    ("demo-2", "voltaic-materials", "th-rheinland", 1_200_000, "EUR", "upfront_fee",
     "Upfront fee: solid-state electrolyte license", ("settle", "transfer@th-rheinland.de", "SEPA-2026-0042")),
    ("demo-3", "quantaleaf", "kyoto-institute-of-materials", 500_000, "JPY", "milestone",
     "Milestone 1: prototype photonic leaf sensor", None),
    ("demo-4", "neuroloop-labs", "northbridge-university", 87_500, "USD", "royalty",
     "Royalty report Q1: closed-loop neurostimulation", ("void", DEMO_ADMIN[0], "Issued twice by mistake")),
    ("demo-5", "neuroloop-labs", "harbor-deep-tech", 300_000, "USD", "program_fee",
     "Harbor Deep Tech spring cohort: program fee", None),
]


def seed_invoices(session) -> None:
    """Create the demo invoices unless they exist."""
    orgs = {o.slug: o for o in session.execute(sa.select(Organization)).scalars()}
    today = utcnow().date()
    for ref, payer, payee, amount, currency, source, description, then in DEMO_INVOICES:
        if find_invoices(session, source, ref) or payer not in orgs or payee not in orgs:
            continue
        invoice = create_invoice(
            session, orgs[payer], orgs[payee], amount, currency, source, ref, description, today + timedelta(days=30)
        )
        if then is None:
            continue
        action, email, text = then
        person = session.execute(sa.select(User).where(User.email == email)).scalar_one()
        if action == "settle":
            settle_manually(session, person, invoice.id, reference=text, settled_on=today - timedelta(days=2))
        else:
            void_invoice(session, person, invoice.id, text)
    session.flush()
