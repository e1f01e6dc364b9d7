"""Admin pages: organizations to verify, the moderation queue, flags, users and the audit trail.

Thin views over the services the admin API uses; every page is for administrators only (anonymous
visitors are sent to log in, everyone else gets 403).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import marshmallow as ma
from flask import g, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.datastructures import MultiDict

from marketplace.accounts import schemas as acc
from marketplace.accounts import services as accounts
from marketplace.admin import schemas as s
from marketplace.admin import services
from marketplace.core.auth import require_admin
from marketplace.core.errors import DomainError
from marketplace.core.pagination import PageArgs
from marketplace.core.schemas import ReasonSchema
from marketplace.extensions import db
from marketplace.listings import flags, moderation, transitions
from marketplace.listings import schemas as ls
from marketplace.listings.services import list_listings
from marketplace.web import page_blueprint
from marketplace.web.forms import QueryArgs, flat_errors, form_data, safe_next

blp = page_blueprint("admin_pages", __name__, url_prefix="/admin")

PAGE_SIZE = 20


@blp.before_request
def _admins_only():
    """Anonymous visitors log in first; people who are not administrators get 403."""
    require_admin()


def _query(schema: ma.Schema, keys, **defaults) -> tuple[dict, QueryArgs, dict]:
    """A list page's filters and page from the query string: (values, links, errors by field)."""
    links = QueryArgs(request.path, request.args, set(keys) | {"page"})
    args = MultiDict(request.args)
    for key, value in defaults.items():
        args.setdefault(key, value)
    try:
        values = schema.load(form_data(schema, args))
        errors = {}
    except ma.ValidationError as error:
        values, errors = schema.load({}), flat_errors(error.messages)
    paging = PageArgs().load(form_data(PageArgs(), request.args) | {"page_size": PAGE_SIZE})
    return {**values, **paging}, links, errors


def _back(default_endpoint: str, done: str | None = None):
    target = safe_next(request.form.get("next"), url_for(default_endpoint))
    if done:
        target += ("&" if "?" in target else "?") + f"done={done}"
    return redirect(target, 303)


def _act(action, default_endpoint: str, done: str, reason_schema: ma.Schema | None = None):
    """Run an admin action from a form: refusals (bad reason, wrong state) come back as a notice on the page."""
    data = {}
    if reason_schema is not None:
        try:
            data = reason_schema.load(form_data(reason_schema, request.form))
        except ma.ValidationError as error:
            return _problem(default_endpoint, "; ".join(m for ms in flat_errors(error.messages).values() for m in ms))
    try:
        action(data)
    except DomainError as error:
        if error.status not in (409, 422):
            raise
        return _problem(default_endpoint, error.detail or str(error), error.status)
    return _back(default_endpoint, done)


def _problem(endpoint: str, message: str, status: int = 400):
    """Show the list page again with the refusal above it."""
    g.admin_problem = message
    answer = blp_views[endpoint]()
    return (answer[0] if isinstance(answer, tuple) else answer), status


def verification_labels() -> dict[str, str]:
    return {"pending": gettext("Waiting"), "verified": gettext("Verified"), "rejected": gettext("Rejected")}


# ---- organizations -----------------------------------------------------------------------------


@blp.get("/")
def index():
    """The administration starts with the organizations waiting for verification."""
    return redirect(url_for("admin_pages.organizations"), 303)


@blp.get("/organizations")
def organizations():
    """Organizations, the ones waiting for verification first by default; verify or reject with a reason."""
    filters, links, errors = _query(acc.OrganizationListArgs(), {"q", "kind", "verification_status"},
                                    verification_status="pending")
    page = accounts.list_organizations(db.session, **filters)
    return render_template(
        "admin/organizations.html", page=page, links=links, filters=filters, errors=errors,
        labels=verification_labels(), problem=g.get("admin_problem"),
    ), 400 if errors else 200


@blp.post("/organizations/<int:org_id>/verify")
def verify_organization(org_id: int):
    """Verify an organization (its managers are emailed)."""
    return _act(lambda _: accounts.verify_organization(db.session, org_id), "admin_pages.organizations", "verified")


@blp.post("/organizations/<int:org_id>/reject")
def reject_organization(org_id: int):
    """Reject an organization with a reason (its managers are emailed)."""
    return _act(lambda data: accounts.reject_organization(db.session, org_id, data["reason"]),
                "admin_pages.organizations", "rejected", ReasonSchema())


# ---- listings: the moderation queue --------------------------------------------------------------


@blp.get("/moderation")
def moderation_queue():
    """Listings in review, the longest-waiting first, with what changed since the last approval; and the suspended ones."""
    paging = PageArgs().load(form_data(PageArgs(), request.args) | {"page_size": PAGE_SIZE})
    page = moderation.moderation_queue(db.session, **paging)
    suspended = list_listings(db.session, require_admin(), status=["suspended"], page=1, page_size=100)
    links = QueryArgs(request.path, request.args, {"page"})
    return render_template(
        "admin/moderation.html", page=page, links=links, suspended=suspended.items,
        problem=g.get("admin_problem"),
    )


@blp.post("/listings/<int:listing_id>/approve")
def approve_listing(listing_id: int):
    """Publish a listing in review."""
    return _act(lambda _: transitions.approve(db.session, require_admin(), listing_id),
                "admin_pages.moderation_queue", "approved")


