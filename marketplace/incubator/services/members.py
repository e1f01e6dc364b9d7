"""Cohort members: mentors, milestones, KPI reports and the licenses they hold."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import Organization, User
from marketplace.core import audit
from marketplace.core.db import utcnow
from marketplace.core.errors import Conflict, NotFound, ValidationFailed
from marketplace.core.statemachine import StateMachine
from marketplace.incubator import access, billing
from marketplace.incubator.models import Cohort, CohortMember, KPIReport, MentorAssignment, Milestone
from marketplace.incubator.services.notices import tell_organization, tell_user
from marketplace.ip.licenses.models import License

MILESTONE_WORKFLOW = StateMachine(
    "milestone",
    {
        "confirm": {"pending": "done", "missed": "done"},
        "miss": {"pending": "missed"},
    },
)
KPI_FIGURES = ("revenue_amount", "funding_raised_amount", "headcount", "customers", "burn_amount", "highlights")
#: license states a cohort shows (drafts are still being negotiated)
SHOWN_LICENSE_STATES = ("pending_payment", "active", "terminated", "expired")


def _ensure_running(member: CohortMember, what: str) -> None:
    if member.status != "active" or member.cohort.status != "running":
        raise Conflict(f"{what} only while the startup is an active member of a running cohort.")


# ---- members and mentors -----------------------------------------------------------------------


def list_members(session, actor: User, cohort_id: int) -> list[CohortMember]:
    """Every member for the incubator's staff; its own membership for a member startup."""
    cohort = access.cohort(session, actor, cohort_id)
    stmt = (
        sa.select(CohortMember)
        .where(CohortMember.cohort_id == cohort.id)
        .options(selectinload(CohortMember.startup), selectinload(CohortMember.mentors).selectinload(MentorAssignment.mentor))
        .order_by(CohortMember.id)
    )
    if not access.is_staff(actor, cohort.program.incubator_id):
        stmt = stmt.where(CohortMember.startup_id == actor.organization_id)
        members = list(session.execute(stmt).scalars())
        if not members:
            raise NotFound("No such cohort.")
        return members
    return list(session.execute(stmt).scalars())


def get_member(session, actor: User, member_id: int) -> CohortMember:
    """A member, for the incubator's staff and the startup itself."""
    return access.member(session, actor, member_id)


def assign_mentor(session, actor: User, member_id: int, mentor_id: int) -> CohortMember:
    """Ask a member of the incubator to mentor a startup (they are notified)."""
    member = access.member(session, actor, member_id, manage=True)
    if member.status != "active":
        raise Conflict(f"The startup's membership is {member.status}.")
    mentor = session.get(User, mentor_id)
    if mentor is None or not access.is_staff(mentor, member.cohort.program.incubator_id) or not mentor.is_active:
        raise ValidationFailed(
            "Mentors must be active members of your incubator.",
            errors={"user_id": ["Not an active member of your incubator."]},
        )
    if access.is_mentor(session, mentor, member.id):
        raise Conflict("This person already mentors this startup.")
    member.mentors.append(MentorAssignment(mentor_id=mentor.id, assigned_at=utcnow()))
    session.flush()
    audit.record(session, "cohort_member.assign_mentor", member, changes={"mentor_id": mentor.id})
    tell_user(
        session,
        mentor,
        kind="incubator.mentor_assigned",
        title=f"You now mentor {member.startup.name}",
        body=f"You have been asked to mentor {member.startup.name} in {member.cohort.name}.",
        data={"member_id": member.id, "cohort_id": member.cohort_id},
    )
    return member


def unassign_mentor(session, actor: User, member_id: int, mentor_id: int) -> None:
    """End a mentoring assignment."""
    member = access.member(session, actor, member_id, manage=True)
    assignment = session.get(MentorAssignment, {"member_id": member.id, "mentor_id": mentor_id})
    if assignment is None:
        raise NotFound("This person does not mentor this startup.")
    member.mentors.remove(assignment)
    audit.record(session, "cohort_member.unassign_mentor", member, changes={"mentor_id": mentor_id})


# ---- milestones --------------------------------------------------------------------------------


def list_milestones(session, actor: User, member_id: int) -> list[Milestone]:
    member = access.member(session, actor, member_id)
    return list(
        session.execute(
            sa.select(Milestone).where(Milestone.member_id == member.id).order_by(Milestone.due_on, Milestone.id)
        ).scalars()
    )


