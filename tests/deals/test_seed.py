"""``flask seed-demo`` adds deals in every state through the real services, once."""

from __future__ import annotations

import sqlalchemy as sa

from marketplace.deals.inquiries.models import Inquiry, InquiryMessage
from marketplace.deals.ndas.models import NDARequest
from marketplace.deals.offers.models import Offer
from marketplace.deals.sponsorships.models import SponsorshipTranche
from marketplace.extensions import db
from marketplace.ip.licenses.models import License, RoyaltyReport


def deal_counts():
    models = (Inquiry, InquiryMessage, NDARequest, Offer, License, RoyaltyReport, SponsorshipTranche)
    return {m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in models}


def test_seed_demo_adds_deals_in_every_state_and_is_idempotent(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    counts = deal_counts()
    assert counts == {"Inquiry": 1, "InquiryMessage": 2, "NDARequest": 1, "Offer": 8, "License": 3,  # two from offers, one from the incubator seeder
                      "RoyaltyReport": 4, "SponsorshipTranche": 3}
    states = set(db.session.scalars(sa.select(Offer.status)))
    assert states == {"open", "accepted", "rejected", "withdrawn", "expired"}
    assert set(db.session.scalars(sa.select(License.status))) == {"active", "pending_payment"}
    assert db.session.scalar(sa.select(sa.func.sum(RoyaltyReport.true_up_amount))) > 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert deal_counts() == counts
