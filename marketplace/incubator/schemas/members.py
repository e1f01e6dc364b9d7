"""Cohort members, mentors, milestones, KPI reports, licenses and invoices."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from marketplace.accounts.schemas import OrganizationRefSchema, PersonRefSchema
from marketplace.core.money import AmountField, CurrencyField
from marketplace.core.schemas import Schema, TrimmedString, UpdateSchema, non_blank

# ---- requests ----------------------------------------------------------------------------------


class MentorAssignSchema(Schema):
    user_id = ma.fields.Integer(required=True, strict=True)


class CohortMilestoneUpdateSchema(UpdateSchema):
    title = TrimmedString(validate=non_blank(200))
    description = TrimmedString(validate=validate.Length(max=5000))
    due_on = ma.fields.Date()


class CohortMilestoneCreateSchema(CohortMilestoneUpdateSchema):
    title = TrimmedString(required=True, validate=non_blank(200))
    description = TrimmedString(load_default="", validate=validate.Length(max=5000))
    due_on = ma.fields.Date(required=True)


class EvidenceSchema(Schema):
    evidence = TrimmedString(required=True, validate=non_blank(10_000),
                             metadata={"description": "What shows the milestone is reached (text or a link)"})


class KPIReportUpdateSchema(UpdateSchema):
    revenue_amount = AmountField()
    funding_raised_amount = AmountField(metadata={"description": "Raised from investors during the period"})
    headcount = ma.fields.Integer(strict=True, validate=validate.Range(min=0, max=1_000_000))
    customers = ma.fields.Integer(strict=True, validate=validate.Range(min=0, max=10**9))
    burn_amount = AmountField(metadata={"description": "Net cash spent during the period"})
    highlights = TrimmedString(validate=validate.Length(max=10_000))


class KPIReportCreateSchema(KPIReportUpdateSchema):
    period_start = ma.fields.Date(required=True)
    period_end = ma.fields.Date(required=True)
    currency = CurrencyField(load_default=None, metadata={"description": "The program's currency (the default)"})
    revenue_amount = AmountField(required=True)
    funding_raised_amount = AmountField(load_default=0)
    headcount = ma.fields.Integer(strict=True, required=True, validate=validate.Range(min=0, max=1_000_000))
    customers = ma.fields.Integer(strict=True, required=True, validate=validate.Range(min=0, max=10**9))
    burn_amount = AmountField(required=True)
    highlights = TrimmedString(load_default="", validate=validate.Length(max=10_000))


# ---- responses ---------------------------------------------------------------------------------


class MentorSchema(ma.Schema):
    mentor = ma.fields.Nested(PersonRefSchema)
    assigned_at = ma.fields.DateTime()


class CohortMemberSchema(ma.Schema):
    id = ma.fields.Integer()
    cohort_id = ma.fields.Integer()
    startup = ma.fields.Nested(OrganizationRefSchema)
    application_id = ma.fields.Integer()
    status = ma.fields.String()
    joined_at = ma.fields.DateTime()
    left_at = ma.fields.DateTime(allow_none=True)
    currency = ma.fields.String()
    fee_amount = ma.fields.Integer()
    equity_bps = ma.fields.Integer()
    fee_invoice_id = ma.fields.Integer(allow_none=True)
    mentors = ma.fields.List(ma.fields.Nested(MentorSchema))


class CohortMilestoneSchema(ma.Schema):
    id = ma.fields.Integer()
    member_id = ma.fields.Integer()
    title = ma.fields.String()
    description = ma.fields.String()
    due_on = ma.fields.Date()
    status = ma.fields.String()
    evidence = ma.fields.String(allow_none=True)
    evidence_at = ma.fields.DateTime(allow_none=True)
    confirmed_at = ma.fields.DateTime(allow_none=True)
    confirmed_by = ma.fields.Nested(PersonRefSchema, allow_none=True)
    missed_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()


class KPIReportSchema(ma.Schema):
    id = ma.fields.Integer()
    member_id = ma.fields.Integer()
    period_start = ma.fields.Date()
    period_end = ma.fields.Date()
    currency = ma.fields.String()
    revenue_amount = ma.fields.Integer()
    funding_raised_amount = ma.fields.Integer()
    headcount = ma.fields.Integer()
    customers = ma.fields.Integer()
    burn_amount = ma.fields.Integer()
    highlights = ma.fields.String()
    submitted_by_id = ma.fields.Integer()
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class RefSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()


class LicensePaymentSchema(ma.Schema):
    state = ma.fields.String(metadata={"description": "paid | outstanding | not_invoiced"})
    currency = ma.fields.String()
    paid_amount = ma.fields.Integer()
    outstanding_amount = ma.fields.Integer()


class MemberLicenseSchema(ma.Schema):
    id = ma.fields.Integer()
    licensor = ma.fields.Nested(RefSchema)
    exclusivity = ma.fields.String()
    fields = ma.fields.List(ma.fields.String())
    territories = ma.fields.List(ma.fields.String())
    status = ma.fields.String()
    start_date = ma.fields.Date()
    end_date = ma.fields.Date(allow_none=True)
    currency = ma.fields.String()
    upfront_fee_amount = ma.fields.Integer()
    royalty_rate_bps = ma.fields.Integer()
    minimum_annual_royalty_amount = ma.fields.Integer()
    equity_bps = ma.fields.Integer()
    payment = ma.fields.Nested(LicensePaymentSchema, allow_none=True)


class MemberInvoiceSchema(ma.Schema):
    """A program-fee invoice as the cohort shows it (pay it through ``/api/v1/invoices/{id}``)."""

    id = ma.fields.Integer()
    description = ma.fields.String()
    amount = ma.fields.Integer()
    currency = ma.fields.String()
    amount_refunded = ma.fields.Integer()
    status = ma.fields.String()
    due_date = ma.fields.Date()
    paid_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()
