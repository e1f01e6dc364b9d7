"""Programs and cohorts: terms, application windows, capacity, rubric, and the cohort lifecycle."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from marketplace.accounts.models import User
from marketplace.core import audit
from marketplace.core.db import utcnow
from marketplace.core.errors import Conflict, ValidationFailed
from marketplace.core.pagination import Page, paginate
from marketplace.core.statemachine import StateMachine
from marketplace.incubator import access, billing
from marketplace.incubator.models import Application, Cohort, CohortMember, Program, RubricCriterion

COHORT_LIFECYCLE = StateMachine(
    "cohort",
    {
        "open": {"planning": "open"},
        "close": {"open": "selecting"},
        "start": {"selecting": "running"},
        "graduate": {"running": "graduated"},
    },
)

PROGRAM_FIELDS = ("name", "description", "focus_fields", "fee_amount", "fee_due_days", "equity_bps")


def _snapshot(obj, fields) -> dict:
    return {f: getattr(obj, f) for f in fields}


# ---- programs ----------------------------------------------------------------------------------


def create_program(session, actor: User, data: dict) -> Program:
    """A new program of the actor's incubator."""
    program = Program(incubator_id=actor.organization_id, created_by_id=actor.id, **data)
    session.add(program)
    session.flush()
    audit.record(session, "incubator_program.create", program, changes=_snapshot(program, PROGRAM_FIELDS + ("currency",)))
    return program


def update_program(session, actor: User, program_id: int, changes: dict) -> Program:
    """Edit a program; members keep the terms they joined on."""
    program = access.program(session, actor, program_id, manage=True)
    before = _snapshot(program, changes)
    for name in PROGRAM_FIELDS:
        if name in changes:
            setattr(program, name, changes[name])
    diff = audit.diff(before, _snapshot(program, changes))
    if diff:
        audit.record(session, "incubator_program.update", program, changes=diff)
    return program


def list_programs(session, user: User, *, incubator_id=None, page=1, page_size=20) -> Page:
    """Programs of the user's incubator, and every program with an announced cohort."""
    visible = sa.or_(Program.incubator_id == user.organization_id, Program.id.in_(access.announced_program_ids()))
    stmt = sa.select(Program).where(visible).order_by(Program.id.desc())
    if incubator_id is not None:
        stmt = stmt.where(Program.incubator_id == incubator_id)
    return paginate(session, stmt, page, page_size)


# ---- cohorts -----------------------------------------------------------------------------------


def _check_dates(starts_on, ends_on, opens_at, closes_at) -> None:
    errors = {}
    if ends_on < starts_on:
        errors["ends_on"] = ["Must not be before starts_on."]
    if closes_at <= opens_at:
        errors["applications_close_at"] = ["Must be after applications_open_at."]
    if errors:
        raise ValidationFailed("Some dates are inconsistent: " + ", ".join(sorted(errors)), errors=errors)


def _check_questions(questions: list[dict]) -> list[dict]:
    keys = [q["key"] for q in questions]
    if len(set(keys)) != len(keys):
        raise ValidationFailed("Question keys must be unique.", errors={"questions": ["Question keys must be unique."]})
    return [{"key": q["key"], "text": q["text"], "required": q["required"]} for q in questions]


def _criteria(rubric: list[dict]) -> list[RubricCriterion]:
    return [
        RubricCriterion(position=i, name=c["name"], description=c["description"], weight=c["weight"])
        for i, c in enumerate(rubric, start=1)
    ]


def _rubric_of(cohort: Cohort) -> list[dict]:
    return [{"name": c.name, "weight": c.weight} for c in cohort.criteria]


def create_cohort(session, actor: User, program_id: int, data: dict) -> Cohort:
    """A new cohort of a program, in planning."""
    program = access.program(session, actor, program_id, manage=True)
    _check_dates(data["starts_on"], data["ends_on"], data["applications_open_at"], data["applications_close_at"])
    cohort = Cohort(
        program=program,
        name=data["name"],
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        capacity=data["capacity"],
        applications_open_at=data["applications_open_at"],
        applications_close_at=data["applications_close_at"],
        questions=_check_questions(data["questions"]),
        criteria=_criteria(data["rubric"]),
    )
    session.add(cohort)
    session.flush()
    audit.record(
        session,
        "cohort.create",
        cohort,
        changes={"program_id": program.id, "name": cohort.name, "capacity": cohort.capacity, "rubric": data["rubric"]},
    )
    return cohort


def accepted_count(session, cohort_id: int) -> int:
    return session.execute(
        sa.select(sa.func.count()).where(Application.cohort_id == cohort_id, Application.status == "accepted")
    ).scalar_one()


