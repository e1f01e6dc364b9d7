"""In-app notifications as a page: reading the list never writes; marking read is a form POST."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from marketplace.core.auth import require_user
from marketplace.core.pagination import PageArgs
from marketplace.extensions import db
from marketplace.notifications import services
from marketplace.web import page_blueprint
from marketplace.web.forms import QueryArgs, form_data

blp = page_blueprint("notifications_pages", __name__)


@blp.get("/notifications")
def notifications():
    """Your notifications, newest first, the unread ones marked."""
    user = require_user()
    schema = PageArgs()
    paging = schema.load(form_data(schema, request.args))
    page = services.list_notifications(db.session, user.id, **paging)
    links = QueryArgs(request.path, request.args, {"page", "page_size"})
    return render_template(
        "notifications/notifications.html", page=page, links=links, unread=services.unread_count(db.session, user.id)
    )


@blp.post("/notifications/<int:notification_id>/read")
def mark_read(notification_id: int):
    """Mark one notification as read."""
    services.mark_read(db.session, require_user().id, notification_id)
    return redirect(url_for("notifications_pages.notifications", page=request.form.get("page") or None), 303)


@blp.post("/notifications/read-all")
def mark_all_read():
    """Mark every notification as read."""
    services.mark_read(db.session, require_user().id)
    return redirect(url_for("notifications_pages.notifications"), 303)
