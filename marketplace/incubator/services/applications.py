"""Applications to cohorts: the window, submission, decisions under capacity, the waitlist."""

from __future__ import annotations

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.core import audit
from marketplace.core.db import utcnow
from marketplace.core.errors import Conflict, ValidationFailed
from marketplace.core.pagination import Page, paginate
from marketplace.core.statemachine import StateMachine
from marketplace.incubator import access, billing
from marketplace.incubator.models import Application, Cohort, CohortMember, ReviewerAssignment
from marketplace.incubator.services.notices import tell_organization
from marketplace.incubator.services.programs import accepted_count

APPLICATION_WORKFLOW = StateMachine(
    "application",
    {
        "submit": {"draft": "submitted"},
        "accept": {"submitted": "accepted", "waitlisted": "accepted"},
        "waitlist": {"submitted": "waitlisted"},
        "reject": {"submitted": "rejected", "waitlisted": "rejected"},
        "withdraw": {"draft": "withdrawn", "submitted": "withdrawn", "waitlisted": "withdrawn", "accepted": "withdrawn"},
    },
)
#: cohort states in which managers decide and the waitlist moves
DECIDING = ("selecting", "running")


def ensure_window_open(cohort: Cohort) -> None:
    """409 unless the cohort is open and ``now`` is inside its application window."""
    now = utcnow()
    window = {
        "applications_open_at": cohort.applications_open_at.isoformat(),
        "applications_close_at": cohort.applications_close_at.isoformat(),
    }
    if cohort.status != "open":
        raise Conflict(f"The cohort is not taking applications (it is {cohort.status}).", slug="application-window-closed",
                       **window)
    if now < cohort.applications_open_at:
        raise Conflict("The application window has not opened yet.", slug="application-window-closed", **window)
    if now >= cohort.applications_close_at:
        raise Conflict("The application window has closed.", slug="application-window-closed", **window)


def _check_answers(cohort: Cohort, answers: dict) -> dict:
    known = {q["key"] for q in cohort.questions}
    unknown = sorted(set(answers) - known)
    if unknown:
        raise ValidationFailed(
            "Some answers are to questions this cohort does not ask.",
            errors={"answers": {key: ["Unknown question."] for key in unknown}},
        )
    return dict(answers)


def _check_complete(cohort: Cohort, application: Application) -> None:
    errors: dict = {}
    if not application.pitch.strip():
        errors["pitch"] = ["A pitch is required to submit."]
    missing = [q["key"] for q in cohort.questions if q["required"] and not application.answers.get(q["key"], "").strip()]
    if missing:
        errors["answers"] = {key: ["This question must be answered."] for key in missing}
    if errors:
        raise ValidationFailed("The application is incomplete: " + ", ".join(sorted(errors)), errors=errors)


# ---- the startup's side ------------------------------------------------------------------------


def create_application(session, actor: User, cohort_id: int, data: dict) -> Application:
    """Start a draft application of the actor's startup to an open cohort."""
    cohort = access.cohort(session, actor, cohort_id)
    ensure_window_open(cohort)
    existing = session.execute(
        sa.select(Application.id).where(Application.cohort_id == cohort.id, Application.startup_id == actor.organization_id)
    ).scalar_one_or_none()
    if existing is not None:
        raise Conflict("Your startup has already applied to this cohort.", application_id=existing)
    application = Application(
        cohort=cohort,
        startup_id=actor.organization_id,
        pitch=data["pitch"],
        answers=_check_answers(cohort, data["answers"]),
        created_by_id=actor.id,
    )
    session.add(application)
    session.flush()
    audit.record(session, "incubator_application.create", application, changes={"cohort_id": cohort.id})
    return application


