"""Sponsored-research agreements: made when a sponsorship offer is accepted, each tranche invoiced."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from marketplace.core import audit
from marketplace.core.db import utcnow
from marketplace.core.errors import NotFound
from marketplace.core.pagination import Page, paginate
from marketplace.deals import billing
from marketplace.deals.sponsorships.models import SponsorshipAgreement, SponsorshipTranche
from marketplace.ip.licenses.royalties import add_months


def create_from_offer(session, offer, terms: dict) -> SponsorshipAgreement:
    """The agreement on the accepted terms, with one invoice per tranche due on its date."""
    start = terms["start_date"]
    agreement = SponsorshipAgreement(
        offer_id=offer.id,
        listing_id=offer.listing_id,
        university_id=offer.university_id,
        sponsor_id=offer.company_id,
        currency=terms["currency"],
        total_amount=terms["total_amount"],
        start_date=start,
        end_date=add_months(start, terms["duration_months"]) - timedelta(days=1),
        deliverables=list(terms["deliverables"]),
        ip_ownership=terms["ip_ownership"],
        ip_terms=terms.get("ip_terms"),
    )
    agreement.tranches = [
        SponsorshipTranche(number=n, due_date=t["due_date"], amount=t["amount"])
        for n, t in enumerate(terms["tranches"], start=1)
    ]
    session.add(agreement)
    session.flush()
    today = utcnow().date()
    for tranche in agreement.tranches:
        tranche.invoice_id = billing.invoice_tranche(session, agreement, tranche, today)
    session.flush()
    audit.record(
        session,
        "sponsorship.create",
        agreement,
        changes={
            "offer_id": offer.id,
            "total_amount": agreement.total_amount,
            "currency": agreement.currency,
            "tranches": [{"due_date": t.due_date, "amount": t.amount, "invoice_id": t.invoice_id}
                         for t in agreement.tranches],
        },
    )
    return agreement


def _with_money(session, agreements: list[SponsorshipAgreement]) -> list[SponsorshipAgreement]:
    owners = {a.id: (a.currency, [t.invoice_id for t in a.tranches]) for a in agreements}
    summaries = billing.summarize(session, owners, utcnow().date())
    for agreement in agreements:
        agreement.money = summaries[agreement.id]
    return agreements


def list_agreements(session, user, *, role=None, listing_id=None, page=1, page_size=20) -> Page:
    """Agreements the caller's organization funds or performs, newest first, with paid/outstanding/overdue."""
    org = user.organization_id
    sides = {"sponsor": SponsorshipAgreement.sponsor_id == org, "university": SponsorshipAgreement.university_id == org}
    stmt = sa.select(SponsorshipAgreement).where(sides[role] if role else sa.or_(*sides.values()))
    if listing_id is not None:
        stmt = stmt.where(SponsorshipAgreement.listing_id == listing_id)
    result = paginate(session, stmt.order_by(SponsorshipAgreement.id.desc()), page, page_size)
    _with_money(session, list(result.items))
    return result


def get_agreement(session, user, agreement_id: int) -> SponsorshipAgreement:
    agreement = session.get(SponsorshipAgreement, agreement_id)
    if agreement is None or user.organization_id not in (agreement.sponsor_id, agreement.university_id):
        raise NotFound("No such sponsorship agreement.")
    return _with_money(session, [agreement])[0]