@blp.post("/listings/<int:listing_id>/request-changes")
def request_changes(listing_id: int):
    """Send a listing back to its university with what to change."""
    return _act(lambda data: transitions.request_changes(db.session, require_admin(), listing_id, data["reason"]),
                "admin_pages.moderation_queue", "changes_requested", ReasonSchema())


@blp.post("/listings/<int:listing_id>/suspend")
def suspend_listing(listing_id: int):
    """Suspend a listing with a reason (a published one leaves the catalogue at once)."""
    return _act(lambda data: transitions.suspend(db.session, require_admin(), listing_id, data["reason"]),
                "admin_pages.moderation_queue", "suspended", ReasonSchema())


@blp.post("/listings/<int:listing_id>/reinstate")
def reinstate_listing(listing_id: int):
    """Lift a listing's suspension."""
    return _act(lambda _: transitions.reinstate(db.session, require_admin(), listing_id),
                "admin_pages.moderation_queue", "reinstated")


# ---- flags ---------------------------------------------------------------------------------------


@blp.get("/flags")
def flags_page():
    """Flags on listings (open ones by default, oldest first): resolve, with or without suspending, or dismiss."""
    filters, links, errors = _query(ls.FlagListArgs(), {"status", "listing_id"})
    page = flags.list_flags(db.session, **filters)
    return render_template(
        "admin/flags.html", page=page, links=links, filters=filters, errors=errors,
        problem=g.get("admin_problem"),
    ), 400 if errors else 200


@blp.post("/flags/<int:flag_id>/resolve")
def resolve_flag(flag_id: int):
    """Accept a flag, optionally suspending the listing (the note is the reason)."""
    return _act(lambda data: flags.resolve_flag(db.session, require_admin(), flag_id, **data),
                "admin_pages.flags_page", "resolved", ls.FlagResolveSchema())


@blp.post("/flags/<int:flag_id>/dismiss")
def dismiss_flag(flag_id: int):
    """Dismiss a flag as unfounded."""
    return _act(lambda data: flags.dismiss_flag(db.session, require_admin(), flag_id, **data),
                "admin_pages.flags_page", "dismissed", ls.FlagDismissSchema())


# ---- users ---------------------------------------------------------------------------------------


@blp.get("/users")
def users():
    """Every user, searchable by name or email; suspend with a reason, or reactivate."""
    filters, links, errors = _query(acc.UserListArgs(), {"q", "organization_id", "suspended"})
    page = accounts.list_users(db.session, **filters)
    return render_template(
        "admin/users.html", page=page, links=links, filters=filters, errors=errors,
        problem=g.get("admin_problem"), me=require_admin(),
    ), 400 if errors else 200


@blp.post("/users/<int:user_id>/suspend")
def suspend_user(user_id: int):
    """Suspend a user: their sessions and API tokens stop working at once."""
    return _act(lambda data: accounts.suspend_user(db.session, require_admin(), user_id, data["reason"]),
                "admin_pages.users", "suspended", ReasonSchema())


@blp.post("/users/<int:user_id>/reactivate")
def reactivate_user(user_id: int):
    """Lift a user's suspension."""
    return _act(lambda _: accounts.reactivate_user(db.session, user_id), "admin_pages.users", "reactivated")


# ---- the audit trail -----------------------------------------------------------------------------

AUDIT_KEYS = ("actor_user_id", "object_type", "object_id", "action", "from", "to")


def _day_start(value: str) -> str:
    """A date input (``YYYY-MM-DD``) as the first moment of that day in UTC, as the API takes it."""
    return datetime.combine(date.fromisoformat(value), time(), timezone.utc).isoformat()


@blp.get("/audit")
def audit():
    """The audit trail, newest first, filtered by actor, object, action and dates (both days included)."""
    values = {k: v.strip() for k, v in request.args.items() if k in AUDIT_KEYS and v.strip()}
    errors: dict[str, list[str]] = {}
    args = MultiDict({k: v for k, v in values.items() if k not in ("from", "to")})
    for key, target, shift in (("from", "since", 0), ("to", "until", 1)):
        if key in values:
            try:
                day = date.fromisoformat(values[key]) + timedelta(days=shift)
            except ValueError:
                errors[key] = [gettext("Enter a date like 2026-12-31.")]
            else:
                args[target] = _day_start(day.isoformat())
    schema = s.AuditEventArgs()
    try:
        filters = schema.load(form_data(schema, args))
    except ma.ValidationError as error:
        filters = schema.load({})
        errors.update(flat_errors(error.messages))
    paging = PageArgs().load(form_data(PageArgs(), request.args) | {"page_size": PAGE_SIZE})
    page = services.list_audit_events(db.session, **(filters | paging))
    links = QueryArgs(request.path, request.args, set(AUDIT_KEYS) | {"page"})
    return render_template("admin/audit.html", page=page, links=links, values=values, errors=errors), (
        400 if errors else 200
    )


blp_views = {
    "admin_pages.organizations": organizations,
    "admin_pages.moderation_queue": moderation_queue,
    "admin_pages.flags_page": flags_page,
    "admin_pages.users": users,
}
