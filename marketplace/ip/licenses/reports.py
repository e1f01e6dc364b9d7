"""Royalty reports: the licensee reports net sales and units per territory for each period; the
royalty (rate x net sales) is invoiced, and the report that completes a license year trues up the
minimum annual royalty with an extra invoice for the shortfall. Late reports are listed."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from marketplace.core import audit
from marketplace.core.db import utcnow
from marketplace.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from marketplace.core.money import Money
from marketplace.ip.licenses import billing, overlap, royalties
from marketplace.ip.licenses.access import LICENSEE, LICENSOR, require_side, tell, visible_license
from marketplace.ip.licenses.models import License, RoyaltyReport, RoyaltyReportLine

#: licenses that owe reports for the periods they ran
REPORTING_STATUSES = ("active", "terminated", "expired")


def last_day(license: License) -> date | None:
    """The last day the license ran or will run: its end date, cut short by a termination."""
    ends = [d for d in (license.end_date, license.termination_date) if d is not None]
    return min(ends) if ends else None


def _period(license: License, period_start: date, today: date) -> royalties.Period:
    period = royalties.period_starting(license.start_date, last_day(license), license.reporting_period, period_start)
    if period is None:
        starts = [p.start.isoformat() for p in
                  royalties.reporting_periods(license.start_date, last_day(license), license.reporting_period, today)][-4:]
        raise ValidationFailed(
            "No reporting period of this license begins on that day.",
            errors={"period_start": [f"Periods begin on: {', '.join(starts) or license.start_date.isoformat()}."]},
        )
    if period.end >= today:
        raise ValidationFailed(
            f"The period ends on {period.end.isoformat()}: report it once it is over.",
            errors={"period_start": ["This period has not ended yet."]},
        )
    return period


def _check_lines(license: License, lines: list[dict]) -> None:
    territories = [line["territory"] for line in lines]
    errors = []
    if len(set(territories)) != len(territories):
        errors.append("Report each territory once.")
    outside = [t for t in territories if not overlap.territories_overlap([t], license.territories)]
    if outside:
        errors.append(f"Outside the licensed territories: {', '.join(outside)}.")
    if errors:
        raise ValidationFailed("Some sales lines are invalid.", errors={"lines": errors})


def _reports_of(session, license_id: int, starts: list[date]) -> list[RoyaltyReport]:
    return list(
        session.execute(
            sa.select(RoyaltyReport).where(RoyaltyReport.license_id == license_id, RoyaltyReport.period_start.in_(starts))
        ).scalars()
    )


def _true_up_if_year_complete(session, license: License, report: RoyaltyReport, today: date) -> None:
    """When this report completes its license year, invoice any shortfall below the minimum annual royalty."""
    if license.minimum_annual_royalty_amount <= 0:
        return
    end = last_day(license)
    year = royalties.license_year_of(license.start_date, end, report.period_start)
    periods = royalties.periods_in_year(license.start_date, end, license.reporting_period, year)
    reports = _reports_of(session, license.id, [p.start for p in periods])
    if len(reports) < len(periods):
        return
    paid_in_royalties = sum(r.royalty_amount for r in reports)
    shortfall = royalties.true_up(license.minimum_annual_royalty_amount, year, paid_in_royalties)
    if shortfall <= 0:
        return
    report.true_up_amount = shortfall
    session.flush()
    report.true_up_invoice_id = billing.invoice_true_up(session, report, year.start, year.end, today)
    audit.record(
        session,
        "royalty_report.true_up",
        report,
        changes={"license_year": [year.start, year.end], "royalties": paid_in_royalties,
                 "minimum": royalties.minimum_for_year(license.minimum_annual_royalty_amount, year),
                 "true_up_amount": shortfall, "invoice_id": report.true_up_invoice_id},
    )


def submit(session, user, license_id: int, *, period_start: date, lines: list[dict]) -> RoyaltyReport:
    """The licensee reports a finished period; the royalty and any minimum true-up are invoiced."""
    license, side = visible_license(session, user, license_id, lock=True)
    require_side(side, LICENSEE, "submit royalty reports")
    if license.status not in REPORTING_STATUSES:
        raise InvalidTransition(
            f"A {license.status.replace('_', ' ')} license has no royalty reports yet.",
            current_state=license.status,
            allowed_actions=[],
        )
    today = utcnow().date()
    period = _period(license, period_start, today)
    if _reports_of(session, license.id, [period.start]):
        raise Conflict("This period was already reported.", slug="period-reported")
    _check_lines(license, lines)
    net_sales = sum(line["net_sales_amount"] for line in lines)
    report = RoyaltyReport(
        license_id=license.id,
        period_start=period.start,
        period_end=period.end,
        due_date=period.due_date,
        currency=license.currency,
        net_sales_amount=net_sales,
        units=sum(line["units"] for line in lines),
        royalty_rate_bps=license.royalty_rate_bps,
        royalty_amount=royalties.royalty_due(net_sales, license.royalty_rate_bps),
        submitted_by_id=user.id,
        submitted_at=utcnow(),
        is_late=today > period.due_date,
        lines=[RoyaltyReportLine(**line) for line in lines],
    )
    session.add(report)
    session.flush()
    if report.royalty_amount > 0:
        report.invoice_id = billing.invoice_royalty(session, report, today)
    audit.record(
        session,
        "royalty_report.submit",
        report,
        changes={"license_id": license.id, "period": [period.start, period.end], "net_sales_amount": net_sales,
                 "units": report.units, "royalty_amount": report.royalty_amount, "invoice_id": report.invoice_id,
                 "is_late": report.is_late},
    )
    _true_up_if_year_complete(session, license, report, today)
    owed = Money(report.royalty_amount + report.true_up_amount, license.currency).format()
    tell(session, license, LICENSOR, kind="royalty_report", actor_id=user.id, report_id=report.id,
         title=f"Royalty report for license {license.id}: {period.start.isoformat()} to {period.end.isoformat()}",
         body=f"{license.licensee.name} reported net sales of {Money(net_sales, license.currency).format()}; "
              f"{owed} is invoiced" + (" (including the minimum annual royalty true-up)." if report.true_up_amount else "."))
    return report


def list_reports(session, user, license_id: int) -> list[RoyaltyReport]:
    license, _ = visible_license(session, user, license_id)
    return list(
        session.execute(
            sa.select(RoyaltyReport).where(RoyaltyReport.license_id == license.id).order_by(RoyaltyReport.period_start)
        ).scalars()
    )


def get_report(session, user, license_id: int, report_id: int) -> RoyaltyReport:
    license, _ = visible_license(session, user, license_id)
    report = session.get(RoyaltyReport, report_id)
    if report is None or report.license_id != license.id:
        raise NotFound("No such royalty report.")
    return report


def late_reports(session, user, *, today: date | None = None) -> list[dict]:
    """Reports of the caller's licenses that are overdue (missing past their due date) or came in late."""
    today = today or utcnow().date()
    org = user.organization_id
    licenses = list(
        session.execute(
            sa.select(License)
            .where(sa.or_(License.licensor_id == org, License.licensee_id == org), License.status.in_(REPORTING_STATUSES))
            .order_by(License.id)
        ).scalars()
    )
    if not licenses:
        return []
    submitted = {
        (r.license_id, r.period_start): r
        for r in session.execute(
            sa.select(RoyaltyReport).where(RoyaltyReport.license_id.in_([lic.id for lic in licenses]))
        ).scalars()
    }
    late = []
    for license in licenses:
        for period in royalties.reporting_periods(license.start_date, last_day(license), license.reporting_period, today):
            if period.due_date >= today:
                continue
            report = submitted.get((license.id, period.start))
            if report is not None and not report.is_late:
                continue
            reported_on = report.submitted_at.date() if report else None
            late.append({
                "license_id": license.id,
                "licensor": license.licensor,
                "licensee": license.licensee,
                "period_start": period.start,
                "period_end": period.end,
                "due_date": period.due_date,
                "report_id": report.id if report else None,
                "submitted_at": report.submitted_at if report else None,
                "days_late": ((reported_on or today) - period.due_date).days,
            })
    return late
