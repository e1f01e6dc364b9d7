"""Admin moderation endpoints: the queue of listings in review, and flags."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from marketplace.core.auth import require_admin
from marketplace.core.pagination import PageArgs, page_schema
from marketplace.extensions import db
from marketplace.listings import flags, moderation
from marketplace.listings import schemas as ls

blp = Blueprint(
    "admin_moderation", __name__, url_prefix="/api/v1/admin", description="Moderation: listings in review and flags (admins only)"
)


@blp.before_request
def _admins_only():
    """401 for anonymous callers, 403 for non-admins, before any parsing."""
    require_admin()


@blp.route("/moderation-queue")
class ModerationQueue(MethodView):
    @blp.arguments(PageArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(ls.ModerationItemSchema))
    def get(self, **paging):
        """Listings in review, the oldest submission first, with what changed since the last approval."""
        return moderation.moderation_queue(db.session, **paging)


@blp.route("/flags")
class Flags(MethodView):
    @blp.arguments(ls.FlagListArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(ls.AdminFlagSchema))
    def get(self, **filters):
        """Flags on listings, open ones by default, oldest first."""
        return flags.list_flags(db.session, **filters)


@blp.route("/flags/<int:flag_id>/resolve")
class ResolveFlag(MethodView):
    @blp.arguments(ls.FlagResolveSchema)
    @blp.response(200, ls.AdminFlagSchema)
    def post(self, data, flag_id):
        """Accept a flag, optionally suspending the listing in the same step (the note is the reason)."""
        return flags.resolve_flag(db.session, require_admin(), flag_id, **data)


@blp.route("/flags/<int:flag_id>/dismiss")
class DismissFlag(MethodView):
    @blp.arguments(ls.FlagDismissSchema)
    @blp.response(200, ls.AdminFlagSchema)
    def post(self, data, flag_id):
        """Dismiss a flag as unfounded."""
        return flags.dismiss_flag(db.session, require_admin(), flag_id, **data)
