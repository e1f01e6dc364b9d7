"""The cohort dashboard (documentation of its shape; built as plain data by ``dashboard.build``)."""

from __future__ import annotations

import marshmallow as ma

from marketplace.incubator.schemas.members import MemberLicenseSchema, RefSchema


class InvoiceTotalsSchema(ma.Schema):
    currency = ma.fields.String()
    paid_amount = ma.fields.Integer()
    outstanding_amount = ma.fields.Integer()
    paid_count = ma.fields.Integer()
    outstanding_count = ma.fields.Integer()


class MilestoneCountsSchema(ma.Schema):
    total = ma.fields.Integer()
    done = ma.fields.Integer()
    due = ma.fields.Integer(metadata={"description": "Pending, due today or later"})
    overdue = ma.fields.Integer(metadata={"description": "Not done and past the due date (missed ones included)"})
    missed = ma.fields.Integer(metadata={"description": "Marked missed (a part of overdue)"})


class KPIFiguresSchema(ma.Schema):
    revenue_amount = ma.fields.Integer()
    funding_raised_amount = ma.fields.Integer()
    headcount = ma.fields.Integer()
    customers = ma.fields.Integer()
    burn_amount = ma.fields.Integer()


class StartupKPIsSchema(ma.Schema):
    reports = ma.fields.Integer()
    period_start = ma.fields.Date()
    period_end = ma.fields.Date()
    latest = ma.fields.Nested(KPIFiguresSchema)
    previous_period_end = ma.fields.Date(allow_none=True)
    change = ma.fields.Nested(KPIFiguresSchema, allow_none=True,
                              metadata={"description": "Latest minus previous report; null with one report"})
    funding_raised_to_date = ma.fields.Integer()


class DashboardStartupSchema(ma.Schema):
    member_id = ma.fields.Integer()
    startup = ma.fields.Nested(RefSchema)
    status = ma.fields.String()
    joined_at = ma.fields.DateTime()
    currency = ma.fields.String()
    fee_amount = ma.fields.Integer()
    equity_bps = ma.fields.Integer()
    mentors = ma.fields.List(ma.fields.Nested(RefSchema))
    milestones = ma.fields.Nested(MilestoneCountsSchema)
    kpis = ma.fields.Nested(StartupKPIsSchema, allow_none=True)
    licenses = ma.fields.List(ma.fields.Nested(MemberLicenseSchema))
    invoices = ma.fields.List(ma.fields.Nested(InvoiceTotalsSchema))


class KPITotalsSchema(ma.Schema):
    reporting_startups = ma.fields.Integer()
    revenue_amount = ma.fields.Integer(metadata={"description": "Sum of the latest reports"})
    headcount = ma.fields.Integer()
    customers = ma.fields.Integer()
    burn_amount = ma.fields.Integer()
    funding_raised_to_date = ma.fields.Integer()


class DashboardTotalsSchema(ma.Schema):
    startups = ma.fields.Integer()
    milestones = ma.fields.Nested(MilestoneCountsSchema)
    kpis = ma.fields.Nested(KPITotalsSchema)
    licenses = ma.fields.Integer()
    active_licenses = ma.fields.Integer()
    invoices = ma.fields.List(ma.fields.Nested(InvoiceTotalsSchema))


class DashboardCohortSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    status = ma.fields.String()
    starts_on = ma.fields.Date()
    ends_on = ma.fields.Date()
    capacity = ma.fields.Integer()
    program = ma.fields.Nested(RefSchema)


class DashboardSchema(ma.Schema):
    cohort = ma.fields.Nested(DashboardCohortSchema)
    as_of = ma.fields.Date()
    currency = ma.fields.String(metadata={"description": "The program's currency (KPI amounts)"})
    startups = ma.fields.List(ma.fields.Nested(DashboardStartupSchema))
    totals = ma.fields.Nested(DashboardTotalsSchema)
