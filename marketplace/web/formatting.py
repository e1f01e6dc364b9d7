"""Numbers, money, dates, countries and technology fields as the reader's language writes them."""

from __future__ import annotations

import re
from datetime import date as _date, datetime as _datetime
from decimal import Decimal
from html import unescape

from babel import Locale
from flask import Flask
from markupsafe import Markup, escape
from flask_babel import format_currency, format_date, format_datetime, format_decimal, format_percent, gettext

from marketplace.core.money import exponent
from marketplace.core.taxonomy import technology_fields
from marketplace.web.i18n import current_language

WORLDWIDE = "WORLDWIDE"


def money(amount: int | None, currency: str) -> str:
    """An amount in minor units, e.g. ``1.500.000 ₫`` in Vietnamese and ``₫1,500,000`` in English."""
    if amount is None:
        return ""
    return format_currency(Decimal(amount).scaleb(-exponent(currency)), currency)


def number(value) -> str:
    return format_decimal(value)


def percent(value) -> str:
    """A fraction as a percentage, e.g. ``0.05`` as ``5%`` (``5 %`` in Vietnamese)."""
    return format_percent(value, "#,##0.##%")


def date(value, format: str = "medium") -> str:
    """A date (or a datetime's day, or an ISO 8601 string as schemas dump them) for the reader."""
    if isinstance(value, str):
        value = _datetime.fromisoformat(value) if "T" in value else _date.fromisoformat(value)
    return format_date(value, format) if value else ""


def datetime(value, format: str = "medium") -> str:
    """A moment in the display time zone, for the reader."""
    if isinstance(value, str):
        value = _datetime.fromisoformat(value)
    return format_datetime(value, format) if value else ""


def field_label(code: str) -> str:
    """A technology field's name in the reader's language (the code when unknown)."""
    field = technology_fields().get(code)
    return field.label(current_language()) if field else code


def country_name(code: str) -> str:
    """A country's (or ``WORLDWIDE``'s) name in the reader's language, from Babel's CLDR data."""
    if code == WORLDWIDE:
        return gettext("Worldwide")
    return Locale.parse(current_language()).territories.get(code, code)


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        money=money, number=number, percent=percent, date=date, datetime=datetime, field_label=field_label, country_name=country_name,
        marked=marked,
    )


_MARK = re.compile(r"(</?mark>)")


def marked(html_text: str | None) -> Markup:
    """Search highlights (HTML-escaped text with matches in ``<mark>``) as safe markup: every other
    character is escaped again here, so nothing but ``<mark>`` can ever reach the page."""
    if not html_text:
        return Markup("")
    parts = _MARK.split(html_text)
    return Markup("".join(part if part in ("<mark>", "</mark>") else str(escape(unescape(part))) for part in parts))
