"""Royalty arithmetic: periods from the license start, license years, royalty half-up, minimum true-up."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.ip.licenses import royalties
from marketplace.ip.licenses.royalties import Period

starts = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))
kinds = st.sampled_from(sorted(royalties.PERIOD_MONTHS))


def test_add_months_clamps_to_the_end_of_the_month():
    assert royalties.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert royalties.add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert royalties.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert royalties.add_months(date(2026, 5, 15), -6) == date(2025, 11, 15)


def test_quarters_are_counted_from_the_license_start_without_drift():
    periods = royalties.reporting_periods(date(2026, 1, 31), None, "quarterly", date(2026, 12, 31))
    assert periods == [
        Period(date(2026, 1, 31), date(2026, 4, 29)),
        Period(date(2026, 4, 30), date(2026, 7, 30)),
        Period(date(2026, 7, 31), date(2026, 10, 30)),
        Period(date(2026, 10, 31), date(2027, 1, 30)),
    ]
    assert periods[0].due_date == date(2026, 5, 29)


def test_the_last_period_and_year_are_cut_at_the_end_of_the_term():
    periods = royalties.reporting_periods(date(2026, 1, 1), date(2026, 8, 15), "quarterly", date(2030, 1, 1))
    assert periods[-1] == Period(date(2026, 7, 1), date(2026, 8, 15))
    year = royalties.license_year_of(date(2026, 1, 1), date(2026, 8, 15), date(2026, 7, 1))
    assert year == Period(date(2026, 1, 1), date(2026, 8, 15))


@given(start=starts, kind=kinds, length=st.integers(min_value=0, max_value=3000))
def test_periods_tile_the_term_without_gaps_or_overlaps(start, kind, length):
    end = start + timedelta(days=length)
    periods = royalties.reporting_periods(start, end, kind, end)
    assert periods[0].start == start and periods[-1].end == end
    for before, after in zip(periods, periods[1:]):
        assert after.start == before.end + timedelta(days=1)


@given(start=starts, kind=kinds, years=st.integers(min_value=1, max_value=6))
def test_reporting_periods_never_straddle_license_years(start, kind, years):
    until = royalties.add_months(start, 12 * years) - timedelta(days=1)
    for period in royalties.reporting_periods(start, None, kind, until):
        year = royalties.license_year_of(start, None, period.start)
        assert year.start <= period.start and period.end <= year.end
        assert period in royalties.periods_in_year(start, None, kind, year)
    year = royalties.license_year_of(start, None, start)
    assert len(royalties.periods_in_year(start, None, kind, year)) == 12 // royalties.PERIOD_MONTHS[kind]


@pytest.mark.parametrize(
    ("net_sales", "rate_bps", "royalty"),
    [(1_000_000, 350, 35_000), (333, 150, 5), (1, 5_000, 1), (3, 5_000, 2), (0, 800, 0), (199, 250, 5)],
)
def test_royalty_is_rate_times_net_sales_rounded_half_up(net_sales, rate_bps, royalty):
    # 333 x 1.5% = 4.995 -> 5; 1 x 50% = 0.5 -> 1; 3 x 50% = 1.5 -> 2; 199 x 2.5% = 4.975 -> 5
    assert royalties.royalty_due(net_sales, rate_bps) == royalty


@given(net_sales=st.integers(min_value=0, max_value=10**12), rate=st.integers(min_value=0, max_value=10_000))
def test_royalty_is_within_half_a_minor_unit_of_the_exact_value(net_sales, rate):
    royalty = royalties.royalty_due(net_sales, rate)
    assert abs(royalty * 10_000 - net_sales * rate) * 2 <= 10_000


def test_true_up_charges_the_shortfall_below_the_minimum_and_never_a_credit():
    year = Period(date(2026, 3, 1), date(2027, 2, 28))
    assert royalties.true_up(50_000_00, year, 32_500_00) == 17_500_00
    assert royalties.true_up(50_000_00, year, 50_000_00) == 0
    assert royalties.true_up(50_000_00, year, 80_000_00) == 0


def test_minimum_of_a_year_cut_short_is_pro_rata():
    # 181 of 365 days: 10,000.00 x 181 / 365 = 4,958.904... -> 4,958.90
    short = Period(date(2026, 1, 1), date(2026, 6, 30))
    assert royalties.minimum_for_year(10_000_00, short) == 4_958_90
    assert royalties.minimum_for_year(10_000_00, Period(date(2028, 1, 1), date(2028, 12, 31))) == 10_000_00
