import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from marketplace.core.errors import InvalidTransition
from marketplace.core.money import Money, apply_bps, exponent, prorate
from marketplace.core.pagination import paginate
from marketplace.core.statemachine import ANY, StateMachine
from marketplace.core.text import slugify

MACHINE = StateMachine(
    "listing",
    {"submit": {"draft": "in_review"}, "approve": {"in_review": "published"}, "suspend": {ANY: "suspended"}},
    terminal=frozenset({"deleted"}),
)


class Thing:
    status = "draft"


def test_state_machine_applies_allowed_transition():
    thing = Thing()
    assert MACHINE.apply(thing, "submit") == ("draft", "in_review")
    assert thing.status == "in_review"


def test_state_machine_refuses_illegal_transition_naming_allowed_actions():
    thing = Thing()
    with pytest.raises(InvalidTransition) as exc:
        MACHINE.apply(thing, "approve")
    assert exc.value.extra == {"current_state": "draft", "allowed_actions": ["submit", "suspend"]}
    assert thing.status == "draft"


def test_wildcard_transition_skips_terminal_and_same_state():
    assert MACHINE.allowed_actions("deleted") == []
    assert "suspend" not in MACHINE.allowed_actions("suspended")


def test_money_formats_with_currency_exponent():
    assert Money(123450, "EUR").format() == "EUR 1,234.50"
    assert Money(5000, "JPY").format() == "JPY 5,000"
    assert Money(1500, "KWD").format() == "KWD 1.500"
    assert exponent("JPY") == 0


def test_money_refuses_floats_and_unknown_currencies():
    with pytest.raises(TypeError):
        Money(10.5, "EUR")
    with pytest.raises(ValueError):
        Money(10, "EURO")


def test_basis_points_round_half_up():
    assert apply_bps(1000, 250) == 25
    assert apply_bps(1, 5000) == 1  # 0.5 rounds up
    assert apply_bps(1, 4999) == 0


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=10_000))
def test_basis_points_never_exceed_amount_and_match_exact_rounding(amount, bps):
    fee = apply_bps(amount, bps)
    assert 0 <= fee <= amount
    assert abs(fee * 10_000 - amount * bps) <= 5_000


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=10**9))
def test_prorate_of_whole_is_amount(amount, whole):
    assert prorate(whole, whole, amount) == amount


def test_slugify_folds_accents():
    assert slugify("Université de Lyon — Énergie!") == "universite-de-lyon-energie"


def test_paginate_counts_once_and_slices(app, make_org):
    from marketplace.accounts.models import Organization
    from marketplace.extensions import db

    for _ in range(5):
        make_org()
    page = paginate(db.session, sa.select(Organization).order_by(Organization.id), page=2, page_size=2)
    assert page.total == 5 and len(page.items) == 2 and page.pages == 3
