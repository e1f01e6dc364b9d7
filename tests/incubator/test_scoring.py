from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from marketplace.core.audit import AuditEvent
from marketplace.core.db import utcnow
from marketplace.extensions import db
from marketplace.incubator import scoring
from marketplace.incubator.models import Review
from tests.helpers import assert_problem, outbox

# ---- arithmetic ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        (Fraction(10, 3), Decimal("3.33")),
        (Fraction(11, 3), Decimal("3.67")),
        (Fraction(3125, 1000), Decimal("3.13")),  # exactly half: up
        (Fraction(3124, 1000), Decimal("3.12")),
        (Fraction(5), Decimal("5.00")),
        (Fraction(-1, 8), Decimal("-0.13")),  # half away from zero
        (Fraction(0), Decimal("0.00")),
    ],
)
def test_display_rounding_is_half_up_to_two_places(value, expected):
    assert scoring.rounded(value) == expected
    assert str(scoring.rounded(value)) == str(expected)


@given(st.fractions(min_value=0, max_value=5))
def test_rounding_is_never_more_than_half_a_cent_off(value):
    assert abs(Fraction(scoring.rounded(value)) - value) <= Fraction(1, 200)


def test_weighted_average_and_spread_are_exact():
    # weights 3, 2, 1; reviewer A scores 5, 4, 1 -> 24/6 = 4; reviewer B scores 3, 3, 5 -> 20/6 = 10/3
    scores = scoring.score_applications([(1, 3 * 5 + 2 * 4 + 1 * 1, 6), (1, 3 * 3 + 2 * 3 + 1 * 5, 6)])
    entry = scores[1]
    assert entry.review_scores == [Fraction(4), Fraction(10, 3)]
    assert entry.average == Fraction(11, 3) and scoring.rounded(entry.average) == Decimal("3.67")
    assert entry.spread == Fraction(2, 3) and scoring.rounded(entry.spread) == Decimal("0.67")


def test_ranking_orders_by_exact_average_then_reviews_then_submission():
    now = utcnow()
    a = scoring.Candidate(1, now, scoring.ApplicationScore(1, [Fraction(10, 3)]))  # 3.333...
    b = scoring.Candidate(2, now, scoring.ApplicationScore(2, [Fraction(333, 100)]))  # 3.33: rounds the same
    c = scoring.Candidate(3, now, scoring.ApplicationScore(3, [Fraction(10, 3), Fraction(10, 3)]))  # more reviews
    d = scoring.Candidate(4, now - timedelta(days=1), scoring.ApplicationScore(4, [Fraction(333, 100)]))  # earlier
    e = scoring.Candidate(5, now, scoring.ApplicationScore(5))  # unreviewed
    assert [x.application_id for x in scoring.rank([e, b, a, d, c])] == [3, 1, 4, 2, 5]


# ---- reviewers and reviews ---------------------------------------------------------------------


@pytest.fixture
def reviewing(incubator, make_cohort, make_startup, make_application):
    cohort = make_cohort(incubator.org, status="selecting", window="closed")
    application = make_application(cohort, make_startup())
    return cohort, application


def _scores(cohort, *values):
    return [{"criterion_id": c.id, "score": v} for c, v in zip(cohort.criteria, values)]


def _assign(client, application, user):
    return client.post(f"/api/v1/incubator/applications/{application.id}/reviewers", json={"user_id": user.id})


def test_manager_assigns_a_reviewer_from_the_incubator_who_is_notified(login, incubator, reviewing):
    _, application = reviewing
    response = _assign(login(incubator.manager), application, incubator.staff)
    assert response.status_code == 201 and response.json["reviewer"]["id"] == incubator.staff.id
    assert outbox(to=incubator.staff.email, category="incubator.review_assigned")
    assert_problem(_assign(login(incubator.manager), application, incubator.staff), 409)


def test_reviewers_must_belong_to_the_incubator(login, make_user, incubator, reviewing):
    _, application = reviewing
    outsider = make_user(kind="incubator")
    assert_problem(_assign(login(incubator.manager), application, outsider), 422, "user_id")


def test_reviewer_scores_every_criterion_and_can_revise(login, incubator, reviewing):
    cohort, application = reviewing
    _assign(login(incubator.manager), application, incubator.staff)
    client = login(incubator.staff)
    url = f"/api/v1/incubator/applications/{application.id}/review"
    first = client.put(url, json={"scores": _scores(cohort, 5, 4, 1), "comment": "Strong team"})
    assert first.status_code == 200, first.json
    assert first.json["weighted_score"] == "4.00" and first.json["comment"] == "Strong team"
    revised = client.put(url, json={"scores": _scores(cohort, 3, 3, 5)})
    assert revised.json["id"] == first.json["id"] and revised.json["weighted_score"] == "3.33"
    review = db.session.get(Review, first.json["id"])
    assert sorted(s.score for s in review.scores) == [3, 3, 5]
    update = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "incubator_review.update")).scalar_one()
    criterion = str(cohort.criteria[0].id)
    assert update.changes["scores"][criterion] == [5, 3]


