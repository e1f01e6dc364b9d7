"""Webhook endpoints of your organization, their delivery log and redelivery (managers; thin)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from marketplace.core.auth import MANAGER, manager_required, require_membership
from marketplace.core.pagination import PageArgs, page_schema
from marketplace.extensions import db
from marketplace.jobs.webhooks import schemas as s
from marketplace.jobs.webhooks import services

blp = Blueprint("webhooks", __name__, url_prefix="/api/v1/webhooks",
                description="Outgoing webhooks: your organization's endpoints and their deliveries (managers)")


def _manager():
    return require_membership(role=MANAGER)


@blp.route("/endpoints")
class Endpoints(MethodView):
    @manager_required
    @blp.arguments(PageArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(s.EndpointSchema))
    def get(self, **paging):
        """Your organization's webhook endpoints."""
        return services.list_endpoints(db.session, _manager(), **paging)

    @manager_required
    @blp.arguments(s.EndpointCreateSchema)
    @blp.response(201, s.EndpointCreatedSchema)
    def post(self, data):
        """Register an endpoint; the response shows its signing secret, this once."""
        return services.create_endpoint(db.session, _manager(), data)


@blp.route("/endpoints/<int:endpoint_id>")
class EndpointItem(MethodView):
    @manager_required
    @blp.response(200, s.EndpointSchema)
    def get(self, endpoint_id):
        """One of your endpoints."""
        return services.get_endpoint(db.session, _manager(), endpoint_id)

    @manager_required
    @blp.arguments(s.EndpointUpdateSchema)
    @blp.response(200, s.EndpointSchema)
    def patch(self, data, endpoint_id):
        """Change an endpoint's URL, description or events, or disable and enable it."""
        return services.update_endpoint(db.session, _manager(), endpoint_id, data)

    @manager_required
    @blp.response(204)
    def delete(self, endpoint_id):
        """Remove an endpoint and its delivery log."""
        services.delete_endpoint(db.session, _manager(), endpoint_id)


@blp.route("/endpoints/<int:endpoint_id>/deliveries")
class Deliveries(MethodView):
    @manager_required
    @blp.arguments(PageArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(s.DeliverySchema))
    def get(self, endpoint_id, **paging):
        """The endpoint's delivery log: each event, its status and every attempt."""
        return services.list_deliveries(db.session, _manager(), endpoint_id, **paging)


@blp.route("/deliveries/<int:delivery_id>/redeliver")
class Redeliver(MethodView):
    @manager_required
    @blp.response(202, s.DeliverySchema)
    def post(self, delivery_id):
        """Send a delivery again (same webhook-id and body)."""
        return services.redeliver(db.session, _manager(), delivery_id)
