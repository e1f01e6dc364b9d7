"""Incubator pages (thin views over the incubator's services and access rules): an incubator's
public page, a cohort's call for applications and the open calls on the home page; the cohort
dashboard with its charts; a startup's applications and KPI reports; managers' lifecycle buttons
and decisions on applications."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation

import marshmallow as ma
import sqlalchemy as sa
from flask import Response, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import NotFound

from marketplace.accounts.services import organization_by_slug
from marketplace.core.auth import require_user
from marketplace.core.errors import Conflict, Forbidden, ValidationFailed
from marketplace.core.money import exponent
from marketplace.core.schemas import OptionalReasonSchema
from marketplace.extensions import db
from marketplace.incubator import access, charts, dashboard
from marketplace.incubator.models import Application, CohortMember
from marketplace.incubator.schemas.applications import (
    ApplicationCreateSchema,
    ApplicationListArgs,
    ApplicationUpdateSchema,
)
from marketplace.incubator.schemas.members import KPIReportCreateSchema
from marketplace.incubator.services import applications, members, programs
from marketplace.ip.labels import EXCLUSIVITY_LABELS
from marketplace.web import page_blueprint
from marketplace.web.formatting import date, money, number
from marketplace.web.forms import flat_errors, form_data
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
    own = None
    if viewer is not None and viewer.organization_id is not None:
        own = db.session.execute(
            sa.select(Application).where(Application.cohort_id == cohort.id, Application.startup_id == viewer.organization_id)
        ).scalar_one_or_none()
    return _render_call(viewer, cohort, own)


def _render_call(viewer, cohort, own=None, error=None, status=200):
    is_manager = access.is_manager(viewer, cohort.program.incubator_id)
    return render_template("incubator/call.html", cohort=cohort, program=cohort.program, own_application=own,
                           application_labels=APPLICATION_STATUS_LABELS,
                           may_apply=_is_startup(viewer) and own is None,
                           is_staff=access.is_staff(viewer, cohort.program.incubator_id),
                           lifecycle_actions=programs.COHORT_LIFECYCLE.allowed_actions(cohort.status) if is_manager else [],
                           lifecycle_labels=LIFECYCLE_LABELS, error=error), status


#: the buttons that move a cohort along its lifecycle
LIFECYCLE_LABELS = {
    "open": _l("Open applications"),
    "close": _l("Close applications and select"),
    "start": _l("Start the cohort"),
    "graduate": _l("Graduate the cohort"),
}


@blp.post("/cohorts/<int:cohort_id>/lifecycle")
def cohort_lifecycle(cohort_id: int):
    """A manager opens, closes, starts or graduates a cohort."""
    actor = require_user()
    action = request.form.get("action", "")
    if action not in LIFECYCLE_LABELS:
        raise ValidationFailed("Unknown action.", errors={"action": ["Unknown action."]})
    try:
        programs.transition(db.session, actor, cohort_id, action)
    except Conflict as error:
        db.session.rollback()
        return _render_call(actor, access.cohort(db.session, actor, cohort_id), error=error.detail, status=409)
    return redirect(url_for("incubator_pages.call", cohort_id=cohort_id), 303)


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


# ---- a startup's applications ----------------------------------------------------------------------

#: what a page calls an application's states
APPLICATION_STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "accepted": _l("Accepted"),
    "waitlisted": _l("Waitlisted"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
}
#: the buttons of the application form
SAVE, SUBMIT = "save", "submit"


def _is_startup(user) -> bool:
    return user is not None and user.organization is not None and user.organization.kind == "startup"


def _answer_field(key: str) -> str:
    return f"answer-{key}"


def _application_input(cohort, schema: ma.Schema) -> dict:
    """The form's pitch and answers as the API's schema loads them (raises ``ma.ValidationError``)."""
    return schema.load(_submitted_values(cohort))


def _form_errors(messages: dict) -> dict[str, list[str]]:
    """Errors by form field: the pitch's, and each answer's beside its question."""
    messages = dict(messages or {})
    answers = messages.pop("answers", None) or {}
    errors = flat_errors(messages)
    if isinstance(answers, dict):
        for key, value in answers.items():
            errors[_answer_field(str(key))] = flat_errors({"x": value})["x"]
    else:
        errors["_schema"] = flat_errors({"x": answers})["x"]
    return errors


def _render_application(cohort, application=None, errors=None, values=None, status=200):
    values = values if values is not None else (
        {"pitch": application.pitch, "answers": dict(application.answers)} if application else {"pitch": "", "answers": {}})
    member = None
    if application is not None and application.status == "accepted":
        member = db.session.execute(
            sa.select(CohortMember).where(CohortMember.application_id == application.id)
        ).scalar_one_or_none()
    return render_template("incubator/application.html", cohort=cohort, program=cohort.program, application=application,
                           errors=errors or {}, values=values, status_labels=APPLICATION_STATUS_LABELS,
                           answer_field=_answer_field, member=member), status


def _submitted_values(cohort) -> dict:
    return {"pitch": request.form.get("pitch", ""),
            "answers": {q["key"]: request.form.get(_answer_field(q["key"]), "") for q in cohort.questions}}


@blp.route("/cohorts/<int:cohort_id>/apply", methods=["GET", "POST"])
def apply(cohort_id: int):
    """A startup's application form for an open cohort: save it as a draft, or submit it at once."""
    actor = require_user()
    cohort = access.cohort(db.session, actor, cohort_id)
    if not _is_startup(actor):
        raise Forbidden("Only startups apply to cohorts.")
    if request.method == "GET":
        return _render_application(cohort)
    try:
        data = _application_input(cohort, ApplicationCreateSchema())
        application = applications.create_application(db.session, actor, cohort.id, data)
        if request.form.get("action") == SUBMIT:
            applications.submit_application(db.session, actor, application.id)
    except ma.ValidationError as error:
        return _render_application(cohort, errors=_form_errors(error.messages), values=_submitted_values(cohort), status=400)
    except (ValidationFailed, Conflict) as error:
        db.session.rollback()
        errors = _form_errors(error.errors) if error.errors else {"_schema": [error.detail]}
        return _render_application(cohort, errors=errors, values=_submitted_values(cohort),
                                   status=400 if isinstance(error, ValidationFailed) else 409)
    return redirect(url_for("incubator_pages.application", application_id=application.id), 303)


