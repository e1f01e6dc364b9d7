"""Scoring arithmetic for the ranked list: exact fractions throughout, rounded once for display.

A review's score is the weighted mean of its criterion scores: ``sum(weight * score) / sum(weight)``.
An application's score is the plain mean of its reviews' scores (every reviewer counts the same),
its spread the highest review score minus the lowest. Both are kept as exact ``Fraction``s, so
ranking never depends on rounding; for display they are rounded half-up to two decimal places.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Iterable

DISPLAY_PLACES = 2


def review_score(weighted_sum: int, weight_total: int) -> Fraction:
    """One review's weighted mean, exactly."""
    if weight_total <= 0:
        raise ValueError("a review needs at least one weighted criterion")
    return Fraction(weighted_sum, weight_total)


def rounded(value: Fraction | None, places: int = DISPLAY_PLACES) -> Decimal | None:
    """``value`` rounded half-up (away from zero at .5) to ``places`` decimals, with integers only."""
    if value is None:
        return None
    scale = 10**places
    numerator, denominator = abs(value.numerator) * scale, value.denominator
    units = (2 * numerator + denominator) // (2 * denominator)
    sign = -1 if value < 0 else 1
    return Decimal(sign * units).scaleb(-places)


@dataclass
class ApplicationScore:
    application_id: int
    review_scores: list[Fraction] = field(default_factory=list)

    @property
    def review_count(self) -> int:
        return len(self.review_scores)

    @property
    def average(self) -> Fraction | None:
        """The mean of the reviews' weighted scores; None before the first review."""
        if not self.review_scores:
            return None
        return sum(self.review_scores, Fraction(0)) / len(self.review_scores)

    @property
    def spread(self) -> Fraction | None:
        """Highest minus lowest review score: how much the reviewers disagree."""
        if not self.review_scores:
            return None
        return max(self.review_scores) - min(self.review_scores)


def score_applications(review_totals: Iterable[tuple[int, int, int]]) -> dict[int, ApplicationScore]:
    """``{application_id: ApplicationScore}`` from ``(application_id, weighted_sum, weight_total)`` per review."""
    scores: dict[int, ApplicationScore] = {}
    for application_id, weighted_sum, weight_total in review_totals:
        entry = scores.setdefault(application_id, ApplicationScore(application_id))
        entry.review_scores.append(review_score(weighted_sum, weight_total))
    return scores


@dataclass(frozen=True)
class Candidate:
    application_id: int
    submitted_at: datetime | None
    score: ApplicationScore


def rank(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Best first: higher exact average; then more reviews; then earlier submission; then lower id.
    Unreviewed applications come last."""

    def key(c: Candidate):
        average = c.score.average
        return (
            average is None,
            -(average or 0),
            -c.score.review_count,
            c.submitted_at is None,
            c.submitted_at.timestamp() if c.submitted_at else 0,
            c.application_id,
        )

    return sorted(candidates, key=key)
