"""The incubator API under ``/api/v1/incubator`` (thin views: parse, call one service, dump)."""

from __future__ import annotations

from flask_smorest import Blueprint

from marketplace.core.auth import require_membership

blp = Blueprint(
    "incubator",
    __name__,
    url_prefix="/api/v1/incubator",
    description="Incubator programs, cohorts, applications and reviews, members, milestones, KPIs, dashboard",
)


@blp.before_request
def _members_of_an_organization():
    """Every incubator endpoint: 401 for anonymous callers, 403 without an organization, before parsing."""
    require_membership()


from marketplace.incubator.routes import applications, members, programs  # noqa: E402,F401  (register views)
