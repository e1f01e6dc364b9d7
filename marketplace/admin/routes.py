"""Admin endpoints: organizations, users, audit trail."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from marketplace.accounts import schemas as acc
from marketplace.accounts import services as accounts
from marketplace.admin import schemas as s
from marketplace.admin import services
from marketplace.core.auth import require_admin
from marketplace.core.pagination import page_schema
from marketplace.core.schemas import ReasonSchema
from marketplace.extensions import db

blp = Blueprint("admin", __name__, url_prefix="/api/v1/admin", description="Administration (admins only)")


@blp.before_request
def _admins_only():
    """Every admin endpoint: 401 for anonymous callers, 403 for non-admins, before any parsing."""
    require_admin()


@blp.route("/organizations")
class Organizations(MethodView):
    @blp.arguments(acc.OrganizationListArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(acc.AdminOrganizationSchema))
    def get(self, **filters):
        """All organizations, filterable by kind, verification state and name."""
        return accounts.list_organizations(db.session, **filters)


@blp.route("/organizations/<int:org_id>")
class OrganizationItem(MethodView):
    @blp.response(200, acc.AdminOrganizationSchema)
    def get(self, org_id):
        """One organization."""
        return accounts.get_organization(db.session, org_id)


@blp.route("/organizations/<int:org_id>/verify")
class VerifyOrganization(MethodView):
    @blp.response(200, acc.AdminOrganizationSchema)
    def post(self, org_id):
        """Verify an organization (its managers are emailed)."""
        return accounts.verify_organization(db.session, org_id)


@blp.route("/organizations/<int:org_id>/reject")
class RejectOrganization(MethodView):
    @blp.arguments(ReasonSchema)
    @blp.response(200, acc.AdminOrganizationSchema)
    def post(self, data, org_id):
        """Reject an organization with a reason (its managers are emailed)."""
        return accounts.reject_organization(db.session, org_id, data["reason"])


@blp.route("/users")
class Users(MethodView):
    @blp.arguments(acc.UserListArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(acc.AdminUserSchema))
    def get(self, **filters):
        """All users, filterable by name/email, organization and suspension."""
        return accounts.list_users(db.session, **filters)


@blp.route("/users/<int:user_id>/suspend")
class SuspendUser(MethodView):
    @blp.arguments(ReasonSchema)
    @blp.response(200, acc.AdminUserSchema)
    def post(self, data, user_id):
        """Suspend a user: their sessions and API tokens stop working at once."""
        return accounts.suspend_user(db.session, current_user, user_id, data["reason"])


@blp.route("/users/<int:user_id>/reactivate")
class ReactivateUser(MethodView):
    @blp.response(200, acc.AdminUserSchema)
    def post(self, user_id):
        """Lift a suspension."""
        return accounts.reactivate_user(db.session, user_id)


@blp.route("/audit-events")
class AuditEvents(MethodView):
    @blp.arguments(s.AuditEventArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(s.AuditEventSchema))
    def get(self, **filters):
        """The audit trail of every state change and money movement, newest first."""
        return services.list_audit_events(db.session, **filters)
