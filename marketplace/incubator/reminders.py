"""Incubator reminders: the monthly KPI report of a startup in a running cohort (to the startup's
members), and a cohort's application window closing in 2 days (to the authors of drafts not submitted)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import User
from marketplace.accounts.services import active_members
from marketplace.incubator.models import Application, Cohort, CohortMember, KPIReport
from marketplace.notifications import reminders
from marketplace.notifications.reminders import Reminder

#: a startup reports its KPIs for each calendar month; the report is due on this day of the next month
KPI_DUE_DAY = 7
WINDOW_CLOSING_DAYS = 2


def _previous_month(today: date) -> tuple[date, date]:
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def kpi_reports_due(session, today: date) -> list[Reminder]:
    """Active members of running cohorts with no KPI report covering last month (from the 1st of the month)."""
    start, end = _previous_month(today)
    due_on = today.replace(day=KPI_DUE_DAY)
    reported = sa.select(KPIReport.id).where(
        KPIReport.member_id == CohortMember.id, KPIReport.period_start <= end, KPIReport.period_end >= start
    ).exists()
    members = session.execute(
        sa.select(CohortMember)
        .join(Cohort, Cohort.id == CohortMember.cohort_id)
        .where(Cohort.status == "running", CohortMember.status == "active",
               Cohort.starts_on <= end, Cohort.ends_on >= start, ~reported)
        .options(selectinload(CohortMember.cohort))
        .order_by(CohortMember.id)
    ).scalars()
    month = start.strftime("%Y-%m")
    return [
        Reminder(
            kind="kpi_report_due", object_type="cohort_member", object_id=member.id, stage=month,
            people=active_members(session, member.startup_id),
            title=f"KPI report for {month} due on {due_on.isoformat()}",
            body=f"Please report your key figures for {start.isoformat()} to {end.isoformat()} to "
                 f"{member.cohort.name} by {due_on.isoformat()}.",
            path=f"/incubator/members/{member.id}", data={"member_id": member.id, "cohort_id": member.cohort_id},
        )
        for member in members
    ]


def applications_closing(session, today: date) -> list[Reminder]:
    """Draft applications to open cohorts whose application window closes within 2 days."""
    day_start = datetime.combine(today, time.min, tzinfo=timezone.utc)
    drafts = session.execute(
        sa.select(Application)
        .join(Cohort, Cohort.id == Application.cohort_id)
        .where(Application.status == "draft", Cohort.status == "open",
               Cohort.applications_close_at >= day_start,
               Cohort.applications_close_at < day_start + timedelta(days=WINDOW_CLOSING_DAYS + 1))
        .options(selectinload(Application.cohort))
        .order_by(Application.id)
    ).scalars()
    found = []
    for application in drafts:
        author = session.get(User, application.created_by_id) if application.created_by_id else None
        people = [author] if author is not None and author.removed_at is None and author.suspended_at is None \
            else active_members(session, application.startup_id, managers_only=True)
        closes = application.cohort.applications_close_at
        found.append(Reminder(
            kind="application_window_closing", object_type="incubator_application", object_id=application.id,
            stage=f"closing_in_{WINDOW_CLOSING_DAYS}", people=people,
            title=f"Applications to {application.cohort.name} close on {closes.date().isoformat()}",
            body=f"Your application to {application.cohort.name} is still a draft. Submit it before "
                 f"{closes.strftime('%Y-%m-%d %H:%M')} UTC to be considered.",
            path=f"/incubator/applications/{application.id}",
            data={"application_id": application.id, "cohort_id": application.cohort_id},
        ))
    return found


def register() -> None:
    reminders.register("kpi_report_due", "Your startup's monthly KPI report is due.", kpi_reports_due)
    reminders.register("application_window_closing",
                       "A cohort closes its applications in 2 days and your application is still a draft.",
                       applications_closing)