def create_milestone(session, actor: User, member_id: int, data: dict) -> Milestone:
    """Set a milestone for a startup of a cohort being selected or running."""
    member = access.member(session, actor, member_id, manage=True)
    if member.status != "active" or member.cohort.status not in ("selecting", "running"):
        raise Conflict("Milestones are set for active members of a cohort being selected or running.")
    milestone = Milestone(member_id=member.id, created_by_id=actor.id, **data)
    session.add(milestone)
    session.flush()
    audit.record(session, "milestone.create", milestone, changes={"member_id": member.id, **data})
    return milestone


def update_milestone(session, actor: User, milestone_id: int, changes: dict) -> Milestone:
    """Edit a pending milestone's title, description or due date."""
    milestone = access.milestone(session, actor, milestone_id, manage=True)
    if milestone.status != "pending":
        raise Conflict(f"A milestone that is {milestone.status} can no longer be edited.")
    before = {k: getattr(milestone, k) for k in changes}
    for name in ("title", "description", "due_on"):
        if name in changes:
            setattr(milestone, name, changes[name])
    diff = audit.diff(before, {k: getattr(milestone, k) for k in changes})
    if diff:
        audit.record(session, "milestone.update", milestone, changes=diff)
    return milestone


def submit_evidence(session, actor: User, milestone_id: int, evidence: str) -> Milestone:
    """The startup shows what it achieved (a pending or missed milestone; the incubator confirms)."""
    milestone = access.milestone(session, actor, milestone_id, startup=True)
    _ensure_running(milestone.member, "Evidence can be submitted")
    if milestone.status == "done":
        raise Conflict("The milestone is already confirmed.")
    before = milestone.evidence
    milestone.evidence = evidence
    milestone.evidence_at = utcnow()
    audit.record(session, "milestone.evidence", milestone, changes={"evidence": [before, evidence]})
    return milestone


def confirm_milestone(session, actor: User, milestone_id: int) -> Milestone:
    """Confirm a milestone as done (a manager or the startup's mentor); late completion counts too."""
    milestone = access.confirmable_milestone(session, actor, milestone_id)
    _ensure_running(milestone.member, "Milestones can be confirmed")
    before, after = MILESTONE_WORKFLOW.apply(milestone, "confirm")
    milestone.confirmed_at = utcnow()
    milestone.confirmed_by_id = actor.id
    audit.record(session, "milestone.confirm", milestone, changes={"status": [before, after]})
    tell_organization(
        session,
        milestone.member.startup_id,
        kind="incubator.milestone_done",
        title=f"Milestone confirmed: {milestone.title}",
        body=f"{actor.name} confirmed the milestone \u201c{milestone.title}\u201d.",
        data={"milestone_id": milestone.id, "member_id": milestone.member_id},
        email_managers=False,
    )
    return milestone


def miss_milestone(session, actor: User | None, milestone: Milestone) -> Milestone:
    """Mark a pending milestone missed and tell the startup (by a manager, or by the overdue sweep)."""
    before, after = MILESTONE_WORKFLOW.apply(milestone, "miss")
    milestone.missed_at = utcnow()
    audit.record(session, "milestone.miss", milestone, actor=actor,
                 changes={"status": [before, after], "due_on": milestone.due_on})
    tell_organization(
        session,
        milestone.member.startup_id,
        kind="incubator.milestone_missed",
        title=f"Milestone missed: {milestone.title}",
        body=f"The milestone \u201c{milestone.title}\u201d was due on {milestone.due_on.isoformat()} and is marked "
        "missed. Submit evidence if you have reached it since; your incubator can still confirm it.",
        data={"milestone_id": milestone.id, "member_id": milestone.member_id},
    )
    return milestone


def mark_missed(session, actor: User, milestone_id: int) -> Milestone:
    """A manager marks a pending milestone missed."""
    milestone = access.milestone(session, actor, milestone_id, manage=True)
    MILESTONE_WORKFLOW.target(milestone.status, "miss")
    _ensure_running(milestone.member, "Milestones can be marked missed")
    return miss_milestone(session, actor, milestone)


def mark_overdue_missed(session, today: date) -> list[Milestone]:
    """Every pending milestone of a running cohort due before ``today`` becomes missed (idempotent)."""
    overdue = list(
        session.execute(
            sa.select(Milestone)
            .join(CohortMember, CohortMember.id == Milestone.member_id)
            .join(Cohort, Cohort.id == CohortMember.cohort_id)
            .where(
                Milestone.status == "pending",
                Milestone.due_on < today,
                CohortMember.status == "active",
                Cohort.status == "running",
            )
            .order_by(Milestone.id)
            .with_for_update(of=Milestone)
        ).scalars()
    )
    for milestone in overdue:
        miss_milestone(session, None, milestone)
    return overdue