@blp.route("/applications/<int:application_id>", methods=["GET", "POST"])
def application(application_id: int):
    """An application: its status, and for the applying startup the form to edit, submit or withdraw it."""
    actor = require_user()
    found = access.application(db.session, actor, application_id)
    cohort = found.cohort
    if request.method == "GET":
        return _render_application(cohort, found)
    found = access.own_application(db.session, actor, application_id)
    action = request.form.get("action")
    try:
        if action == "withdraw":
            applications.withdraw_application(db.session, actor, found.id)
        else:
            data = _application_input(cohort, ApplicationUpdateSchema())
            applications.update_application(db.session, actor, found.id, data)
            if action == SUBMIT and found.status == "draft":
                applications.submit_application(db.session, actor, found.id)
    except ma.ValidationError as error:
        return _render_application(cohort, found, _form_errors(error.messages), _submitted_values(cohort), 400)
    except (ValidationFailed, Conflict) as error:
        db.session.rollback()
        found = access.application(db.session, actor, application_id)
        errors = _form_errors(error.errors) if error.errors else {"_schema": [error.detail]}
        return _render_application(found.cohort, found, errors, _submitted_values(found.cohort),
                                   400 if isinstance(error, ValidationFailed) else 409)
    return redirect(url_for("incubator_pages.application", application_id=found.id), 303)


@blp.get("/applications")
def my_applications():
    """The applications of the user's startup, newest first, with their status."""
    page = applications.list_my_applications(db.session, require_user(), page_size=100)
    return render_template("incubator/applications.html", page=page, status_labels=APPLICATION_STATUS_LABELS)


# ---- a startup's KPI reports -------------------------------------------------------------------------

KPI_FORM_FIELDS = ("revenue_amount", "customers", "headcount", "funding_raised_amount", "burn_amount")


def _kpi_input(currency: str) -> tuple[dict, dict]:
    """The report form as the API's schema loads it: amounts typed in the currency's units (1500.50)
    become minor units, whole numbers become integers; what is not a number is left for the schema
    to refuse, except amounts, which say what they expect."""
    raw = form_data(KPIReportCreateSchema(), request.form)
    errors: dict[str, list[str]] = {}
    for name in KPI_FORM_FIELDS:
        value = raw.get(name)
        if value is None:
            continue
        try:
            figure = Decimal(value.strip().replace(",", ""))
        except InvalidOperation:
            figure = None
        if name in MONEY_FIGURES:
            minor = None if figure is None else figure.scaleb(exponent(currency))
            if minor is None or minor != minor.to_integral_value():
                errors[name] = [gettext("Enter an amount such as %(example)s.", example="1500.00" if exponent(currency) else "1500000")]
                raw.pop(name)
            else:
                raw[name] = int(minor)
        elif figure is not None and figure == figure.to_integral_value():
            raw[name] = int(figure)
    return raw, errors


