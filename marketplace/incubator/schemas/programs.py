"""Programs and cohorts: what managers send, what callers see."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from marketplace.accounts.schemas import OrganizationRefSchema
from marketplace.core.money import AmountField, CurrencyField
from marketplace.core.pagination import PageArgs
from marketplace.core.schemas import Schema, TrimmedString, UpdateSchema, non_blank
from marketplace.core.taxonomy import FieldCode
from marketplace.incubator.models import COHORT_STATUSES


def _bps(**kwargs):
    return ma.fields.Integer(strict=True, validate=validate.Range(min=0, max=10_000), **kwargs)


# ---- requests ----------------------------------------------------------------------------------


class ProgramUpdateSchema(UpdateSchema):
    name = TrimmedString(validate=non_blank(200, 2))
    description = TrimmedString(validate=validate.Length(max=20_000))
    focus_fields = ma.fields.List(FieldCode(), validate=validate.Length(max=20))
    fee_amount = AmountField(metadata={"description": "Program fee per accepted startup, minor units (0: free)"})
    fee_due_days = ma.fields.Integer(strict=True, validate=validate.Range(min=0, max=365))
    equity_bps = _bps(metadata={"description": "Equity taken in each startup, basis points"})


class ProgramCreateSchema(ProgramUpdateSchema):
    name = TrimmedString(required=True, validate=non_blank(200, 2))
    description = TrimmedString(load_default="", validate=validate.Length(max=20_000))
    focus_fields = ma.fields.List(FieldCode(), load_default=list, validate=validate.Length(max=20))
    currency = CurrencyField(required=True, metadata={"description": "ISO 4217; fixed once the program exists"})
    fee_amount = AmountField(load_default=0)
    fee_due_days = ma.fields.Integer(strict=True, load_default=30, validate=validate.Range(min=0, max=365))
    equity_bps = _bps(load_default=0)


class QuestionSchema(Schema):
    key = ma.fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9_]{1,40}$"))
    text = TrimmedString(required=True, validate=non_blank(1000))
    required = ma.fields.Boolean(load_default=True)


class CriterionSchema(Schema):
    name = TrimmedString(required=True, validate=non_blank(200))
    description = TrimmedString(load_default="", validate=validate.Length(max=2000))
    weight = ma.fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=100))


class CohortUpdateSchema(UpdateSchema):
    name = TrimmedString(validate=non_blank(200, 2))
    starts_on = ma.fields.Date()
    ends_on = ma.fields.Date()
    capacity = ma.fields.Integer(strict=True, validate=validate.Range(min=1, max=10_000))
    applications_open_at = ma.fields.AwareDateTime(default_timezone=None)
    applications_close_at = ma.fields.AwareDateTime(default_timezone=None)
    questions = ma.fields.List(ma.fields.Nested(QuestionSchema), validate=validate.Length(max=50))
    rubric = ma.fields.List(ma.fields.Nested(CriterionSchema), validate=validate.Length(min=1, max=30))


class CohortCreateSchema(CohortUpdateSchema):
    name = TrimmedString(required=True, validate=non_blank(200, 2))
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True)
    capacity = ma.fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=10_000))
    applications_open_at = ma.fields.AwareDateTime(required=True, default_timezone=None)
    applications_close_at = ma.fields.AwareDateTime(required=True, default_timezone=None)
    questions = ma.fields.List(ma.fields.Nested(QuestionSchema), load_default=list, validate=validate.Length(max=50))
    rubric = ma.fields.List(ma.fields.Nested(CriterionSchema), load_default=list, validate=validate.Length(max=30))


class ProgramListArgs(PageArgs):
    incubator_id = ma.fields.Integer(load_default=None)


class CohortListArgs(PageArgs):
    status = ma.fields.String(load_default=None, validate=validate.OneOf(COHORT_STATUSES))
    program_id = ma.fields.Integer(load_default=None)


# ---- responses ---------------------------------------------------------------------------------


class ProgramSchema(ma.Schema):
    id = ma.fields.Integer()
    incubator = ma.fields.Nested(OrganizationRefSchema)
    name = ma.fields.String()
    description = ma.fields.String()
    focus_fields = ma.fields.List(ma.fields.String())
    currency = ma.fields.String()
    fee_amount = ma.fields.Integer()
    fee_due_days = ma.fields.Integer()
    equity_bps = ma.fields.Integer()
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class ProgramRefSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    incubator = ma.fields.Nested(OrganizationRefSchema)


class CriterionOutSchema(ma.Schema):
    id = ma.fields.Integer()
    position = ma.fields.Integer()
    name = ma.fields.String()
    description = ma.fields.String()
    weight = ma.fields.Integer()


class QuestionOutSchema(ma.Schema):
    key = ma.fields.String()
    text = ma.fields.String()
    required = ma.fields.Boolean()


class CohortSchema(ma.Schema):
    id = ma.fields.Integer()
    program = ma.fields.Nested(ProgramRefSchema)
    name = ma.fields.String()
    status = ma.fields.String()
    starts_on = ma.fields.Date()
    ends_on = ma.fields.Date()
    capacity = ma.fields.Integer()
    applications_open_at = ma.fields.DateTime()
    applications_close_at = ma.fields.DateTime()
    is_accepting_applications = ma.fields.Boolean(metadata={"description": "Open, and inside the window now"})
    questions = ma.fields.List(ma.fields.Nested(QuestionOutSchema))
    rubric = ma.fields.List(ma.fields.Nested(CriterionOutSchema), attribute="criteria")
    created_at = ma.fields.DateTime()
