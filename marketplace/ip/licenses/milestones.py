"""License milestones: event milestones are reached by the licensee (with evidence) or confirmed by
the licensor, whose confirmation issues the invoice; dated milestones are invoiced when they fall due."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from marketplace.core import audit
from marketplace.core.db import utcnow
from marketplace.core.errors import InvalidTransition, NotFound
from marketplace.core.money import Money
from marketplace.core.statemachine import StateMachine
from marketplace.ip.licenses import billing
from marketplace.ip.licenses.access import LICENSEE, LICENSOR, require_manager, require_side, tell, visible_license
from marketplace.ip.licenses.models import License, LicenseMilestone

MILESTONE_WORKFLOW = StateMachine(
    "milestone",
    {
        "reach": {"pending": "reached"},
        "invoice": {"pending": "invoiced", "reached": "invoiced"},
    },
)
#: licenses whose milestones can still be reached and invoiced (a milestone reached before a
#: termination is still owed)
MILESTONE_STATUSES = ("active", "terminated", "expired")


def _milestone(session, user, license_id: int, milestone_id: int) -> tuple[License, str, LicenseMilestone]:
    license, side = visible_license(session, user, license_id, lock=True)
    milestone = session.get(LicenseMilestone, milestone_id)
    if milestone is None or milestone.license_id != license.id:
        raise NotFound("No such milestone.")
    return license, side, milestone


def _event_milestone(license: License, milestone: LicenseMilestone, action: str, *, live_only: bool) -> None:
    allowed = ("active",) if live_only else MILESTONE_STATUSES
    if license.status not in allowed:
        raise InvalidTransition(
            f"The license is {license.status.replace('_', ' ')}.", current_state=license.status, allowed_actions=[]
        )
    if milestone.trigger is None:
        raise InvalidTransition(
            f"This milestone falls due on {milestone.due_date.isoformat()} and is invoiced then.",
            current_state=milestone.status,
            allowed_actions=[],
        )
    MILESTONE_WORKFLOW.target(milestone.status, action)


def list_milestones(session, user, license_id: int) -> list[LicenseMilestone]:
    license, _ = visible_license(session, user, license_id)
    return list(license.milestones)


def reach(session, user, license_id: int, milestone_id: int, *, evidence: str) -> LicenseMilestone:
    """The licensee reports an event milestone reached, with evidence; the licensor confirms it."""
    license, side, milestone = _milestone(session, user, license_id, milestone_id)
    require_side(side, LICENSEE, "report a milestone reached")
    _event_milestone(license, milestone, "reach", live_only=True)
    before, after = MILESTONE_WORKFLOW.apply(milestone, "reach")
    milestone.evidence, milestone.reached_at, milestone.reached_by_id = evidence, utcnow(), user.id
    session.flush()
    audit.record(session, "license_milestone.reach", milestone,
                 changes={"status": [before, after], "license_id": license.id, "evidence": evidence})
    tell(session, license, LICENSOR, kind="milestone_reached", actor_id=user.id, milestone_id=milestone.id,
         title=f"Milestone reached on license {license.id}: {milestone.name}",
         body=f"{license.licensee.name} reports “{milestone.name}” reached.\n\nEvidence:\n{evidence}\n\n"
              "Confirm it to issue the invoice.")
    return milestone


def _invoice(session, license: License, milestone: LicenseMilestone, due_date: date, actor=None) -> None:
    before, after = MILESTONE_WORKFLOW.apply(milestone, "invoice")
    session.flush()
    milestone.invoice_id = billing.invoice_milestone(session, milestone, due_date)
    audit.record(session, "license_milestone.invoice", milestone, actor=actor,
                 changes={"status": [before, after], "license_id": license.id, "amount": milestone.amount,
                          "invoice_id": milestone.invoice_id, "due_date": due_date})


def confirm(session, user, license_id: int, milestone_id: int) -> LicenseMilestone:
    """The licensor confirms an event milestone (reported or not) and issues its invoice."""
    license, side, milestone = _milestone(session, user, license_id, milestone_id)
    require_side(side, LICENSOR, "confirm milestones")
    require_manager(user, "confirm milestones")
    _event_milestone(license, milestone, "invoice", live_only=False)
    milestone.confirmed_at, milestone.confirmed_by_id = utcnow(), user.id
    audit.record(session, "license_milestone.confirm", milestone,
                 changes={"license_id": license.id, "status_before": milestone.status, "evidence": milestone.evidence})
    _invoice(session, license, milestone, utcnow().date() + timedelta(days=billing.PAYMENT_TERMS_DAYS))
    tell(session, license, LICENSEE, kind="milestone_invoiced", actor_id=user.id, milestone_id=milestone.id,
         title=f"Milestone confirmed on license {license.id}: {milestone.name}",
         body=f"{license.licensor.name} confirmed “{milestone.name}”; "
              f"{Money(milestone.amount, license.currency).format()} is invoiced.")
    return milestone


def invoice_due(session, today: date) -> list[LicenseMilestone]:
    """Invoice the dated milestones of active licenses that have fallen due (idempotent)."""
    due = list(
        session.execute(
            sa.select(LicenseMilestone)
            .join(License, License.id == LicenseMilestone.license_id)
            .where(License.status == "active", LicenseMilestone.status == "pending",
                   LicenseMilestone.due_date.is_not(None), LicenseMilestone.due_date <= today)
            .order_by(LicenseMilestone.id)
            .with_for_update()
        ).scalars()
    )
    for milestone in due:
        license = milestone.license
        _invoice(session, license, milestone, milestone.due_date)
        tell(session, license, LICENSEE, kind="milestone_invoiced", actor_id=None, milestone_id=milestone.id,
             title=f"Milestone due on license {license.id}: {milestone.name}",
             body=f"“{milestone.name}” fell due on {milestone.due_date.isoformat()}; "
                  f"{Money(milestone.amount, license.currency).format()} is invoiced.")
    return due
