"""Your in-app notifications."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from marketplace.core.auth import login_required, require_user
from marketplace.core.pagination import page_schema
from marketplace.extensions import db
from marketplace.notifications import schemas as s
from marketplace.notifications import reminders, services

blp = Blueprint("notifications", __name__, url_prefix="/api/v1/notifications", description="In-app notifications")


@blp.route("")
class Notifications(MethodView):
    @login_required
    @blp.arguments(s.NotificationArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(s.NotificationSchema))
    def get(self, **filters):
        """Your notifications, newest first (``unread=true`` for the unread ones)."""
        return services.list_notifications(db.session, require_user().id, **filters)


@blp.route("/unread-count")
class UnreadCount(MethodView):
    @blp.response(200, s.UnreadCountSchema)
    def get(self):
        """How many notifications you have not read."""
        return {"unread": services.unread_count(db.session, require_user().id)}


@blp.route("/<int:notification_id>/read")
class MarkRead(MethodView):
    @blp.response(204)
    def post(self, notification_id):
        """Mark one notification as read."""
        services.mark_read(db.session, require_user().id, notification_id)


@blp.route("/read-all")
class MarkAllRead(MethodView):
    @blp.response(204)
    def post(self):
        """Mark all your notifications as read."""
        services.mark_read(db.session, require_user().id)


prefs_blp = Blueprint("reminder_preferences", __name__, url_prefix="/api/v1/auth/me",
                      description="Which reminders you receive")


@prefs_blp.route("/reminder-preferences")
class ReminderPreferences(MethodView):
    @login_required
    @prefs_blp.response(200, s.ReminderPreferencesSchema)
    def get(self):
        """Every kind of reminder, and whether you muted it."""
        return reminders.preferences(db.session, require_user().id)

    @login_required
    @prefs_blp.arguments(s.MutedKindsSchema)
    @prefs_blp.response(200, s.ReminderPreferencesSchema)
    def put(self, body):
        """Mute exactly the kinds of reminder listed (in the app and by email); the others are sent."""
        return reminders.set_muted(db.session, require_user().id, body["muted"])
