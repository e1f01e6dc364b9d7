"""Demo incubator data (``flask seed-demo``): Harbor's accelerator with a running and an open cohort,
program-fee invoices (two settled by bank transfer), and a university license of a member startup.

Idempotent: nothing is added once the demo program exists. Dates are relative to the day of
seeding, so the running cohort always has milestones done, due and overdue.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from marketplace.accounts.models import Organization, User
from marketplace.accounts.passwords import hash_password
from marketplace.accounts.seed import DEMO_PASSWORD
from marketplace.core.db import utcnow
from marketplace.incubator import billing
from marketplace.incubator.models import (
    Application,
    Cohort,
    CohortMember,
    KPIReport,
    MentorAssignment,
    Milestone,
    Program,
    Review,
    ReviewerAssignment,
    ReviewScore,
    RubricCriterion,
)
from marketplace.ip.licenses.models import License
from marketplace.ip.models import IPAsset
from marketplace.payments.api import issue_invoice, settle_manually

INCUBATOR_SLUG = "harbor-deep-tech"
PROGRAM_NAME = "Harbor Deep Tech Accelerator"
#: startups the incubator demo needs besides those of the accounts seeder: (name, slug, country, website, email, person)
DEMO_STARTUPS = [
    ("Fermata Robotics", "fermata-robotics", "DE", "https://fermata-robotics.de", "founder@fermata-robotics.de",
     "Lea Hoffmann"),
    ("Lumen Grid", "lumen-grid", "US", "https://lumengrid.io", "team@lumengrid.io", "Marcus Green"),
    ("Solvent Catalytics", "solvent-catalytics", "PT", "https://solventcat.pt", "hello@solventcat.pt", "Rita Sousa"),
]
RUBRIC = [("Team", "Can these founders build it?", 3), ("Technology", "Is it defensible?", 2),
          ("Market", "Who pays, and how much?", 2), ("Traction", "Evidence of demand", 1)]
QUESTIONS = [
    {"key": "team", "text": "Who is on the founding team, and what have they built before?", "required": True},
    {"key": "ip", "text": "Which IP do you own or license?", "required": True},
    {"key": "traction", "text": "Pilots, letters of intent, revenue?", "required": False},
]
#: per member startup: milestones (title, days from today, status) and two monthly KPI reports
RUNNING = {
    "quantaleaf": {
        "milestones": [("Field trial with two farms", -30, "done"), ("First paid pilot", -4, "pending"),
                       ("Seed round term sheet", 21, "pending")],
        "kpis": [(120_000, 0, 4, 2, 2_600_000), (185_000, 75_000_000, 6, 3, 3_100_000)],
    },
    "neuroloop-labs": {
        "milestones": [("IRB approval", -40, "done"), ("Clinical advisor on board", -12, "missed"),
                       ("Prototype v2", 10, "pending")],
        "kpis": [(0, 0, 3, 0, 1_900_000), (0, 0, 3, 0, 2_050_000)],
    },
    "fermata-robotics": {
        "milestones": [("Gripper demo video", -20, "done"), ("Design partner signed", 7, "pending")],
        "kpis": [(40_000, 0, 5, 1, 3_400_000), (62_000, 0, 5, 2, 3_300_000)],
    },
    "lumen-grid": {
        "milestones": [("Utility pilot LOI", 30, "pending")],
        "kpis": [(310_000, 0, 8, 5, 4_200_000), (290_000, 0, 9, 5, 4_500_000)],
    },
}


def _ensure_startups(session, password_hash: str) -> None:
    existing = set(session.execute(sa.select(Organization.slug)).scalars())
    for name, slug, country, website, email, person in DEMO_STARTUPS:
        if slug in existing:
            continue
        org = Organization(kind="startup", name=name, slug=slug, country=country, website=website,
                           verification_status="verified", verified_at=utcnow())
        session.add(org)
        session.add(User(email=email, name=person, role="manager", organization=org, password_hash=password_hash))
    session.flush()


def _criteria() -> list[RubricCriterion]:
    return [RubricCriterion(position=i, name=n, description=d, weight=w) for i, (n, d, w) in enumerate(RUBRIC, 1)]


def _month_before(day: date, months: int) -> tuple[date, date]:
    first = day.replace(day=1)
    for _ in range(months):
        first = (first - timedelta(days=1)).replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return first, last


def seed_incubator(session) -> None:
    """Harbor's program, a running cohort with members and their records, an open cohort with reviews."""
    harbor = session.execute(sa.select(Organization).where(Organization.slug == INCUBATOR_SLUG)).scalar_one_or_none()
    if harbor is None or session.execute(
        sa.select(Program.id).where(Program.incubator_id == harbor.id, Program.name == PROGRAM_NAME)
    ).first():
        return
    _ensure_startups(session, hash_password(DEMO_PASSWORD))
    orgs = {o.slug: o for o in session.execute(sa.select(Organization)).scalars()}
    people = {u.email: u for u in session.execute(sa.select(User)).scalars()}
    manager, mentor = people["programs@harbor-incubator.org"], people["mentor@harbor-incubator.org"]
    now, today = utcnow(), utcnow().date()
    days = timedelta(days=1)

    program = Program(
        incubator_id=harbor.id, name=PROGRAM_NAME, created_by_id=manager.id, currency="USD", fee_amount=500_000,
        fee_due_days=30, equity_bps=600, focus_fields=["EN", "EL", "ME.ROBO", "AG.PREC"],
        description="Six months of lab access, mentors and investor days for university spin-outs.",
    )
    running = Cohort(
        program=program, name="Spring cohort", status="running", capacity=5, questions=QUESTIONS,
        starts_on=today - 60 * days, ends_on=today + 120 * days, criteria=_criteria(),
        applications_open_at=now - 120 * days, applications_close_at=now - 75 * days,
    )
    session.add_all([program, running])
    session.flush()
    for position, (slug, plan) in enumerate(RUNNING.items()):
        startup = orgs[slug]
        application = Application(
            cohort=running, startup_id=startup.id, status="accepted", pitch=f"{startup.name}: university deep tech.",
            answers={"team": "Two PhD founders", "ip": "Exclusive university license"},
            submitted_at=now - 80 * days, decided_at=now - 70 * days, decided_by_id=manager.id,
        )
        session.add(application)
        session.flush()
        member = CohortMember(
            cohort_id=running.id, startup_id=startup.id, application_id=application.id, status="active",
            joined_at=now - 70 * days, currency=program.currency, fee_amount=program.fee_amount,
            equity_bps=program.equity_bps,
        )
        session.add(member)
        session.flush()
        if position % 2 == 0:
            member.mentors.append(MentorAssignment(mentor_id=mentor.id, assigned_at=now - 60 * days))
        for title, due_in, status in plan["milestones"]:
            done = status == "done"
            session.add(Milestone(
                member_id=member.id, title=title, due_on=today + due_in * days, status=status, created_by_id=manager.id,
                evidence="Shared in the weekly check-in" if done else None,
                evidence_at=now + (due_in - 1) * days if done else None,
                confirmed_at=now + due_in * days if done else None, confirmed_by_id=manager.id if done else None,
                missed_at=now + (due_in + 1) * days if status == "missed" else None,
            ))
        founder = next(u for u in startup.members if u.role == "manager")
        for months_back, (revenue, funding, headcount, customers, burn) in zip((2, 1), plan["kpis"]):
            start, end = _month_before(today, months_back)
            session.add(KPIReport(
                member_id=member.id, period_start=start, period_end=end, currency=program.currency,
                revenue_amount=revenue, funding_raised_amount=funding, headcount=headcount, customers=customers,
                burn_amount=burn, highlights="", submitted_by_id=founder.id,
            ))
        invoice_id = billing.issue_program_fee(session, member)
        if position < 2:
            settle_manually(session, manager, invoice_id, reference=f"WIRE-HARBOR-{member.id:04d}",
                            settled_on=today - 20 * days)
    _seed_license(session, orgs)
    _seed_open_cohort(session, program, orgs, manager, mentor)
    session.flush()


