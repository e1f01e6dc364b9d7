"""Applications, reviewers, reviews and the ranked list."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from marketplace.accounts.schemas import OrganizationRefSchema, PersonRefSchema
from marketplace.core.pagination import PageArgs
from marketplace.core.schemas import DecimalString, Schema, TrimmedString, UpdateSchema
from marketplace.incubator import scoring
from marketplace.incubator.models import APPLICATION_STATUSES, SCORE_MAX, SCORE_MIN

PITCH_MAX = 20_000
ANSWER_MAX = 10_000


# ---- requests ----------------------------------------------------------------------------------


class ApplicationUpdateSchema(UpdateSchema):
    pitch = TrimmedString(validate=validate.Length(max=PITCH_MAX))
    answers = ma.fields.Dict(
        keys=ma.fields.String(validate=validate.Length(max=40)),
        values=TrimmedString(validate=validate.Length(max=ANSWER_MAX)),
        metadata={"description": "Answers by question key; sent keys replace earlier answers"},
    )


class ApplicationCreateSchema(Schema):
    pitch = TrimmedString(load_default="", validate=validate.Length(max=PITCH_MAX))
    answers = ma.fields.Dict(
        keys=ma.fields.String(validate=validate.Length(max=40)),
        values=TrimmedString(validate=validate.Length(max=ANSWER_MAX)),
        load_default=dict,
    )


class ApplicationListArgs(PageArgs):
    status = ma.fields.String(load_default=None, validate=validate.OneOf(APPLICATION_STATUSES))


class ReviewerAssignSchema(Schema):
    user_id = ma.fields.Integer(required=True, strict=True)


class ScoreSchema(Schema):
    criterion_id = ma.fields.Integer(required=True, strict=True)
    score = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=SCORE_MIN, max=SCORE_MAX))
    comment = TrimmedString(load_default="", validate=validate.Length(max=5000))


class ReviewSaveSchema(Schema):
    scores = ma.fields.List(ma.fields.Nested(ScoreSchema), required=True, validate=validate.Length(min=1, max=30))
    comment = TrimmedString(load_default="", validate=validate.Length(max=10_000))


# ---- responses ---------------------------------------------------------------------------------


class ApplicationSchema(ma.Schema):
    id = ma.fields.Integer()
    cohort_id = ma.fields.Integer()
    startup = ma.fields.Nested(OrganizationRefSchema)
    status = ma.fields.String()
    pitch = ma.fields.String()
    answers = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    submitted_at = ma.fields.DateTime(allow_none=True)
    waitlisted_at = ma.fields.DateTime(allow_none=True)
    decided_at = ma.fields.DateTime(allow_none=True)
    decision_note = ma.fields.String(allow_none=True)
    withdrawn_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class ApplicationRefSchema(ma.Schema):
    id = ma.fields.Integer()
    status = ma.fields.String()
    startup = ma.fields.Nested(OrganizationRefSchema)
    submitted_at = ma.fields.DateTime(allow_none=True)


class ReviewerAssignmentSchema(ma.Schema):
    application_id = ma.fields.Integer()
    reviewer = ma.fields.Nested(PersonRefSchema)
    assigned_at = ma.fields.DateTime()


class ScoreOutSchema(ma.Schema):
    criterion_id = ma.fields.Integer()
    score = ma.fields.Integer()
    comment = ma.fields.String()


class ReviewSchema(ma.Schema):
    id = ma.fields.Integer()
    application_id = ma.fields.Integer()
    reviewer = ma.fields.Nested(PersonRefSchema)
    comment = ma.fields.String()
    scores = ma.fields.List(ma.fields.Nested(ScoreOutSchema))
    weighted_score = ma.fields.Method(
        "get_weighted_score",
        allow_none=True,
        metadata={**DecimalString().metadata,
                  "description": "sum(weight x score) / sum(weight), rounded half-up to 2 places; null before scoring"},
    )
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()

    def get_weighted_score(self, review) -> str | None:
        if not review.scores:
            return None
        weighted = sum(s.criterion.weight * s.score for s in review.scores)
        total = sum(s.criterion.weight for s in review.scores)
        return str(scoring.rounded(scoring.review_score(weighted, total)))


class RankedApplicationSchema(ma.Schema):
    rank = ma.fields.Integer()
    application = ma.fields.Nested(ApplicationRefSchema)
    review_count = ma.fields.Integer()
    weighted_average = DecimalString(
        allow_none=True,
        metadata={"description": "Mean of the reviews' weighted scores, half-up to 2 places; null before the first review"},
    )
    spread = DecimalString(allow_none=True, metadata={"description": "Highest minus lowest review score"})


class RankingSchema(ma.Schema):
    cohort_id = ma.fields.Integer()
    capacity = ma.fields.Integer()
    accepted = ma.fields.Integer()
    items = ma.fields.List(ma.fields.Nested(RankedApplicationSchema))