def test_scores_must_match_the_rubric_and_stay_within_one_to_five(login, incubator, reviewing):
    cohort, application = reviewing
    _assign(login(incubator.manager), application, incubator.staff)
    client = login(incubator.staff)
    url = f"/api/v1/incubator/applications/{application.id}/review"
    assert_problem(client.put(url, json={"scores": _scores(cohort, 5, 4)}), 422, "scores")
    assert_problem(client.put(url, json={"scores": _scores(cohort, 5, 4, 6)}), 422, "scores")
    unknown = _scores(cohort, 5, 4, 3) + [{"criterion_id": 999_999, "score": 3}]
    assert_problem(client.put(url, json={"scores": unknown}), 422, "scores")
    assert db.session.query(Review).count() == 0


def test_unassigned_staff_neither_see_nor_score_an_application(login, incubator, reviewing):
    cohort, application = reviewing
    _assign(login(incubator.manager), application, incubator.staff)
    other = login(incubator.other_staff)
    assert_problem(other.get(f"/api/v1/incubator/applications/{application.id}"), 404)
    url = f"/api/v1/incubator/applications/{application.id}/review"
    assert_problem(other.put(url, json={"scores": _scores(cohort, 5, 5, 5)}), 404)
    assert other.get(f"/api/v1/incubator/cohorts/{cohort.id}/applications").json["total"] == 0
    assigned = login(incubator.staff)
    assert [a["id"] for a in assigned.get("/api/v1/incubator/applications").json["items"]] == [application.id]
    assert assigned.get(f"/api/v1/incubator/cohorts/{cohort.id}/applications").json["total"] == 1


def test_a_manager_must_be_assigned_to_score(login, incubator, reviewing):
    cohort, application = reviewing
    url = f"/api/v1/incubator/applications/{application.id}/review"
    assert_problem(login(incubator.manager).put(url, json={"scores": _scores(cohort, 5, 5, 5)}), 403)


def test_reviewers_see_only_their_own_review_and_the_startup_none(login, incubator, make_startup, make_cohort,
                                                                  make_application):
    cohort = make_cohort(incubator.org, status="selecting", window="closed")
    startup = make_startup()
    application = make_application(cohort, startup)
    manager = login(incubator.manager)
    for reviewer, values in ((incubator.staff, (5, 5, 5)), (incubator.other_staff, (1, 1, 1))):
        _assign(manager, application, reviewer)
        login(reviewer).put(f"/api/v1/incubator/applications/{application.id}/review",
                            json={"scores": _scores(cohort, *values)})
    url = f"/api/v1/incubator/applications/{application.id}/reviews"
    assert len(manager.get(url).json) == 2
    own = login(incubator.staff).get(url).json
    assert [r["reviewer"]["id"] for r in own] == [incubator.staff.id]
    assert_problem(login(startup.founder).get(url), 403)


def test_a_reviewer_who_has_scored_stays_assigned(login, incubator, reviewing):
    cohort, application = reviewing
    manager = login(incubator.manager)
    _assign(manager, application, incubator.staff)
    _assign(manager, application, incubator.other_staff)
    login(incubator.staff).put(f"/api/v1/incubator/applications/{application.id}/review",
                               json={"scores": _scores(cohort, 3, 3, 3)})
    base = f"/api/v1/incubator/applications/{application.id}/reviewers"
    assert_problem(manager.delete(f"{base}/{incubator.staff.id}"), 409)
    assert manager.delete(f"{base}/{incubator.other_staff.id}").status_code == 204
    assert_problem(manager.delete(f"{base}/{incubator.other_staff.id}"), 404)


def test_ranked_list_shows_weighted_averages_and_spread(login, incubator, make_cohort, make_startup,
                                                        make_application):
    cohort = make_cohort(incubator.org, status="selecting", window="closed")
    # weights 3 (Team), 2 (Technology), 1 (Market)
    plan = {
        "Alpha": [(5, 4, 1), (3, 3, 5)],  # 24/6=4, 20/6=10/3 -> avg 11/3 = 3.67, spread 2/3 = 0.67
        "Beta": [(4, 4, 4), (4, 4, 4)],  # 4, 4 -> 4.00, spread 0.00
        "Gamma": [(1, 2, 3)],  # (3+4+3)/6 = 10/6 -> 1.67, spread 0.00
        "Delta": [],  # unreviewed: last
    }
    manager = login(incubator.manager)
    reviewers = [(incubator.staff, login(incubator.staff)), (incubator.other_staff, login(incubator.other_staff))]
    ids = {}
    for name, reviews in plan.items():
        application = make_application(cohort, make_startup(name=name))
        ids[application.id] = name
        for (reviewer, client), values in zip(reviewers, reviews):
            _assign(manager, application, reviewer)
            saved = client.put(f"/api/v1/incubator/applications/{application.id}/review",
                               json={"scores": _scores(cohort, *values)})
            assert saved.status_code == 200, saved.json
    ranking = manager.get(f"/api/v1/incubator/cohorts/{cohort.id}/ranking").json
    rows = [(r["rank"], ids[r["application"]["id"]], r["weighted_average"], r["spread"], r["review_count"])
            for r in ranking["items"]]
    assert rows == [
        (1, "Beta", "4.00", "0.00", 2),
        (2, "Alpha", "3.67", "0.67", 2),
        (3, "Gamma", "1.67", "0.00", 1),
        (4, "Delta", None, None, 0),
    ]
    assert (ranking["capacity"], ranking["accepted"]) == (3, 0)
    assert_problem(login(incubator.staff).get(f"/api/v1/incubator/cohorts/{cohort.id}/ranking"), 403)
