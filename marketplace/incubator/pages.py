"""Incubator pages: an incubator's public page, a cohort's call for applications, the open calls on
the home page (thin views over the incubator's services and access rules)."""

from __future__ import annotations

from flask import Response, render_template
from flask_babel import gettext, lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import NotFound

from marketplace.accounts.services import organization_by_slug
from marketplace.core.auth import require_user
from marketplace.core.money import exponent
from marketplace.extensions import db
from marketplace.incubator import access, charts, dashboard
from marketplace.incubator.services import programs
from marketplace.ip.labels import EXCLUSIVITY_LABELS
from marketplace.web import page_blueprint
from marketplace.web.formatting import date, money, number
from marketplace.web.panels import panel

#: the incubator's pages and templates (``templates/incubator/``)
blp = page_blueprint("incubator_pages", __name__)

HOME_OPEN_CALLS = 6


def _viewer():
    return current_user._get_current_object() if current_user.is_authenticated else None


@blp.get("/incubators/<slug>")
def incubator(slug: str):
    """An incubator and its announced cohorts, open calls first."""
    org = organization_by_slug(db.session, slug, kind="incubator")
    cohorts = programs.announced_cohorts(db.session, org.id)
    open_now = [c for c in cohorts if c.is_accepting_applications]
    others = [c for c in cohorts if not c.is_accepting_applications]
    return render_template("incubator/incubator.html", incubator=org, open_now=open_now, others=others)


@blp.get("/cohorts/<int:cohort_id>")
def call(cohort_id: int):
    """A cohort's call for applications: focus, dates, capacity, fee and equity terms, questions."""
    viewer = _viewer()
    cohort = access.cohort(db.session, viewer, cohort_id)
    return render_template("incubator/call.html", cohort=cohort, program=cohort.program,
                           is_staff=access.is_staff(viewer, cohort.program.incubator_id))


@panel("home.sections")
def open_calls_panel(**context) -> str | None:
    """The cohorts taking applications now, on the home page."""
    cohorts = programs.open_calls(db.session, limit=HOME_OPEN_CALLS)
    if not cohorts:
        return None
    return render_template("incubator/_open_calls.html", cohorts=cohorts)


# ---- the cohort dashboard (the incubator's people) -----------------------------------------------

#: the KPI figures charted, in the order of the page, with their names
KPI_LABELS = {
    "revenue_amount": _l("Revenue"),
    "customers": _l("Customers"),
    "headcount": _l("Headcount"),
    "funding_raised_amount": _l("Funding raised"),
    "burn_amount": _l("Burn"),
}
LICENSE_STATUS_LABELS = {
    "pending_payment": _l("Awaiting payment"),
    "active": _l("Active"),
    "terminated": _l("Terminated"),
    "expired": _l("Expired"),
}
PAYMENT_STATE_LABELS = {"paid": _l("Paid"), "outstanding": _l("Outstanding"), "not_invoiced": _l("Not invoiced")}
MONEY_FIGURES = {"revenue_amount", "funding_raised_amount", "burn_amount"}
#: charts that are not KPI trends
OTHER_CHARTS = ("milestones", "payments")
#: SVG charts keep their own styles and never run scripts
CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'"


@blp.get("/cohorts/<int:cohort_id>/dashboard")
def cohort_dashboard(cohort_id: int):
    """Milestones, KPI trends and totals, licenses and payments of a cohort's startups, as charts and tables."""
    data = dashboard.build(db.session, require_user(), cohort_id, trends=True)
    return render_template("incubator/dashboard.html", data=data, trends=data["trends"], kpi_labels=KPI_LABELS,
                           money_figures=MONEY_FIGURES, license_labels=LICENSE_STATUS_LABELS,
                           payment_labels=PAYMENT_STATE_LABELS, exclusivity_labels=EXCLUSIVITY_LABELS)


@blp.get("/cohorts/<int:cohort_id>/dashboard/<name>.svg")
def dashboard_chart(cohort_id: int, name: str):
    """One chart of the dashboard as an SVG image (for ``<img>``; its numbers are in the page's tables)."""
    if name not in KPI_LABELS and name not in OTHER_CHARTS:
        raise NotFound()
    actor = require_user()
    if name == "milestones":
        data = dashboard.build(db.session, actor, cohort_id)
        svg = charts.milestones(data["startups"], gettext("Milestones per startup"),
                                {"done": gettext("Done"), "due": gettext("Due"), "overdue": gettext("Overdue")})
    elif name == "payments":
        data = dashboard.build(db.session, actor, cohort_id)
        currency = data["currency"]
        svg = charts.payments(data["startups"], currency, gettext("Invoices per startup"),
                              {"paid_amount": gettext("Paid"), "outstanding_amount": gettext("Outstanding")},
                              _money_formatter(currency), scale=10 ** exponent(currency))
    else:
        trends = dashboard.kpi_trends(db.session, actor, cohort_id)
        currency = trends["currency"]
        is_money = name in MONEY_FIGURES
        svg = charts.trend(trends, name, str(KPI_LABELS[name]), lambda d: date(d, "short"), gettext("Cohort total"),
                           _money_formatter(currency) if is_money else number,
                           scale=10 ** exponent(currency) if is_money else 1)
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = CHART_CSP
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _money_formatter(currency: str):
    factor = 10 ** exponent(currency)
    return lambda value: money(round(value * factor), currency)