def update_application(session, actor: User, application_id: int, changes: dict) -> Application:
    """Edit the pitch and answers until the window closes (a submitted application stays complete)."""
    application = access.own_application(session, actor, application_id)
    if application.status not in ("draft", "submitted"):
        raise Conflict(f"An application that is {application.status} can no longer be edited.")
    ensure_window_open(application.cohort)
    before = {"pitch": application.pitch, "answers": dict(application.answers)}
    if "pitch" in changes:
        application.pitch = changes["pitch"]
    if "answers" in changes:
        application.answers = {**application.answers, **_check_answers(application.cohort, changes["answers"])}
    if application.status == "submitted":
        _check_complete(application.cohort, application)
    diff = audit.diff(before, {"pitch": application.pitch, "answers": application.answers})
    if diff:
        audit.record(session, "incubator_application.update", application, changes=diff)
    return application


def submit_application(session, actor: User, application_id: int) -> Application:
    """Submit a complete draft while the window is open."""
    application = access.own_application(session, actor, application_id)
    APPLICATION_WORKFLOW.target(application.status, "submit")
    ensure_window_open(application.cohort)
    _check_complete(application.cohort, application)
    before, after = APPLICATION_WORKFLOW.apply(application, "submit")
    application.submitted_at = utcnow()
    audit.record(session, "incubator_application.submit", application, changes={"status": [before, after]})
    return application


def withdraw_application(session, actor: User, application_id: int) -> Application:
    """Withdraw; an accepted startup leaves the cohort and the first waitlisted startup moves up."""
    application = access.own_application(session, actor, application_id)
    APPLICATION_WORKFLOW.target(application.status, "withdraw")
    cohort = application.cohort
    if cohort.status == "graduated":
        raise Conflict("The cohort has graduated: there is nothing left to withdraw from.")
    was_accepted = application.status == "accepted"
    if was_accepted:
        access.lock_cohort(session, cohort.id)
    before, after = APPLICATION_WORKFLOW.apply(application, "withdraw")
    application.withdrawn_at = utcnow()
    changes: dict = {"status": [before, after]}
    if was_accepted:
        member = session.execute(
            sa.select(CohortMember).where(CohortMember.application_id == application.id)
        ).scalar_one()
        member.status = "withdrawn"
        member.left_at = application.withdrawn_at
        audit.record(session, "cohort_member.withdraw", member, changes={"status": ["active", "withdrawn"]})
    session.flush()
    audit.record(session, "incubator_application.withdraw", application, changes=changes)
    if was_accepted:
        promote_from_waitlist(session, cohort)
    return application


# ---- the incubator's side ----------------------------------------------------------------------


def _admit(session, application: Application) -> CohortMember:
    cohort = application.cohort
    program = cohort.program
    member = CohortMember(
        cohort_id=cohort.id,
        startup_id=application.startup_id,
        application_id=application.id,
        status="active",
        joined_at=utcnow(),
        currency=program.currency,
        fee_amount=program.fee_amount,
        equity_bps=program.equity_bps,
    )
    session.add(member)
    session.flush()
    changes = {"cohort_id": cohort.id, "startup_id": member.startup_id, "fee_amount": member.fee_amount,
               "currency": member.currency, "equity_bps": member.equity_bps}
    if cohort.status == "running":
        changes["fee_invoice_id"] = billing.issue_program_fee(session, member)
    audit.record(session, "cohort_member.create", member, changes=changes)
    return member


def _ensure_capacity(session, cohort: Cohort) -> None:
    accepted = accepted_count(session, cohort.id)
    if accepted >= cohort.capacity:
        raise Conflict(
            f"The cohort is full: {accepted} of {cohort.capacity} places are taken.",
            slug="cohort-full",
            capacity=cohort.capacity,
            accepted=accepted,
        )


DECISION_NOTICES = {
    "accept": ("accepted", "Your application to {cohort} was accepted"),
    "waitlist": ("waitlisted", "Your application to {cohort} is on the waitlist"),
    "reject": ("rejected", "Your application to {cohort} was not accepted"),
}


def _tell_decision(session, application: Application, action: str, note: str | None = None) -> None:
    verb, title = DECISION_NOTICES[action]
    cohort = application.cohort
    title = title.format(cohort=f"{cohort.program.name}: {cohort.name}")
    body = f"{cohort.program.incubator.name} has {verb} your application to {cohort.name}."
    if note:
        body += f"\n\n{note}"
    tell_organization(
        session,
        application.startup_id,
        kind=f"incubator.application_{verb}",
        title=title,
        body=body,
        data={"application_id": application.id, "cohort_id": cohort.id, "status": application.status},
    )


