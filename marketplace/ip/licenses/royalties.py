"""Pure royalty arithmetic: reporting periods, license years, royalty due, minimum true-up.

Periods and license years are counted from the license's start date (a license year is not a
calendar year) and cut short by the end of the term or a termination. Amounts are integers in
minor units; every rounding is half-up.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from marketplace.core.money import apply_bps, prorate

PERIOD_MONTHS = {"quarterly": 3, "semiannual": 6, "annual": 12}
#: days after a period's end by which its report is due
REPORT_GRACE_DAYS = 30


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date

    @property
    def due_date(self) -> date:
        return self.end + timedelta(days=REPORT_GRACE_DAYS)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clamped to the month's last day (Jan 31 + 1 month = Feb 28/29)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _spans(start: date, months: int, last_day: date | None, until: date) -> list[Period]:
    """Consecutive spans of ``months`` from ``start``, each measured from ``start`` (no drift),
    those beginning on or before ``until``, the last one cut at ``last_day``."""
    spans: list[Period] = []
    n = 0
    while True:
        begin = add_months(start, n * months)
        if begin > until or (last_day is not None and begin > last_day):
            return spans
        end = add_months(start, (n + 1) * months) - timedelta(days=1)
        if last_day is not None and end > last_day:
            end = last_day
        spans.append(Period(begin, end))
        n += 1


def reporting_periods(start: date, last_day: date | None, reporting_period: str, until: date) -> list[Period]:
    """The reporting periods of a license that begin on or before ``until``."""
    return _spans(start, PERIOD_MONTHS[reporting_period], last_day, until)


def period_starting(start: date, last_day: date | None, reporting_period: str, period_start: date) -> Period | None:
    """The reporting period that begins on ``period_start``, or None when no period begins then."""
    for period in reporting_periods(start, last_day, reporting_period, period_start):
        if period.start == period_start:
            return period
    return None


def license_year_of(start: date, last_day: date | None, day: date) -> Period:
    """The license year (cut at ``last_day``) that contains ``day``."""
    return _spans(start, 12, last_day, day)[-1]


def royalty_due(net_sales_amount: int, rate_bps: int) -> int:
    """Royalty on net sales: rate x sales, half-up, in integers."""
    return apply_bps(net_sales_amount, rate_bps)


def minimum_for_year(minimum_annual_amount: int, year: Period) -> int:
    """The minimum annual royalty for a license year, pro rata (half-up) when the year was cut short."""
    full_year_days = (add_months(year.start, 12) - year.start).days
    if year.days >= full_year_days:
        return minimum_annual_amount
    return prorate(year.days, full_year_days, minimum_annual_amount)


def true_up(minimum_annual_amount: int, year: Period, royalties_of_year: int) -> int:
    """The shortfall to invoice when a year's royalties fall below its minimum (never negative)."""
    return max(0, minimum_for_year(minimum_annual_amount, year) - royalties_of_year)


def periods_in_year(start: date, last_day: date | None, reporting_period: str, year: Period) -> list[Period]:
    """The reporting periods that fall within a license year (periods never straddle years)."""
    return [p for p in reporting_periods(start, last_day, reporting_period, year.end) if p.start >= year.start]
