"""The terms an offer proposes, by kind: validated on every revision, stored as canonical JSON, and
compared between revisions to show what changed."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from marketplace.core.errors import ValidationFailed
from marketplace.core.money import AmountField, CurrencyField
from marketplace.core.schemas import Schema, TrimmedString, non_blank
from marketplace.core.taxonomy import FieldCode
from marketplace.deals.sponsorships.models import IP_OWNERSHIP
from marketplace.ip.licenses.fields import TerritoryField
from marketplace.ip.licenses.models import EXCLUSIVITY, REPORTING_PERIODS
from marketplace.ip.licenses.overlap import WORLDWIDE

MAX_AMOUNT = 10**13


def _positive_amount(**kwargs):
    return AmountField(validate=validate.Range(min=1, max=MAX_AMOUNT), **kwargs)


def _rate(**kwargs):
    return ma.fields.Integer(strict=True, validate=validate.Range(min=0, max=10_000), **kwargs)


class MilestoneTerms(Schema):
    """A milestone payment: due on a date, or when an event (the trigger) happens; give exactly one."""

    name = TrimmedString(required=True, validate=non_blank(200))
    amount = _positive_amount(required=True)
    due_date = ma.fields.Date(load_default=None, allow_none=True)
    trigger = TrimmedString(load_default=None, allow_none=True, validate=validate.Length(max=500))

    @ma.validates_schema
    def _date_or_trigger(self, data, **kwargs):
        if bool(data.get("due_date")) == bool(data.get("trigger")):
            raise ma.ValidationError("Give either a due date or a trigger event.", "due_date")


class LicenseTerms(Schema):
    """The terms of a license offer (``kind`` license). Amounts are minor units of ``currency``;
    rates are basis points (10000 = 100%)."""

    asset_ids = ma.fields.List(
        ma.fields.Integer(strict=True), required=True, validate=validate.Length(min=1, max=100),
        metadata={"description": "IP assets of the listing to license"},
    )
    exclusivity = ma.fields.String(
        required=True, validate=validate.OneOf(EXCLUSIVITY),
        metadata={"description": "exclusive: nobody else, the university included; sole: nobody else but the "
                                 "university; non_exclusive: others may be licensed too"},
    )
    fields = ma.fields.List(FieldCode(), required=True, validate=validate.Length(min=1, max=50),
                            metadata={"description": "Fields of use (technology field codes)"})
    territories = ma.fields.List(TerritoryField(), required=True, validate=validate.Length(min=1, max=250),
                                 metadata={"description": "Country codes, EU, or WORLDWIDE alone; no repeats"})
    start_date = ma.fields.Date(required=True, metadata={"description": "First day of the term"})
    end_date = ma.fields.Date(load_default=None, allow_none=True,
                              metadata={"description": "Last day of the term; null: until terminated"})
    sublicensing = ma.fields.Boolean(load_default=False, metadata={"description": "May the licensee sublicense"})
    currency = CurrencyField(required=True)
    upfront_fee_amount = AmountField(load_default=0, metadata={"description": "Invoiced at acceptance; the "
                                                                             "license is active once it is paid"})
    royalty_rate_bps = _rate(load_default=0, metadata={"description": "Royalty on net sales"})
    minimum_annual_royalty_amount = AmountField(load_default=0, metadata={
        "description": "Charged at the end of each license year for any shortfall of the royalties"})
    milestones = ma.fields.List(ma.fields.Nested(MilestoneTerms), load_default=list, validate=validate.Length(max=50))
    equity_bps = _rate(load_default=0, metadata={"description": "Equity for the university, startups only"})
    reporting_period = ma.fields.String(
        load_default="quarterly", validate=validate.OneOf(REPORTING_PERIODS),
        metadata={"description": "How often the licensee reports sales (periods counted from start_date)"},
    )

    @ma.validates_schema
    def _consistent(self, data, **kwargs):
        errors: dict[str, list[str]] = {}
        if data.get("end_date") and data.get("start_date") and data["end_date"] < data["start_date"]:
            errors["end_date"] = ["The term cannot end before it starts."]
        if len(set(data.get("asset_ids", []))) != len(data.get("asset_ids", [])):
            errors["asset_ids"] = ["An asset is named twice."]
        if len(set(data.get("fields", []))) != len(data.get("fields", [])):
            errors["fields"] = ["A field is named twice."]
        territories = data.get("territories", [])
        if len(set(territories)) != len(territories):
            errors["territories"] = ["A territory is named twice."]
        elif WORLDWIDE in territories and len(territories) > 1:
            errors["territories"] = ["WORLDWIDE covers every territory: name it alone."]
        if errors:
            raise ma.ValidationError(errors)


class TrancheTerms(Schema):
    """A funding tranche: invoiced to the sponsor, due on its date."""

    due_date = ma.fields.Date(required=True)
    amount = _positive_amount(required=True)


class SponsorshipTerms(Schema):
    """The terms of a sponsored-research offer (``kind`` sponsored_research). Amounts are minor units
    of ``currency``; the tranches add up to ``total_amount`` and are listed in date order."""

    currency = CurrencyField(required=True)
    total_amount = _positive_amount(required=True)
    tranches = ma.fields.List(ma.fields.Nested(TrancheTerms), required=True, validate=validate.Length(min=1, max=60))
    start_date = ma.fields.Date(required=True, metadata={"description": "When the research starts"})
    duration_months = ma.fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=120))
    deliverables = ma.fields.List(TrimmedString(validate=non_blank(500)), required=True,
                                  validate=validate.Length(min=1, max=50))
    ip_ownership = ma.fields.String(required=True, validate=validate.OneOf(IP_OWNERSHIP),
                                    metadata={"description": "Who owns IP resulting from the research"})
    ip_terms = TrimmedString(load_default=None, allow_none=True, validate=validate.Length(max=5000),
                             metadata={"description": "Anything more about the IP (licensing options, publication)"})

    @ma.validates_schema
    def _tranches_add_up(self, data, **kwargs):
        tranches, total = data.get("tranches"), data.get("total_amount")
        if not tranches or total is None:
            return
        funded = sum(t["amount"] for t in tranches)
        if funded != total:
            raise ma.ValidationError(f"The tranches add up to {funded}, not the total of {total}.", "tranches")
        dates = [t["due_date"] for t in tranches]
        if dates != sorted(dates):
            raise ma.ValidationError("List the tranches in the order they fall due.", "tranches")


SCHEMAS: dict[str, type[Schema]] = {"license": LicenseTerms, "sponsored_research": SponsorshipTerms}


def validate_terms(kind: str, raw: Any) -> dict:
    """The terms in canonical JSON form, or 422 with the problems under ``terms.<field>``."""
    schema = SCHEMAS[kind]()
    if not isinstance(raw, dict):
        raise ValidationFailed("The terms are invalid.", errors={"terms": ["An object of terms."]})
    try:
        loaded = schema.load(raw)
    except ma.ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise ValidationFailed(
            "Some terms are invalid: " + ", ".join(f"terms.{k}" for k in sorted(messages)),
            errors={f"terms.{k}": v for k, v in messages.items()},
        ) from exc
    return schema.dump(loaded)


def parse_terms(kind: str, stored: dict) -> dict:
    """Stored (canonical JSON) terms as Python values: dates as ``date``."""
    return SCHEMAS[kind]().load(stored)


def changes_between(before: dict | None, after: dict) -> dict:
    """``{term: [before, after]}`` for each term that differs (every term for the first revision)."""
    before = before or {}
    keys = list(after) + [k for k in before if k not in after]
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def merge(current: dict, patch: Any) -> dict:
    """The current terms with the given ones replaced (lists are replaced whole)."""
    if not isinstance(patch, dict):
        raise ValidationFailed("The terms are invalid.", errors={"terms": ["An object of terms."]})
    return {**current, **patch}

