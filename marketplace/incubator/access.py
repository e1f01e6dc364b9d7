"""Who may see and do what in the incubator, and look-ups that answer 404 to everyone else.

- The incubator's people (its **staff**: any member of the organization) see its programs,
  cohorts, cohort members, milestones, KPIs and dashboard; its **managers** manage them.
- Applications are private: a manager sees every submitted application of the incubator's
  cohorts, other staff only those assigned to them for review.
- A startup sees its own applications and its own cohort records, nothing of other startups.
- Anyone signed in sees programs and cohorts once a cohort is announced (out of ``planning``).
Callers who may not know an object exists get 404; those who may see it but not act get 403.
"""

from __future__ import annotations

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.core.errors import Forbidden, NotFound
from marketplace.incubator.models import (
    Application,
    Cohort,
    CohortMember,
    KPIReport,
    MentorAssignment,
    Milestone,
    Program,
    ReviewerAssignment,
)


def is_staff(user: User | None, incubator_id: int) -> bool:
    """``user`` None: someone not logged in (a visitor of the public pages)."""
    return user is not None and user.organization_id is not None and user.organization_id == incubator_id


def is_manager(user: User | None, incubator_id: int) -> bool:
    return is_staff(user, incubator_id) and user.role == "manager"


def _require_manager(user: User, incubator_id: int) -> None:
    if not is_manager(user, incubator_id):
        raise Forbidden("Only the incubator's managers may do this.")


# ---- programs and cohorts -----------------------------------------------------------------------


def announced_program_ids():
    """Programs with at least one cohort out of planning (visible to everyone signed in)."""
    return sa.select(Cohort.program_id).where(Cohort.status != "planning")


def program(session, user: User, program_id: int, *, manage: bool = False) -> Program:
    found = session.get(Program, program_id)
    if found is None:
        raise NotFound("No such program.")
    if is_staff(user, found.incubator_id):
        if manage:
            _require_manager(user, found.incubator_id)
        return found
    announced = session.execute(
        sa.select(sa.literal(1)).where(Cohort.program_id == found.id, Cohort.status != "planning").limit(1)
    ).first()
    if manage or announced is None:
        raise NotFound("No such program.")
    return found


def cohort(session, user: User | None, cohort_id: int, *, manage: bool = False, staff: bool = False) -> Cohort:
    """A cohort the user (None: a visitor) may see; ``staff``: only the incubator's people; ``manage``: its managers."""
    found = session.get(Cohort, cohort_id)
    if found is None:
        raise NotFound("No such cohort.")
    incubator_id = found.program.incubator_id
    if is_staff(user, incubator_id):
        if manage:
            _require_manager(user, incubator_id)
        return found
    if manage or staff or found.status == "planning":
        raise NotFound("No such cohort.")
    return found


def cohort_for_update(session, user: User, cohort_id: int) -> Cohort:
    """A cohort the user manages, locked against concurrent changes."""
    found = cohort(session, user, cohort_id, manage=True)
    lock_cohort(session, found.id)
    return found


def lock_cohort(session, cohort_id: int) -> None:
    """Serialize decisions on one cohort until the transaction ends (capacity checks).

    PostgreSQL: a row lock. SQLite: the UPDATE takes the database write lock, held to the end of
    the transaction.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(sa.update(Cohort).where(Cohort.id == cohort_id).values(id=Cohort.id))
    else:
        session.execute(sa.select(Cohort.id).where(Cohort.id == cohort_id).with_for_update())


# ---- applications ------------------------------------------------------------------------------


def is_assigned_reviewer(session, user: User, application_id: int) -> bool:
    return (
        session.get(ReviewerAssignment, {"application_id": application_id, "reviewer_id": user.id}) is not None
    )


def _may_view_application(session, user: User, found: Application) -> bool:
    if user.organization_id == found.startup_id:
        return True
    if found.status == "draft":
        return False
    incubator_id = found.cohort.program.incubator_id
    if is_manager(user, incubator_id):
        return True
    return is_staff(user, incubator_id) and is_assigned_reviewer(session, user, found.id)


def application(session, user: User, application_id: int) -> Application:
    """An application the user may see: the startup's own, a manager's, an assigned reviewer's."""
    found = session.get(Application, application_id)
    if found is None or not _may_view_application(session, user, found):
        raise NotFound("No such application.")
    return found


def own_application(session, user: User, application_id: int) -> Application:
    """An application of the user's startup (to edit, submit or withdraw)."""
    found = application(session, user, application_id)
    if found.startup_id != user.organization_id:
        raise Forbidden("Only the applying startup may do this.")
    return found


def managed_application(session, user: User, application_id: int) -> Application:
    """A submitted application of a cohort the user manages."""
    found = application(session, user, application_id)
    _require_manager(user, found.cohort.program.incubator_id)
    return found


# ---- cohort members and their records ----------------------------------------------------------


def is_mentor(session, user: User, member_id: int) -> bool:
    return session.get(MentorAssignment, {"member_id": member_id, "mentor_id": user.id}) is not None


def member(session, user: User, member_id: int, *, manage: bool = False, startup: bool = False) -> CohortMember:
    """A cohort member seen by the incubator's staff or by the startup itself.

    ``manage``: the incubator's managers only; ``startup``: the startup itself only.
    """
    found = session.get(CohortMember, member_id)
    if found is None:
        raise NotFound("No such cohort member.")
    incubator_id = found.cohort.program.incubator_id
    own = user.organization_id == found.startup_id
    if not own and not is_staff(user, incubator_id):
        raise NotFound("No such cohort member.")
    if manage:
        _require_manager(user, incubator_id)
    if startup and not own:
        raise Forbidden("Only the startup itself may do this.")
    return found


def milestone(session, user: User, milestone_id: int, *, manage: bool = False, startup: bool = False) -> Milestone:
    found = session.get(Milestone, milestone_id)
    if found is None:
        raise NotFound("No such milestone.")
    member(session, user, found.member_id, manage=manage, startup=startup)
    return found


def confirmable_milestone(session, user: User, milestone_id: int) -> Milestone:
    """A milestone the user may confirm: as the incubator's manager or the startup's mentor."""
    found = milestone(session, user, milestone_id)
    incubator_id = found.member.cohort.program.incubator_id
    if not is_manager(user, incubator_id) and not (
        is_staff(user, incubator_id) and is_mentor(session, user, found.member_id)
    ):
        raise Forbidden("Only the incubator's managers or the startup's mentors may confirm milestones.")
    return found


def kpi_report(session, user: User, report_id: int, *, startup: bool = False) -> KPIReport:
    found = session.get(KPIReport, report_id)
    if found is None:
        raise NotFound("No such KPI report.")
    member(session, user, found.member_id, startup=startup)
    return found