def decide(session, actor: User, application_id: int, action: str, reason: str | None = None) -> Application:
    """Accept (within capacity, under a lock on the cohort), waitlist or reject; the startup is told."""
    application = access.managed_application(session, actor, application_id)
    cohort = application.cohort
    APPLICATION_WORKFLOW.target(application.status, action)
    if cohort.status not in DECIDING:
        raise Conflict(f"Decisions are made once applications have closed; the cohort is {cohort.status}.")
    if action == "accept":
        access.lock_cohort(session, cohort.id)
        session.refresh(application)
        APPLICATION_WORKFLOW.target(application.status, action)
        _ensure_capacity(session, cohort)
    before, after = APPLICATION_WORKFLOW.apply(application, action)
    application.decided_at = utcnow()
    application.decided_by_id = actor.id
    if action == "waitlist":
        application.waitlisted_at = application.decided_at
    if action == "reject":
        application.decision_note = reason
    session.flush()
    audit.record(session, f"incubator_application.{action}", application,
                 changes={"status": [before, after]} | ({"reason": reason} if reason else {}))
    if action == "accept":
        _admit(session, application)
    _tell_decision(session, application, action, reason if action == "reject" else None)
    return application


def promote_from_waitlist(session, cohort: Cohort) -> Application | None:
    """Accept the earliest-waitlisted startup when a place is free (caller holds the cohort lock)."""
    if cohort.status not in DECIDING or accepted_count(session, cohort.id) >= cohort.capacity:
        return None
    application = session.execute(
        sa.select(Application)
        .where(Application.cohort_id == cohort.id, Application.status == "waitlisted")
        .order_by(Application.waitlisted_at, Application.id)
        .limit(1)
    ).scalar_one_or_none()
    if application is None:
        return None
    before, after = APPLICATION_WORKFLOW.apply(application, "accept")
    application.decided_at = utcnow()
    application.decided_by_id = None
    session.flush()
    audit.record(session, "incubator_application.promote", application, changes={"status": [before, after]})
    _admit(session, application)
    _tell_decision(session, application, "accept")
    return application


# ---- lists -------------------------------------------------------------------------------------


def list_cohort_applications(session, actor: User, cohort_id: int, *, status=None, page=1, page_size=20) -> Page:
    """A cohort's submitted applications: all for managers, the assigned ones for other staff."""
    cohort = access.cohort(session, actor, cohort_id, staff=True)
    stmt = (
        sa.select(Application)
        .where(Application.cohort_id == cohort.id, Application.status != "draft")
        .order_by(Application.submitted_at, Application.id)
    )
    if not access.is_manager(actor, cohort.program.incubator_id):
        assigned = sa.select(ReviewerAssignment.application_id).where(ReviewerAssignment.reviewer_id == actor.id)
        stmt = stmt.where(Application.id.in_(assigned))
    if status is not None:
        stmt = stmt.where(Application.status == status)
    return paginate(session, stmt, page, page_size)


def list_my_applications(session, actor: User, *, status=None, page=1, page_size=20) -> Page:
    """Your startup's applications, or the applications assigned to you for review."""
    assigned = sa.select(ReviewerAssignment.application_id).where(ReviewerAssignment.reviewer_id == actor.id)
    stmt = (
        sa.select(Application)
        .where(
            sa.or_(
                Application.startup_id == actor.organization_id,
                sa.and_(Application.id.in_(assigned), Application.status != "draft"),
            )
        )
        .order_by(Application.id.desc())
    )
    if status is not None:
        stmt = stmt.where(Application.status == status)
    return paginate(session, stmt, page, page_size)


def get_application(session, actor: User, application_id: int) -> Application:
    """An application the actor may see."""
    return access.application(session, actor, application_id)
