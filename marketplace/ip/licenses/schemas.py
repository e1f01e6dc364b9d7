"""License, milestone and royalty report schemas."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from marketplace.accounts.schemas import OrganizationRefSchema
from marketplace.core.countries import CountryField
from marketplace.core.money import AmountField
from marketplace.core.pagination import PageArgs
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
    due_date = ma.fields.Date(allow_none=True)
    trigger = ma.fields.String(allow_none=True)
    status = ma.fields.String(metadata={"description": "pending, reached (by the licensee) or invoiced"})
    evidence = ma.fields.String(allow_none=True)
    reached_at = ma.fields.DateTime(allow_none=True)
    confirmed_at = ma.fields.DateTime(allow_none=True)
    invoice_id = ma.fields.Integer(allow_none=True)


class LicenseSchema(ma.Schema):
    id = ma.fields.Integer()
    status = ma.fields.String()
    licensor = ma.fields.Nested(OrganizationRefSchema)
    licensee = ma.fields.Nested(OrganizationRefSchema)
    listing_id = ma.fields.Integer(allow_none=True)
    source_type = ma.fields.String()
    source_id = ma.fields.Integer(allow_none=True)
    assets = ma.fields.List(ma.fields.Nested(AssetRefSchema))
    exclusivity = ma.fields.String()
    fields = ma.fields.List(ma.fields.String())
    territories = ma.fields.List(ma.fields.String())
    start_date = ma.fields.Date()
    end_date = ma.fields.Date(allow_none=True)
    sublicensing = ma.fields.Boolean()
    currency = ma.fields.String()
    upfront_fee_amount = ma.fields.Integer()
    royalty_rate_bps = ma.fields.Integer()
    minimum_annual_royalty_amount = ma.fields.Integer()
    equity_bps = ma.fields.Integer()
    reporting_period = ma.fields.String()
    milestones = ma.fields.List(ma.fields.Nested(MilestoneSchema))
    upfront_invoice_id = ma.fields.Integer(allow_none=True)
    activated_at = ma.fields.DateTime(allow_none=True)
    terminated_at = ma.fields.DateTime(allow_none=True)
    termination_date = ma.fields.Date(allow_none=True)
    termination_reason = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    money = ma.fields.Nested(MoneySchema)


class LicenseListArgs(PageArgs):
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
    """A royalty report for one finished reporting period of a license (the rules are in ``Meta``)."""

    class Meta(Schema.Meta):
        description = (
            "A royalty report for one finished reporting period of a license. Periods follow the license's "
            "reporting_period (quarterly: 3 months, semiannual: 6, annual: 12), counted from its start_date "
            "without drift (a period starting on the 31st starts on the last day of shorter months); the last "
            "one ends on the license's last day (its end or termination date). A period is reported once, "
            "after it has ended; the report is due 30 days after the period ends (later ones are listed as "
            "late). Each territory appears at most once and must be one the license covers. The report that "
            "completes a license year invoices any shortfall below the minimum annual royalty."
        )

    period_start = ma.fields.Date(
        required=True,
        metadata={"description": "First day of the reporting period: start_date plus a whole number of periods "
                                 "(a wrong day answers 422 listing the period starts); the period must have ended"},
    )
    lines = ma.fields.List(ma.fields.Nested(SalesLineSchema), required=True, validate=validate.Length(max=250),
                           metadata={"description": "Net sales and units per licensed territory, each once; "
                                                    "empty for a period without sales"})


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
    invoice_id = ma.fields.Integer(allow_none=True)
    true_up_invoice_id = ma.fields.Integer(allow_none=True)
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

