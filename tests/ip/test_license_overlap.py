from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from marketplace.core.taxonomy import children_of, technology_fields
from marketplace.ip.licenses.overlap import (
    WORLDWIDE,
    exclusivity_clashes,
    fields_overlap,
    shared_fields,
    shared_territories,
    terms_overlap,
    territories_overlap,
)

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1))
ends = st.one_of(st.none(), dates)
codes = st.sampled_from(sorted(technology_fields()))
countries = st.sampled_from(["US", "DE", "FR", "JP", "BR", "EU", WORLDWIDE])


@given(dates, ends, dates, ends)
def test_term_overlap_is_symmetric(a_start, a_end, b_start, b_end):
    assert terms_overlap(a_start, a_end, b_start, b_end) == terms_overlap(b_start, b_end, a_start, a_end)


@given(dates, st.integers(min_value=0, max_value=3650))
def test_a_term_overlaps_itself_and_an_open_ended_one(start, days):
    end = start + timedelta(days=days)
    assert terms_overlap(start, end, start, end)
    assert terms_overlap(start, end, date(1990, 1, 1), None)


@given(dates, st.integers(min_value=0, max_value=3650), st.integers(min_value=1, max_value=3650))
def test_terms_that_end_before_the_other_starts_do_not_overlap(start, days, gap):
    end = start + timedelta(days=days)
    later = end + timedelta(days=gap)
    assert not terms_overlap(start, end, later, None)


def test_adjacent_terms_touching_on_one_day_overlap():
    assert terms_overlap(date(2026, 1, 1), date(2026, 12, 31), date(2026, 12, 31), None)


@given(st.lists(codes, min_size=1, max_size=3), st.lists(codes, min_size=1, max_size=3))
def test_field_overlap_is_symmetric(a, b):
    assert fields_overlap(a, b) == fields_overlap(b, a)


@given(codes)
def test_a_parent_field_overlaps_each_child(code):
    for child in children_of(code):
        assert fields_overlap([code], [child])
        assert shared_fields([code], [child]) == [child]


def test_sibling_fields_do_not_overlap():
    assert not fields_overlap(["LS.THER"], ["LS.DIAG"])
    assert shared_fields(["LS"], ["LS"]) == ["LS"]


@given(st.lists(countries, min_size=1, max_size=3), st.lists(countries, min_size=1, max_size=3))
def test_territory_overlap_is_symmetric(a, b):
    assert territories_overlap(a, b) == territories_overlap(b, a)


@given(st.lists(countries, min_size=1, max_size=3))
def test_worldwide_overlaps_everything(territories):
    assert territories_overlap([WORLDWIDE], territories)


def test_regions_and_countries():
    assert territories_overlap(["EU"], ["DE"])
    assert not territories_overlap(["EU"], ["US", "JP"])
    assert shared_territories(["EU"], ["DE", "US"]) == ["DE"]
    assert shared_territories([WORLDWIDE], ["JP"]) == ["JP"]


def test_only_non_exclusive_pairs_never_clash():
    assert not exclusivity_clashes("non_exclusive", "non_exclusive")
    for kind in ("exclusive", "sole"):
        assert exclusivity_clashes(kind, "non_exclusive") and exclusivity_clashes("non_exclusive", kind)
