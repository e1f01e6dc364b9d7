"""License, milestone and royalty report schemas."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from marketplace.accounts.schemas import OrganizationRefSchema
from marketplace.core.countries import CountryField
from marketplace.core.money import AmountField
from marketplace.core.schemas import ReasonSchema, Schema, TrimmedString, non_blank
from marketplace.ip.licenses.models import LICENSE_STATUSES


class AssetRefSchema(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    title = ma.fields.String()


class MoneySchema(ma.Schema):
    """What the invoices of an agreement add up to (minor units of ``currency``)."""

    currency = ma.fields.String()
    invoiced_amount = ma.fields.Integer()
    paid_amount = ma.fields.Integer(metadata={"description": "Received, net of refunds"})
    outstanding_amount = ma.fields.Integer(metadata={"description": "Invoiced and not yet paid"})
    overdue_amount = ma.fields.Integer(metadata={"description": "Outstanding past the due date"})
    invoice_ids = ma.fields.List(ma.fields.Integer())


class MilestoneSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    amount = ma.fields.Integer()
    due_date = ma.fields.Date()
    trigger = ma.fields.String()
    status = ma.fields.String(metadata={"description": "pending, reached (by the licensee) or invoiced"})
    evidence = ma.fields.String()
    reached_at = ma.fields.DateTime()
    confirmed_at = ma.fields.DateTime()
    invoice_id = ma.fields.Integer()


class LicenseSchema(ma.Schema):
    id = ma.fields.Integer()
    status = ma.fields.String()
    licensor = ma.fields.Nested(OrganizationRefSchema)
    licensee = ma.fields.Nested(OrganizationRefSchema)
    listing_id = ma.fields.Integer()
    source_type = ma.fields.String()
    source_id = ma.fields.Integer()
    assets = ma.fields.List(ma.fields.Nested(AssetRefSchema))
    exclusivity = ma.fields.String()
    fields = ma.fields.List(ma.fields.String())
    territories = ma.fields.List(ma.fields.String())
    start_date = ma.fields.Date()
    end_date = ma.fields.Date()
    sublicensing = ma.fields.Boolean()
    currency = ma.fields.String()
    upfront_fee_amount = ma.fields.Integer()
    royalty_rate_bps = ma.fields.Integer()
    minimum_annual_royalty_amount = ma.fields.Integer()
    equity_bps = ma.fields.Integer()
    reporting_period = ma.fields.String()
    milestones = ma.fields.List(ma.fields.Nested(MilestoneSchema))
    upfront_invoice_id = ma.fields.Integer()
    activated_at = ma.fields.DateTime()
    terminated_at = ma.fields.DateTime()
    termination_date = ma.fields.Date()
    termination_reason = ma.fields.String()
    created_at = ma.fields.DateTime()
    money = ma.fields.Nested(MoneySchema)


class LicenseListArgs(Schema):
    class Meta:
        unknown = ma.EXCLUDE

    role = ma.fields.String(load_default=None, validate=validate.OneOf(("licensor", "licensee")))
    status = ma.fields.String(load_default=None, validate=validate.OneOf(LICENSE_STATUSES))
    listing_id = ma.fields.Integer(load_default=None)


class TerminateSchema(ReasonSchema):
    effective_on = ma.fields.Date(load_default=None, metadata={"description": "Today when omitted; not in the future"})


class ReachSchema(Schema):
    evidence = TrimmedString(required=True, validate=non_blank(10_000))


class SalesLineSchema(Schema):
    territory = CountryField(required=True)
    net_sales_amount = AmountField(required=True)
    units = ma.fields.Integer(strict=True, required=True, validate=validate.Range(min=0, max=10**13))


class RoyaltyReportCreateSchema(Schema):
    period_start = ma.fields.Date(required=True, metadata={"description": "First day of the reporting period"})
    lines = ma.fields.List(ma.fields.Nested(SalesLineSchema), required=True, validate=validate.Length(max=250),
                           metadata={"description": "Net sales and units per territory; empty for a period without sales"})


class RoyaltyReportSchema(ma.Schema):
    id = ma.fields.Integer()
    license_id = ma.fields.Integer()
    period_start = ma.fields.Date()
    period_end = ma.fields.Date()
    due_date = ma.fields.Date()
    currency = ma.fields.String()
    net_sales_amount = ma.fields.Integer()
    units = ma.fields.Integer()
    royalty_rate_bps = ma.fields.Integer()
    royalty_amount = ma.fields.Integer()
    true_up_amount = ma.fields.Integer(metadata={"description": "Minimum annual royalty shortfall charged with this report"})
    invoice_id = ma.fields.Integer()
    true_up_invoice_id = ma.fields.Integer()
    lines = ma.fields.List(ma.fields.Nested(SalesLineSchema))
    submitted_at = ma.fields.DateTime()
    is_late = ma.fields.Boolean()


class LateReportSchema(ma.Schema):
    license_id = ma.fields.Integer()
    licensor = ma.fields.Nested(OrganizationRefSchema)
    licensee = ma.fields.Nested(OrganizationRefSchema)
    period_start = ma.fields.Date()
    period_end = ma.fields.Date()
    due_date = ma.fields.Date()
    report_id = ma.fields.Integer(allow_none=True, metadata={"description": "Null while the report is missing"})
    submitted_at = ma.fields.DateTime(allow_none=True)
    days_late = ma.fields.Integer()

