"""Reviewers, rubric scores and the ranked list of a cohort's applications."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import User
from marketplace.core import audit
from marketplace.core.db import utcnow
from marketplace.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from marketplace.incubator import access, scoring
from marketplace.incubator.models import Application, Cohort, Review, ReviewerAssignment, ReviewScore, RubricCriterion
from marketplace.incubator.services.notices import tell_user
from marketplace.incubator.services.programs import accepted_count

#: application and cohort states in which reviewers are assigned and score
REVIEWABLE = ("submitted", "waitlisted")
REVIEWING = ("open", "selecting")


def _ensure_reviewable(application: Application) -> None:
    if application.status not in REVIEWABLE:
        raise Conflict(f"An application that is {application.status} is no longer reviewed.")
    if application.cohort.status not in REVIEWING:
        raise Conflict(f"Reviews are closed: the cohort is {application.cohort.status}.")


def assign_reviewer(session, actor: User, application_id: int, reviewer_id: int) -> ReviewerAssignment:
    """Ask a member of the incubator to review an application (they are notified)."""
    application = access.managed_application(session, actor, application_id)
    _ensure_reviewable(application)
    incubator_id = application.cohort.program.incubator_id
    reviewer = session.get(User, reviewer_id)
    if reviewer is None or not access.is_staff(reviewer, incubator_id) or not reviewer.is_active:
        raise ValidationFailed(
            "Reviewers must be active members of your incubator.",
            errors={"user_id": ["Not an active member of your incubator."]},
        )
    if access.is_assigned_reviewer(session, reviewer, application.id):
        raise Conflict("This person already reviews this application.")
    assignment = ReviewerAssignment(
        application_id=application.id, reviewer_id=reviewer.id, assigned_at=utcnow(), assigned_by_id=actor.id
    )
    session.add(assignment)
    session.flush()
    audit.record(session, "incubator_application.assign_reviewer", application, changes={"reviewer_id": reviewer.id})
    tell_user(
        session,
        reviewer,
        kind="incubator.review_assigned",
        title=f"Please review {application.startup.name}'s application",
        body=f"You have been asked to review {application.startup.name}'s application to {application.cohort.name}.",
        data={"application_id": application.id, "cohort_id": application.cohort_id},
    )
    return assignment


def unassign_reviewer(session, actor: User, application_id: int, reviewer_id: int) -> None:
    """Take a reviewer off an application they have not reviewed yet."""
    application = access.managed_application(session, actor, application_id)
    assignment = session.get(ReviewerAssignment, {"application_id": application.id, "reviewer_id": reviewer_id})
    if assignment is None:
        raise NotFound("This person does not review this application.")
    if _review_of(session, application.id, reviewer_id) is not None:
        raise Conflict("This reviewer has already scored the application; the review stays on record.")
    session.delete(assignment)
    audit.record(session, "incubator_application.unassign_reviewer", application, changes={"reviewer_id": reviewer_id})


def _review_of(session, application_id: int, reviewer_id: int) -> Review | None:
    return session.execute(
        sa.select(Review).where(Review.application_id == application_id, Review.reviewer_id == reviewer_id)
    ).scalar_one_or_none()


def _scores_by_criterion(review: Review | None) -> dict:
    return {str(s.criterion_id): s.score for s in review.scores} if review else {}


def save_review(session, actor: User, application_id: int, data: dict) -> Review:
    """Score every criterion of the rubric 1-5 (an assigned reviewer; again to revise)."""
    application = access.application(session, actor, application_id)
    if not access.is_assigned_reviewer(session, actor, application.id):
        raise Forbidden("Only reviewers assigned to this application may score it.")
    _ensure_reviewable(application)
    criteria = {c.id: c for c in application.cohort.criteria}
    given = {s["criterion_id"]: s for s in data["scores"]}
    errors = {}
    if len(given) != len(data["scores"]):
        errors["scores"] = ["Each criterion may be scored once."]
    unknown = sorted(set(given) - set(criteria))
    missing = sorted(set(criteria) - set(given))
    if unknown:
        errors["scores"] = [f"Not criteria of this cohort's rubric: {unknown}."]
    elif missing:
        errors["scores"] = [f"Every criterion must be scored; missing: {missing}."]
    if errors:
        raise ValidationFailed("The scores do not match the rubric.", errors=errors)
    review = _review_of(session, application.id, actor.id)
    before = _scores_by_criterion(review)
    created = review is None
    if created:
        review = Review(application_id=application.id, reviewer_id=actor.id)
        session.add(review)
    review.comment = data["comment"]
    existing = {s.criterion_id: s for s in review.scores}
    for criterion_id, item in given.items():
        score = existing.get(criterion_id)
        if score is None:
            review.scores.append(ReviewScore(criterion_id=criterion_id, score=item["score"], comment=item["comment"]))
        else:
            score.score, score.comment = item["score"], item["comment"]
    session.flush()
    after = _scores_by_criterion(review)
    audit.record(
        session,
        "incubator_review.create" if created else "incubator_review.update",
        review,
        changes={"application_id": application.id, "scores": audit.diff(before, after)},
    )
    return review


def list_reviews(session, actor: User, application_id: int) -> list[Review]:
    """Every review for managers; a reviewer's own review for a reviewer."""
    application = access.application(session, actor, application_id)
    stmt = (
        sa.select(Review)
        .where(Review.application_id == application.id)
        .options(selectinload(Review.scores), selectinload(Review.reviewer))
        .order_by(Review.id)
    )
    if access.is_manager(actor, application.cohort.program.incubator_id):
        return list(session.execute(stmt).scalars())
    if access.is_assigned_reviewer(session, actor, application.id):
        return list(session.execute(stmt.where(Review.reviewer_id == actor.id)).scalars())
    raise Forbidden("Reviews are for the incubator's managers and reviewers.")


