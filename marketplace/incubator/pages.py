"""Incubator pages: an incubator's public page, a cohort's call for applications, the open calls on
the home page (thin views over the incubator's services and access rules)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from marketplace.accounts.services import organization_by_slug
from marketplace.extensions import db
from marketplace.incubator import access
from marketplace.incubator.services import programs
from marketplace.web import page_blueprint
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
    cohort = access.cohort(db.session, _viewer(), cohort_id)
    return render_template("incubator/call.html", cohort=cohort, program=cohort.program)


@panel("home.sections")
def open_calls_panel(**context) -> str | None:
    """The cohorts taking applications now, on the home page."""
    cohorts = programs.open_calls(db.session, limit=HOME_OPEN_CALLS)
    if not cohorts:
        return None
    return render_template("incubator/_open_calls.html", cohorts=cohorts)
