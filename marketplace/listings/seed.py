"""Demo catalogue (``flask seed-demo``): listings of the demo universities with their IP, composed
from curated phrases, taken through the real workflow so published ones reach the outbox."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from marketplace.accounts.models import Organization, User
from marketplace.core.db import utcnow
from marketplace.core.money import exponent
from marketplace.ip.services import create_asset
from marketplace.listings import transitions
from marketplace.listings.models import Listing
from marketplace.listings.seed_catalogue import (
    EXPRESS_LICENSE_TERMS,
    INVENTOR_NAMES,
    OPPORTUNITY_PHRASES,
    SPECIALITIES,
    STAGE_EVIDENCE,
    TOPICS,
)
from marketplace.listings.services import create_listing

STAGE_TRL = {"concept": 2, "proof_of_concept": 3, "prototype": 5, "validated": 6, "pilot": 7, "market_ready": 8}
CURRENCY_BY_COUNTRY = {"US": "USD", "DE": "EUR", "PT": "EUR", "JP": "JPY"}
REGIONS = {"US": ["US", "CA"], "DE": ["DE", "AT", "CH"], "PT": ["PT", "ES"], "JP": ["JP", "KR", "TW"]}
SOFTWARE_PARENTS = ("IT", "ED")


@dataclass(frozen=True)
class Spec:
    """One demo listing: what it is about, whose it is and where it stands in the workflow."""

    number: int
    code: str
    tech: str
    use: str
    benefits: tuple[str, ...]
    university_slug: str
    status: str

    @property
    def title(self) -> str:
        return f"{self.tech} for {self.use}"


def _status(number: int) -> str:
    if number % 10 == 3:
        return "draft"
    if number % 10 == 7:
        return "in_review"
    if number % 30 == 11:
        return "changes_requested"
    return "published"


def catalogue() -> list[Spec]:
    """Every demo listing, in a stable order (the same on every run)."""
    specs = []
    for code, topic in TOPICS.items():
        parent = code.split(".")[0]
        owners = [slug for slug, parents in SPECIALITIES.items() if parent in parents]
        for tech, use, benefits in topic["items"]:
            n = len(specs)
            specs.append(Spec(n, code, tech, use, benefits, owners[n % len(owners)], _status(n)))
    return specs


def seed_listings(session) -> None:
    """Create the demo catalogue, skipping listings already there (by university and title)."""
    universities = {
        org.slug: org
        for org in session.execute(sa.select(Organization).where(Organization.slug.in_(list(SPECIALITIES)))).scalars()
        if org.is_verified
    }
    admin = session.execute(sa.select(User).where(User.is_admin.is_(True)).order_by(User.id)).scalars().first()
    if admin is None or not universities:
        return
    existing = {tuple(row) for row in session.execute(sa.select(Listing.university_id, Listing.title))}
    for spec in catalogue():
        university = universities.get(spec.university_slug)
        if university is None or (university.id, spec.title) in existing:
            continue
        _seed_one(session, spec, university, admin)
    session.flush()


def _staff(university: Organization) -> tuple[User, list[User]]:
    people = [m for m in university.members if m.is_active]
    managers = [m for m in people if m.role == "manager"]
    return managers[0], people


def _seed_one(session, spec: Spec, university: Organization, admin: User) -> Listing:
    rng = random.Random(spec.number * 7919)
    topic = TOPICS[spec.code]
    manager, people = _staff(university)
    stage = rng.choice(list(STAGE_TRL))
    others = rng.sample(["sponsored_research", "co_development", "startup_formation"], rng.randint(0, 2))
    opportunity_types = ["license", *others]
    benefits = list(spec.benefits)
    assets = [
        create_asset(session, manager, data)
        for data in _assets(rng, spec, university, topic, benefits)
    ]
    data = {
        "title": spec.title,
        "summary": _summary(spec, university, benefits),
        "description": _description(spec, university, topic, benefits, stage, opportunity_types, assets),
        "fields": [spec.code],
        "keywords": list(dict.fromkeys([*topic["keywords"], spec.use.split()[-1]])),
        "trl": STAGE_TRL[stage],
        "development_stage": stage,
        "opportunity_types": opportunity_types,
        "asset_ids": [asset.id for asset in assets],
        "contact_user_id": people[spec.number % len(people)].id,
        "express_license": _express_license(rng, spec, university) if spec.number % 8 == 0 else None,
    }
    listing = create_listing(session, manager, data)
    days_ago = rng.randint(5, 420)
    listing.created_at = utcnow() - timedelta(days=days_ago + 14)
    if spec.status != "draft":
        transitions.submit(session, manager, listing.id)
    if spec.status == "published":
        transitions.approve(session, admin, listing.id, tell_managers=False)
        listing.published_at = utcnow() - timedelta(days=days_ago)
        listing.view_count = rng.randint(0, 60) + days_ago // 3
    elif spec.status == "changes_requested":
        transitions.request_changes(
            session, admin, listing.id,
            "Please add the key experimental results (with numbers) and say which claims are granted.",
        )
    return listing


def _summary(spec: Spec, university: Organization, benefits: list[str]) -> str:
    return (
        f"{spec.tech} that {benefits[0]}. Developed at {university.name} for {spec.use}, "
        f"it also {benefits[1]}."
    )


def _description(spec, university, topic, benefits, stage, opportunity_types, assets) -> str:
    offers = [OPPORTUNITY_PHRASES[t] for t in opportunity_types]
    wish = offers[0] if len(offers) == 1 else ", ".join(offers[:-1]) + " or " + offers[-1]
    ip = "; ".join(_asset_sentence(asset) for asset in assets) or "Know-how and data held by the inventors."
    lines = [
        "Background",
        topic["problem"],
        "",
        "The technology",
        f"The {topic['lab']} group at {university.name} has developed {_a(spec.tech)} for {spec.use}. "
        f"In {STAGE_EVIDENCE[stage]}, it {benefits[0]} and {benefits[1]}.",
        "",
        "Advantages",
        *[f"- It {benefit}." for benefit in benefits],
        "",
        "Applications",
        f"- {spec.use[0].upper() + spec.use[1:]}",
        *[f"- {market[0].upper() + market[1:]}" for market in topic["markets"]],
        "",
        "Intellectual property",
        ip + ".",
        "",
        "Opportunity",
        f"{university.name} is looking for partners who want to {wish}.",
    ]
    return "\n".join(lines)


def _a(noun_phrase: str) -> str:
    """``noun_phrase`` lower-cased after "a" or "an"."""
    text = noun_phrase[0].lower() + noun_phrase[1:]
    return ("an " if text[0] in "aeiou" else "a ") + text


def _asset_sentence(asset) -> str:
    kind = asset.kind.replace("_", " ")
    if asset.kind in ("software", "know_how", "copyright", "trade_secret"):
        return f"{kind.capitalize()} owned by the university"
    number = asset.patent_number or asset.publication_number or asset.application_number
    where = f" ({asset.jurisdiction})" if asset.jurisdiction else ""
    return f"{kind.capitalize()}{where}{' ' + number if number else ''}, {asset.status}"


def _assets(rng: random.Random, spec: Spec, university: Organization, topic: dict, benefits: list[str]) -> list[dict]:
    parent = spec.code.split(".")[0]
    inventors = rng.sample(INVENTOR_NAMES, rng.randint(2, 3))
    abstract = f"{spec.tech} for {spec.use}, which {benefits[0]}."
    if parent in SOFTWARE_PARENTS:
        assets = [{"kind": "software", "title": f"{spec.tech} (source code and models)", "abstract": abstract,
                   "inventors": inventors, "status": "pending"}]
        if rng.random() < 0.4:
            assets.append(_patent(rng, spec, university, inventors, abstract))
        return assets
    assets = [_patent(rng, spec, university, inventors, abstract)]
    if spec.code == "AG.CROP" and rng.random() < 0.5:
        assets.append({"kind": "plant_variety", "title": f"Breeding line carrying the {spec.tech.lower()}",
                       "abstract": abstract, "inventors": inventors, "jurisdiction": university.country,
                       "status": "pending"})
    elif rng.random() < 0.3:
        assets.append({"kind": "know_how", "title": f"Process know-how for the {spec.tech.lower()}",
                       "abstract": "Protocols, parameters and test data not disclosed in the patent filings.",
                       "inventors": inventors, "status": "pending"})
    return assets


def _patent(rng: random.Random, spec: Spec, university: Organization, inventors: list[str], abstract: str) -> dict:
    jurisdiction = rng.choice([university.country, university.country, "EP", "WO"])
    priority = date(rng.randint(2016, 2023), rng.randint(1, 12), rng.randint(1, 28))
    filing = priority + timedelta(days=rng.randint(300, 365))
    granted = jurisdiction != "WO" and filing.year <= 2021 and rng.random() < 0.6
    asset = {
        "kind": "patent" if granted else "patent_application",
        "title": f"{spec.tech} and its use in {spec.use}",
        "abstract": abstract,
        "inventors": inventors,
        "jurisdiction": jurisdiction,
        "application_number": _number(rng, jurisdiction, "application", filing.year),
        "publication_number": _number(rng, jurisdiction, "publication", filing.year + 1),
        "priority_date": priority,
        "filing_date": filing,
        "status": "granted" if granted else "pending",
    }
    if granted:
        asset["grant_date"] = filing + timedelta(days=rng.randint(700, 1400))
        asset["patent_number"] = _number(rng, jurisdiction, "patent", asset["grant_date"].year)
        asset["expiry_date"] = filing.replace(year=filing.year + 20)
    return asset


def _number(rng: random.Random, jurisdiction: str, kind: str, year: int) -> str:
    d = lambda n: "".join(str(rng.randint(0, 9)) for _ in range(n))  # noqa: E731
    formats = {
        "US": {"application": f"US 17/{d(3)},{d(3)}", "publication": f"US {year}/0{d(6)} A1",
               "patent": f"US 11,{d(3)},{d(3)} B2"},
        "EP": {"application": f"EP {year % 100}{d(6)}.{d(1)}", "publication": f"EP 3 {d(3)} {d(3)} A1",
               "patent": f"EP 3 {d(3)} {d(3)} B1"},
        "WO": {"application": f"PCT/EP{year}/0{d(5)}", "publication": f"WO {year}/{d(6)}", "patent": ""},
        "DE": {"application": f"DE 10 {year} 1{d(5)}.{d(1)}", "publication": f"DE 10 {year} 1{d(5)} A1",
               "patent": f"DE 10 {year - 2} 1{d(5)} B4"},
        "JP": {"application": f"JP {year}-{d(6)}", "publication": f"JP {year}-{d(6)} A",
               "patent": f"JP {d(7)} B2"},
        "PT": {"application": f"PT 11{d(4)}", "publication": f"PT 11{d(4)} A", "patent": f"PT 11{d(4)} B"},
    }
    return formats[jurisdiction][kind]


def _express_license(rng: random.Random, spec: Spec, university: Organization) -> dict:
    currency = CURRENCY_BY_COUNTRY.get(university.country, "USD")
    major = rng.choice([1500, 2500, 5000, 7500, 12000, 25000])
    if currency == "JPY":
        major *= 150
    territories = rng.choice([["WORLDWIDE"], [university.country], REGIONS.get(university.country, ["WORLDWIDE"])])
    return {
        "fields": [spec.code],
        "territories": territories,
        "price_amount": major * 10 ** exponent(currency),
        "currency": currency,
        "term_months": rng.choice([12, 24, 36]),
        "terms": EXPRESS_LICENSE_TERMS,
    }