# ---- ranking -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankedApplication:
    rank: int
    application: Application
    review_count: int
    weighted_average: object
    spread: object


def review_totals(session, cohort_id: int):
    """``(application_id, sum(weight * score), sum(weight))`` for each review of the cohort (one query)."""
    return session.execute(
        sa.select(
            Review.application_id,
            sa.func.sum(RubricCriterion.weight * ReviewScore.score),
            sa.func.sum(RubricCriterion.weight),
        )
        .join(ReviewScore, ReviewScore.review_id == Review.id)
        .join(RubricCriterion, RubricCriterion.id == ReviewScore.criterion_id)
        .join(Application, Application.id == Review.application_id)
        .where(Application.cohort_id == cohort_id)
        .group_by(Review.id, Review.application_id)
    ).all()


def ranking(session, actor: User, cohort_id: int) -> dict:
    """The cohort's submitted applications, best weighted average first, with the reviewers' spread."""
    cohort: Cohort = access.cohort(session, actor, cohort_id, manage=True)
    applications = list(
        session.execute(
            sa.select(Application)
            .where(Application.cohort_id == cohort.id, Application.status.not_in(("draft", "withdrawn")))
            .options(selectinload(Application.startup))
        ).scalars()
    )
    scores = scoring.score_applications((a, int(s), int(w)) for a, s, w in review_totals(session, cohort.id))
    by_id = {a.id: a for a in applications}
    candidates = [
        scoring.Candidate(a.id, a.submitted_at, scores.get(a.id) or scoring.ApplicationScore(a.id)) for a in applications
    ]
    items = [
        RankedApplication(
            rank=position,
            application=by_id[c.application_id],
            review_count=c.score.review_count,
            weighted_average=scoring.rounded(c.score.average),
            spread=scoring.rounded(c.score.spread),
        )
        for position, c in enumerate(scoring.rank(candidates), start=1)
    ]
    return {
        "cohort_id": cohort.id,
        "capacity": cohort.capacity,
        "accepted": accepted_count(session, cohort.id),
        "items": items,
    }
