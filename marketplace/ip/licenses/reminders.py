"""License reminders for the licensee's managers: a royalty report due in 7 days, a royalty report
late, a dated milestone falling due in 7 days."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from marketplace.accounts.services import active_members
from marketplace.core.money import Money
from marketplace.ip.licenses import royalties
from marketplace.ip.licenses.models import License, LicenseMilestone, RoyaltyReport
from marketplace.ip.licenses.reports import REPORTING_STATUSES, last_day
from marketplace.notifications import reminders
from marketplace.notifications.reminders import Reminder

REPORT_DUE_SOON_DAYS = 7
MILESTONE_DUE_SOON_DAYS = 7


def _managers(session, license: License) -> list:
    return active_members(session, license.licensee_id, managers_only=True)


def _unreported_periods(session, today: date) -> list[tuple[License, royalties.Period]]:
    """Ended reporting periods of reporting licenses that have no report yet."""
    licenses = list(session.execute(
        sa.select(License).where(License.status.in_(REPORTING_STATUSES))
        .options(selectinload(License.licensor)).order_by(License.id)
    ).scalars())
    reported = {tuple(row) for row in session.execute(sa.select(RoyaltyReport.license_id, RoyaltyReport.period_start))}
    return [
        (license, period)
        for license in licenses
        for period in royalties.reporting_periods(license.start_date, last_day(license), license.reporting_period, today)
        if period.end < today and (license.id, period.start) not in reported
    ]


def _report_reminder(session, license: License, period: royalties.Period, kind: str, stage: str, title: str) -> Reminder:
    span = f"{period.start.isoformat()} to {period.end.isoformat()}"
    return Reminder(
        kind=kind, object_type="license", object_id=license.id, stage=f"{period.start.isoformat()}/{stage}",
        people=_managers(session, license), title=title,
        body=f"The royalty report of license {license.id} with {license.licensor.name} for {span} "
             f"is due on {period.due_date.isoformat()}.",
        path=f"/licenses/{license.id}", data={"license_id": license.id, "period_start": period.start.isoformat()},
    )


def royalty_reports_due(session, today: date) -> list[Reminder]:
    """Unsubmitted royalty reports due within 7 days (today included)."""
    return [
        _report_reminder(session, license, period, "royalty_report_due", f"due_in_{REPORT_DUE_SOON_DAYS}",
                         f"Royalty report for license {license.id} due on {period.due_date.isoformat()}")
        for license, period in _unreported_periods(session, today)
        if 0 <= (period.due_date - today).days <= REPORT_DUE_SOON_DAYS
    ]


def royalty_reports_late(session, today: date) -> list[Reminder]:
    """Royalty reports past their due date and still not submitted."""
    return [
        _report_reminder(session, license, period, "royalty_report_late", "late",
                         f"Royalty report for license {license.id} is late")
        for license, period in _unreported_periods(session, today)
        if period.due_date < today
    ]


def milestones_due(session, today: date) -> list[Reminder]:
    """Pending dated milestones of active licenses falling due within 7 days (they are invoiced on the day)."""
    due = session.execute(
        sa.select(LicenseMilestone)
        .join(License, License.id == LicenseMilestone.license_id)
        .where(License.status == "active", LicenseMilestone.status == "pending",
               LicenseMilestone.due_date >= today,
               LicenseMilestone.due_date <= today + timedelta(days=MILESTONE_DUE_SOON_DAYS))
        .options(selectinload(LicenseMilestone.license))
        .order_by(LicenseMilestone.id)
    ).scalars()
    return [
        Reminder(
            kind="license_milestone_due", object_type="license_milestone", object_id=milestone.id,
            stage=f"due_in_{MILESTONE_DUE_SOON_DAYS}", people=_managers(session, milestone.license),
            title=f"Milestone due on license {milestone.license_id}: {milestone.name}",
            body=f"“{milestone.name}” falls due on {milestone.due_date.isoformat()}; "
                 f"{Money(milestone.amount, milestone.license.currency).format()} will be invoiced then.",
            path=f"/licenses/{milestone.license_id}",
            data={"license_id": milestone.license_id, "milestone_id": milestone.id},
        )
        for milestone in due
    ]


def register() -> None:
    reminders.register("royalty_report_due", "A royalty report your organization owes is due in 7 days.",
                       royalty_reports_due)
    reminders.register("royalty_report_late", "A royalty report your organization owes is late.", royalty_reports_late)
    reminders.register("license_milestone_due", "A milestone payment of your license falls due in 7 days.",
                       milestones_due)