def update_cohort(session, actor: User, cohort_id: int, changes: dict) -> Cohort:
    """Edit a cohort: the window while applications are not yet closed, questions and rubric in planning,
    capacity never below the startups already accepted."""
    cohort = access.cohort(session, actor, cohort_id, manage=True)
    if cohort.status == "graduated":
        raise Conflict("A graduated cohort can no longer be changed.")
    window = {"applications_open_at", "applications_close_at"} & changes.keys()
    if window and cohort.status not in ("planning", "open"):
        raise Conflict("The application window can only change before applications close.")
    if {"questions", "rubric"} & changes.keys() and cohort.status != "planning":
        raise Conflict("Questions and rubric can only change while the cohort is in planning.")
    _check_dates(
        changes.get("starts_on", cohort.starts_on),
        changes.get("ends_on", cohort.ends_on),
        changes.get("applications_open_at", cohort.applications_open_at),
        changes.get("applications_close_at", cohort.applications_close_at),
    )
    fields = ("name", "starts_on", "ends_on", "capacity", "applications_open_at", "applications_close_at", "questions")
    before = _snapshot(cohort, fields) | {"rubric": _rubric_of(cohort)}
    if "capacity" in changes:
        access.lock_cohort(session, cohort.id)
        accepted = accepted_count(session, cohort.id)
        if changes["capacity"] < accepted:
            raise Conflict(
                f"{accepted} startups are already accepted: capacity cannot be lower.",
                errors={"capacity": [f"Must be at least {accepted}."]},
            )
    for name in fields:
        if name in changes:
            setattr(cohort, name, _check_questions(changes[name]) if name == "questions" else changes[name])
    if "rubric" in changes:
        cohort.criteria = _criteria(changes["rubric"])
        session.flush()
    diff = audit.diff(before, _snapshot(cohort, fields) | {"rubric": _rubric_of(cohort)})
    if diff:
        audit.record(session, "cohort.update", cohort, changes=diff)
    return cohort


def list_cohorts(session, user: User, *, status=None, program_id=None, page=1, page_size=20) -> Page:
    """Cohorts of the user's incubator, and every announced cohort (out of planning)."""
    own = Program.incubator_id == user.organization_id
    stmt = (
        sa.select(Cohort)
        .join(Program, Program.id == Cohort.program_id)
        .where(sa.or_(own, Cohort.status != "planning"))
        .order_by(Cohort.applications_close_at.desc(), Cohort.id.desc())
    )
    if status is not None:
        stmt = stmt.where(Cohort.status == status)
    if program_id is not None:
        stmt = stmt.where(Cohort.program_id == program_id)
    return paginate(session, stmt, page, page_size)


def transition(session, actor: User, cohort_id: int, action: str) -> Cohort:
    """Move a cohort along planning -> open -> selecting -> running -> graduated."""
    cohort = access.cohort_for_update(session, actor, cohort_id)
    if action == "open" and not cohort.criteria:
        raise Conflict("Add at least one rubric criterion before opening applications.")
    before, after = COHORT_LIFECYCLE.apply(cohort, action)
    changes: dict = {"status": [before, after]}
    if action == "start":
        issued = (billing.issue_program_fee(session, m) for m in _members(session, cohort.id, "active"))
        changes["fee_invoice_ids"] = [invoice_id for invoice_id in issued if invoice_id is not None]
    elif action == "graduate":
        members = _members(session, cohort.id, "active")
        for m in members:
            m.status = "graduated"
        changes["graduated_member_ids"] = [m.id for m in members]
    session.flush()
    audit.record(session, f"cohort.{action}", cohort, changes=changes)
    return cohort


def _members(session, cohort_id: int, status: str) -> list[CohortMember]:
    return list(
        session.execute(
            sa.select(CohortMember)
            .where(CohortMember.cohort_id == cohort_id, CohortMember.status == status)
            .order_by(CohortMember.id)
        ).scalars()
    )


def get_program(session, user: User, program_id: int) -> Program:
    """A program the user may see."""
    return access.program(session, user, program_id)


def get_cohort(session, user: User, cohort_id: int) -> Cohort:
    """A cohort the user may see."""
    return access.cohort(session, user, cohort_id)


# ---- the public calls for applications -----------------------------------------------------------


def announced_cohorts(session, incubator_id: int) -> list[Cohort]:
    """An incubator's cohorts out of planning (what anyone may see), newest window first."""
    return list(
        session.execute(
            sa.select(Cohort)
            .join(Program, Program.id == Cohort.program_id)
            .where(Program.incubator_id == incubator_id, Cohort.status != "planning")
            .options(contains_eager(Cohort.program))
            .order_by(Cohort.applications_close_at.desc(), Cohort.id.desc())
        ).scalars()
    )


def open_calls(session, *, limit: int = 10) -> list[Cohort]:
    """Cohorts taking applications now (open, inside their window), closing soonest first."""
    now = utcnow()
    return list(
        session.execute(
            sa.select(Cohort)
            .join(Program, Program.id == Cohort.program_id)
            .where(Cohort.status == "open", Cohort.applications_open_at <= now, Cohort.applications_close_at > now)
            .options(contains_eager(Cohort.program).joinedload(Program.incubator))
            .order_by(Cohort.applications_close_at, Cohort.id)
            .limit(limit)
        ).scalars()
    )