# ---- KPI reports -------------------------------------------------------------------------------


def list_kpi_reports(session, actor: User, member_id: int) -> list[KPIReport]:
    member = access.member(session, actor, member_id)
    return list(
        session.execute(
            sa.select(KPIReport).where(KPIReport.member_id == member.id).order_by(KPIReport.period_start.desc())
        ).scalars()
    )


def submit_kpi_report(session, actor: User, member_id: int, data: dict) -> KPIReport:
    """The startup reports its figures for a period (amounts in the program's currency)."""
    member = access.member(session, actor, member_id, startup=True)
    _ensure_running(member, "KPI reports are submitted")
    currency = data.pop("currency", None) or member.currency
    if currency != member.currency:
        raise ValidationFailed(
            f"Report in the program's currency, {member.currency}.",
            errors={"currency": [f"Must be {member.currency}."]},
        )
    if data["period_end"] < data["period_start"]:
        raise ValidationFailed("The period ends before it starts.", errors={"period_end": ["Must not be before period_start."]})
    overlapping = session.execute(
        sa.select(KPIReport.id).where(
            KPIReport.member_id == member.id,
            KPIReport.period_start <= data["period_end"],
            KPIReport.period_end >= data["period_start"],
        )
    ).first()
    if overlapping is not None:
        raise Conflict("A report already covers part of this period: edit that one instead.", report_id=overlapping[0])
    report = KPIReport(member_id=member.id, currency=currency, submitted_by_id=actor.id, **data)
    session.add(report)
    session.flush()
    audit.record(session, "kpi_report.create", report, changes={"member_id": member.id, **data, "currency": currency})
    return report


def update_kpi_report(session, actor: User, report_id: int, changes: dict) -> KPIReport:
    """Correct a report's figures while the cohort runs."""
    report = access.kpi_report(session, actor, report_id, startup=True)
    _ensure_running(report.member, "KPI reports are corrected")
    before = {k: getattr(report, k) for k in changes}
    for name in KPI_FIGURES:
        if name in changes:
            setattr(report, name, changes[name])
    diff = audit.diff(before, {k: getattr(report, k) for k in changes})
    if diff:
        report.submitted_by_id = actor.id
        audit.record(session, "kpi_report.update", report, changes=diff)
    return report


# ---- licenses ----------------------------------------------------------------------------------


def licenses_by_startup(session, startup_ids: list[int]) -> dict[int, list[dict]]:
    """Each startup's licenses as licensee, with terms and payment state (two queries for any number)."""
    if not startup_ids:
        return {}
    rows = session.execute(
        sa.select(License, Organization.name)
        .join(Organization, Organization.id == License.licensor_id)
        .where(License.licensee_id.in_(startup_ids), License.status.in_(SHOWN_LICENSE_STATES))
        .order_by(License.start_date, License.id)
    ).all()
    payments = billing.license_payments(session, [lic for lic, _ in rows])
    out: dict[int, list[dict]] = defaultdict(list)
    for lic, licensor_name in rows:
        out[lic.licensee_id].append(
            {
                "id": lic.id,
                "licensor": {"id": lic.licensor_id, "name": licensor_name},
                "exclusivity": lic.exclusivity,
                "fields": list(lic.fields),
                "territories": list(lic.territories),
                "status": lic.status,
                "start_date": lic.start_date,
                "end_date": lic.end_date,
                "currency": lic.currency,
                "upfront_fee_amount": lic.upfront_fee_amount,
                "royalty_rate_bps": lic.royalty_rate_bps,
                "minimum_annual_royalty_amount": lic.minimum_annual_royalty_amount,
                "equity_bps": lic.equity_bps,
                "payment": payments.get(lic.id),
            }
        )
    return out


def member_licenses(session, actor: User, member_id: int) -> list[dict]:
    """The licenses the startup holds as licensee, with their terms and payment state."""
    member = access.member(session, actor, member_id)
    return licenses_by_startup(session, [member.startup_id]).get(member.startup_id, [])


# ---- invoices ----------------------------------------------------------------------------------


def member_invoices(session, actor: User, member_id: int):
    """The program-fee invoices of a membership, for the incubator's staff and the startup."""
    member = access.member(session, actor, member_id)
    return billing.member_invoices(session, member)