def _render_kpis(member, errors=None, values=None, status=200):
    reports = members.list_kpi_reports(db.session, require_user(), member.id)
    previous = reports[0] if reports else None
    if values is None:
        start = previous.period_end + timedelta(days=1) if previous else member.cohort.starts_on
        values = {"period_start": start.isoformat()}
    return render_template(
        "incubator/kpis.html", member=member, cohort=member.cohort, reports=reports, previous=previous,
        errors=errors or {}, values=values, kpi_labels=KPI_LABELS, money_figures=MONEY_FIGURES,
        is_startup=member.startup_id == current_user.organization_id,
        exponent=exponent(member.currency),
    ), status


@blp.route("/members/<int:member_id>/kpis", methods=["GET", "POST"])
def kpi_reports(member_id: int):
    """A cohort member's KPI reports; the startup reports a new period beside the previous one."""
    actor = require_user()
    member = access.member(db.session, actor, member_id)
    if request.method == "GET":
        return _render_kpis(member)
    member = access.member(db.session, actor, member_id, startup=True)
    data, errors = _kpi_input(member.currency)
    values = {key: request.form.get(key, "") for key in ("period_start", "period_end", "highlights", *KPI_FORM_FIELDS)}
    try:
        loaded = KPIReportCreateSchema().load(data)
    except ma.ValidationError as error:
        return _render_kpis(member, {**flat_errors(error.messages), **errors}, values, 400)
    if errors:
        return _render_kpis(member, errors, values, 400)
    try:
        members.submit_kpi_report(db.session, actor, member.id, loaded)
    except (ValidationFailed, Conflict) as error:
        db.session.rollback()
        member = access.member(db.session, actor, member_id)
        found = flat_errors(error.errors) if error.errors else {"_schema": [error.detail]}
        return _render_kpis(member, found, values, 400 if isinstance(error, ValidationFailed) else 409)
    return redirect(url_for("incubator_pages.kpi_reports", member_id=member.id), 303)


# ---- a cohort's applications (the incubator's people) ----------------------------------------------

#: the decisions a manager makes on an application
DECISION_LABELS = {"accept": _l("Accept"), "waitlist": _l("Waitlist"), "reject": _l("Reject")}


def _render_cohort_applications(actor, cohort_id: int, error=None, status=200):
    schema = ApplicationListArgs()
    filters = schema.load(form_data(schema, request.args))
    cohort = access.cohort(db.session, actor, cohort_id, staff=True)
    page = applications.list_cohort_applications(db.session, actor, cohort.id, status=filters["status"], page_size=200)
    is_manager = access.is_manager(actor, cohort.program.incubator_id)
    return render_template(
        "incubator/cohort_applications.html", cohort=cohort, page=page, status=filters["status"], error=error,
        status_labels=APPLICATION_STATUS_LABELS, decision_labels=DECISION_LABELS, is_manager=is_manager,
        accepted=programs.accepted_count(db.session, cohort.id),
        decisions=lambda app: applications.APPLICATION_WORKFLOW.allowed_actions(app.status) if is_manager else [],
    ), status


@blp.get("/cohorts/<int:cohort_id>/applications")
def cohort_applications(cohort_id: int):
    """A cohort's submitted applications, filtered by status; managers decide on them."""
    return _render_cohort_applications(require_user(), cohort_id)


@blp.post("/applications/<int:application_id>/decision")
def decide(application_id: int):
    """A manager accepts (within capacity), waitlists or rejects an application."""
    actor = require_user()
    found = access.managed_application(db.session, actor, application_id)
    cohort_id = found.cohort_id
    action = request.form.get("action", "")
    if action not in DECISION_LABELS:
        raise ValidationFailed("Unknown decision.", errors={"action": ["Unknown decision."]})
    reason = OptionalReasonSchema().load(form_data(OptionalReasonSchema(), request.form))["reason"]
    try:
        applications.decide(db.session, actor, application_id, action, reason)
    except Conflict as error:
        db.session.rollback()
        return _render_cohort_applications(actor, cohort_id, error=error.detail, status=409)
    return redirect(url_for("incubator_pages.cohort_applications", cohort_id=cohort_id), 303)