def _seed_license(session, orgs) -> None:
    """Northbridge University licenses its leaf sensor to QuantaLeaf (exclusive, royalty and equity); the
    upfront fee is invoiced and not yet paid."""
    university, startup = orgs["northbridge-university"], orgs["quantaleaf"]
    asset = IPAsset(university_id=university.id, kind="patent", title="Low-power spectral leaf-moisture sensor",
                    abstract="A printed photodiode array that reads leaf water content.", inventors=["Maya Chen"],
                    jurisdiction="US", patent_number="US 11,902,114 B2", status="granted")
    license = License(
        licensor_id=university.id, licensee_id=startup.id, source_type="offer", exclusivity="exclusive",
        fields=["AG.PREC"], territories=["US", "EU"], start_date=utcnow().date(), status="pending_payment",
        currency="USD", upfront_fee_amount=2_500_000, royalty_rate_bps=300, minimum_annual_royalty_amount=1_000_000,
        equity_bps=200, assets=[asset],
    )
    session.add(license)
    session.flush()
    issue_invoice(session, startup, university, license.upfront_fee_amount, license.currency, "upfront_fee",
                  license.id, f"Upfront fee of license {license.id}", utcnow().date() + timedelta(days=14))


def _seed_open_cohort(session, program, orgs, manager, mentor) -> None:
    """An open cohort: two submitted applications with reviews, one draft."""
    now, today, days = utcnow(), utcnow().date(), timedelta(days=1)
    cohort = Cohort(
        program=program, name="Autumn cohort", status="open", capacity=4, questions=QUESTIONS,
        starts_on=today + 45 * days, ends_on=today + 225 * days, criteria=_criteria(),
        applications_open_at=now - 7 * days, applications_close_at=now + 21 * days,
    )
    session.add(cohort)
    session.flush()
    criteria = cohort.criteria
    plans = [
        ("solvent-catalytics", "submitted", {manager: (5, 4, 3, 2), mentor: (4, 4, 4, 3)}),
        ("neuroloop-labs", "submitted", {mentor: (3, 5, 2, 1)}),
        ("lumen-grid", "draft", {}),
    ]
    for slug, status, reviews in plans:
        startup = orgs[slug]
        application = Application(
            cohort=cohort, startup_id=startup.id, status=status, pitch=f"{startup.name} turns lab results into products.",
            answers={"team": "Founders from the university lab", "ip": "Licensing in progress"},
            submitted_at=now - 2 * days if status == "submitted" else None,
        )
        session.add(application)
        session.flush()
        for reviewer, scores in reviews.items():
            session.add(ReviewerAssignment(application_id=application.id, reviewer_id=reviewer.id,
                                           assigned_at=now - days, assigned_by_id=manager.id))
            session.add(Review(application_id=application.id, reviewer_id=reviewer.id, comment="Promising.",
                               scores=[ReviewScore(criterion_id=c.id, score=s) for c, s in zip(criteria, scores)]))
