"""Demo deals (``flask seed-demo``, after the accounts, listings and invoices seeders): inquiries,
an NDA, offers in every state, licenses with milestones and royalty reports, and a sponsorship with
tranches, all made through the real services. Idempotent: a scenario whose listing and company
already deal with each other is left as it is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from marketplace.accounts.models import Organization, User
from marketplace.core.concurrency import etag
from marketplace.core.db import utcnow
from marketplace.deals.inquiries import services as inquiries
from marketplace.deals.inquiries.models import Inquiry
from marketplace.deals.ndas import services as ndas
from marketplace.deals.ndas.models import ConfidentialDetails, NDARequest
from marketplace.deals.offers import services as offers
from marketplace.deals.offers.models import Offer
from marketplace.ip.licenses import reports, royalties
from marketplace.ip.licenses.models import License
from marketplace.listings.models import Listing
from marketplace.payments.api import invoices_by_id, settle_manually

CURRENCY = {"US": "USD", "DE": "EUR", "PT": "EUR", "JP": "JPY", "NL": "EUR", "GB": "GBP"}
#: a unit of money in minor units: 1.00 in USD/EUR, 1 in JPY
UNIT = {"USD": 100, "EUR": 100, "GBP": 100, "JPY": 1}


@dataclass(frozen=True)
class Cast:
    """The demo people who act in the scenarios, by email."""

    people: dict[str, User]
    orgs: dict[str, Organization]

    def __getitem__(self, email: str) -> User:
        return self.people[email]


def _cast(session) -> Cast | None:
    people = {u.email: u for u in session.execute(sa.select(User)).scalars()}
    orgs = {o.slug: o for o in session.execute(sa.select(Organization)).scalars()}
    needed = ("tto@northbridge.edu", "bd@helixbio.com", "scout@helixbio.com", "licensing@voltaic.de",
              "transfer@th-rheinland.de", "founder@quantaleaf.io", "tlo@kim.ac.jp", "ceo@neuroloop.dev", "ip@ulas.pt")
    if any(email not in people for email in needed):
        return None
    return Cast(people, orgs)


def _listings(session, university: Organization, opportunity: str) -> list[Listing]:
    stmt = (sa.select(Listing)
            .where(Listing.university_id == university.id, Listing.status == "published")
            .order_by(Listing.id))
    return [listing for listing in session.execute(stmt).scalars()
            if opportunity in (listing.opportunity_types or []) and listing.assets]


def _dealing(session, listing: Listing, company: Organization) -> bool:
    return session.execute(
        sa.select(sa.exists().where(Offer.listing_id == listing.id, Offer.company_id == company.id))
    ).scalar()


def _license_terms(listing: Listing, *, currency: str, start, years: int = 8, exclusivity: str = "exclusive",
                   upfront: int = 0, rate_bps: int = 400, minimum: int = 0, milestones=()) -> dict:
    territories = {"USD": ["US", "CA"], "EUR": ["EU"], "JPY": ["JP"]}.get(currency, ["WORLDWIDE"])
    return {
        "asset_ids": [a.id for a in listing.assets],
        "exclusivity": exclusivity,
        "fields": list(listing.fields)[:1] or ["LS"],
        "territories": territories,
        "start_date": start.isoformat(),
        "end_date": (royalties.add_months(start, 12 * years) - timedelta(days=1)).isoformat(),
        "currency": currency,
        "upfront_fee_amount": upfront,
        "royalty_rate_bps": rate_bps,
        "minimum_annual_royalty_amount": minimum,
        "milestones": list(milestones),
        "reporting_period": "quarterly",
    }


def _offer(session, listing, company_user, kind, terms, message, *, days_open: int = 30) -> Offer:
    return offers.create_offer(session, company_user, listing_id=listing.id, kind=kind, terms=terms,
                               expires_on=utcnow().date() + timedelta(days=days_open), message=message)


def _seed_conversations(session, cast: Cast, listing: Listing) -> None:
    """A thread with an unread answer, confidential details and an accepted NDA."""
    helix = cast.orgs["helix-biologics"]
    subject = "Field data and freedom to operate"
    exists = session.execute(sa.select(sa.exists().where(
        Inquiry.listing_id == listing.id, Inquiry.company_id == helix.id, Inquiry.subject == subject))).scalar()
    if not exists:
        inquiry = inquiries.open_inquiry(
            session, cast["scout@helixbio.com"], listing_id=listing.id, subject=subject,
            message="Could you share validation data from more than one site, and any freedom-to-operate opinion?")
        inquiries.post_message(session, cast["tto@northbridge.edu"], inquiry.id,
                               "Yes: two-site data is available under NDA. Please request access on the listing.")
    if session.get(ConfidentialDetails, listing.id) is None:
        ndas.set_confidential(
            session, cast["tto@northbridge.edu"], listing.id,
            text="Two-site validation: sensitivity 96.1%, specificity 93.4% (n=412). FTO opinion by outside counsel.",
            document_names=["Validation summary.pdf", "FTO opinion 2026.pdf"],
            nda_title="Northbridge mutual NDA", nda_version="2026-01")
    live = sa.select(NDARequest.id).where(NDARequest.live_key == f"{listing.id}:{helix.id}")
    if session.execute(live).first() is not None:
        return
    request = ndas.request_nda(session, cast["scout@helixbio.com"], listing_id=listing.id, nda_version="2026-01",
                               agree=True, message="For our diagnostics evaluation.")
    ndas.accept(session, cast["tto@northbridge.edu"], request.id)


def _seed_active_license(session, cast: Cast, listing: Listing) -> None:
    """Helix licenses a Northbridge listing (countered once), reports a year of royalties (the minimum
    is trued up) and reaches a milestone."""
    helix, today = cast.orgs["helix-biologics"], utcnow().date()
    if _dealing(session, listing, helix):
        return
    start = royalties.add_months(today, -15)
    currency = CURRENCY[listing.university.country]
    unit = UNIT[currency]
    terms = _license_terms(listing, currency=currency, start=start, rate_bps=350, minimum=40_000 * unit, milestones=[
        {"name": "First regulatory clearance", "amount": 150_000 * unit, "trigger": "FDA 510(k) clearance"},
        {"name": "Second anniversary payment", "amount": 25_000 * unit,
         "due_date": royalties.add_months(start, 24).isoformat()},
    ])
    offer = _offer(session, listing, cast["bd@helixbio.com"], "license", terms,
                   "We would like an exclusive license for diagnostics in North America.")
    offer = offers.counter(session, cast["tto@northbridge.edu"], offer.id, if_match=etag(offer.version),
                           terms={"royalty_rate_bps": 450}, message="Our rate for exclusive diagnostics is 4.5%.")
    offers.accept(session, cast["bd@helixbio.com"], offer.id)
    license = session.get(License, offer.license_id)
    for n, period in enumerate(royalties.reporting_periods(license.start_date, None, "quarterly", today)[:4]):
        reports.submit(session, cast["scout@helixbio.com"], license.id, period_start=period.start, lines=[
            {"territory": "US", "net_sales_amount": (120_000 + 40_000 * n) * unit, "units": 300 + 100 * n},
            {"territory": "CA", "net_sales_amount": 15_000 * unit, "units": 40},
        ])


def _seed_sponsorship(session, cast: Cast, listing: Listing) -> None:
    """Helix sponsors two years of research in three tranches; the first one is paid."""
    helix, today = cast.orgs["helix-biologics"], utcnow().date()
    if _dealing(session, listing, helix):
        return
    currency = CURRENCY[listing.university.country]
    unit = UNIT[currency]
    tranches = [{"due_date": (today + timedelta(days=days)).isoformat(), "amount": amount * unit}
                for days, amount in ((14, 120_000), (196, 90_000), (378, 90_000))]
    offer = _offer(session, listing, cast["bd@helixbio.com"], "sponsored_research", {
        "currency": currency, "total_amount": 300_000 * unit, "tranches": tranches,
        "start_date": (today + timedelta(days=14)).isoformat(), "duration_months": 24,
        "deliverables": ["Assay prototype", "Two-site validation study", "Final report"],
        "ip_ownership": "university", "ip_terms": "Sponsor has a first option to negotiate an exclusive license.",
    }, "Two years of funding for clinical validation.")
    offers.accept(session, cast["tto@northbridge.edu"], offer.id)
    first = invoices_by_id(session, [offer.sponsorship.tranches[0].invoice_id])
    for invoice in first.values():
        settle_manually(session, cast["tto@northbridge.edu"], invoice.id, reference="WIRE-HELIX-0001",
                        settled_on=today)


def _seed_open_offers(session, cast: Cast, awaiting_university: Listing, countered: Listing) -> None:
    helix, neuroloop, today = cast.orgs["helix-biologics"], cast.orgs["neuroloop-labs"], utcnow().date()
    currency = CURRENCY[awaiting_university.university.country]
    if not _dealing(session, awaiting_university, helix):
        _offer(session, awaiting_university, cast["bd@helixbio.com"], "license",
               _license_terms(awaiting_university, currency=currency, start=today + timedelta(days=30),
                              exclusivity="non_exclusive", upfront=20_000 * UNIT[currency], rate_bps=250),
               "A non-exclusive license to start next month.")
    if not _dealing(session, countered, neuroloop):
        offer = _offer(session, countered, cast["ceo@neuroloop.dev"], "license",
                       {**_license_terms(countered, currency=currency, start=today + timedelta(days=60),
                                         rate_bps=200), "equity_bps": 300},
                       "As a startup we offer equity with a lower royalty.")
        offers.counter(session, cast["tto@northbridge.edu"], offer.id, if_match=etag(offer.version),
                       terms={"royalty_rate_bps": 300, "equity_bps": 500},
                       message="We can accept 3% with 5% equity.")


def _seed_closed_offers(session, cast: Cast, pending: Listing, rejected: Listing, withdrawn: Listing,
                        lapsed: Listing) -> None:
    today = utcnow().date()
    voltaic, quantaleaf, neuroloop = (cast.orgs[s] for s in ("voltaic-materials", "quantaleaf", "neuroloop-labs"))
    if not _dealing(session, pending, voltaic):  # accepted; the license waits for its upfront fee
        offer = _offer(session, pending, cast["licensing@voltaic.de"], "license",
                       _license_terms(pending, currency="EUR", start=today + timedelta(days=14),
                                      upfront=50_000_00, rate_bps=300), "Exclusive in the EU for batteries.")
        offers.accept(session, cast["transfer@th-rheinland.de"], offer.id)
    if not _dealing(session, rejected, quantaleaf):
        offer = _offer(session, rejected, cast["founder@quantaleaf.io"], "license",
                       _license_terms(rejected, currency="JPY", start=today + timedelta(days=30), rate_bps=150,
                                      exclusivity="exclusive"), "Worldwide exclusivity would let us raise our seed round.")
        offers.reject(session, cast["tlo@kim.ac.jp"], offer.id, reason="field_taken",
                      text="This field is reserved for an ongoing negotiation; a non-exclusive license is possible.")
    if not _dealing(session, withdrawn, voltaic):
        offer = _offer(session, withdrawn, cast["licensing@voltaic.de"], "license",
                       _license_terms(withdrawn, currency="USD", start=today + timedelta(days=30)),
                       "An exploratory offer.")
        offers.withdraw(session, cast["licensing@voltaic.de"], offer.id, reason="Our board paused the programme.")
    if not _dealing(session, lapsed, neuroloop):
        offer = _offer(session, lapsed, cast["ceo@neuroloop.dev"], "license",
                       _license_terms(lapsed, currency="EUR", start=today + timedelta(days=30)), "Short-dated offer.",
                       days_open=1)
        offer.expires_on = today - timedelta(days=1)  # it was left unanswered past its date
        session.flush()
        offers.expire_lapsed(session, today)


def seed_deals(session) -> None:
    """Create the demo deals unless they exist (needs the demo accounts and catalogue)."""
    cast = _cast(session)
    if cast is None:
        return
    northbridge = _listings(session, cast.orgs["northbridge-university"], "license")
    research = [x for x in _listings(session, cast.orgs["northbridge-university"], "sponsored_research")
                if x not in northbridge[:5]]
    rheinland = _listings(session, cast.orgs["th-rheinland"], "license")
    kyoto = _listings(session, cast.orgs["kyoto-institute-of-materials"], "license")
    lisbon = _listings(session, cast.orgs["lisbon-applied-sciences"], "license")
    if len(northbridge) < 5 or not research or not rheinland or not kyoto or not lisbon:
        return
    _seed_conversations(session, cast, northbridge[0])
    _seed_active_license(session, cast, northbridge[0])
    _seed_open_offers(session, cast, northbridge[1], northbridge[2])
    _seed_closed_offers(session, cast, rheinland[0], kyoto[0], northbridge[3], lisbon[0])
    _seed_sponsorship(session, cast, research[0])
    session.flush()
