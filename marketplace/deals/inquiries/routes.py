"""Inquiry endpoints: threads between a company and a listing's university."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from marketplace.core.pagination import PageArgs, page_schema
from marketplace.deals.inquiries import schemas as s
from marketplace.deals.inquiries import services
from marketplace.deals.parties import COMPANY_KINDS, require_company_member, require_party
from marketplace.core.auth import membership_required
from marketplace.extensions import db

blp = Blueprint("inquiries", __name__, url_prefix="/api/v1/inquiries", description="Inquiries: message threads about listings")

party_required = membership_required(kinds=(*COMPANY_KINDS, "university"))


@blp.route("")
class Inquiries(MethodView):
    @party_required
    @blp.arguments(s.InquiryListArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(s.InquirySchema))
    def get(self, **filters):
        """Your organization's inquiries (as asker or as university), most recently active first."""
        return services.list_inquiries(db.session, require_party(), **filters)

    @membership_required(kinds=COMPANY_KINDS, verified=True)
    @blp.arguments(s.InquiryCreateSchema)
    @blp.response(201, s.InquirySchema)
    def post(self, data):
        """Ask the university behind a published listing a question (opens a thread)."""
        return services.open_inquiry(db.session, require_company_member(), **data)


@blp.route("/unread-count")
class UnreadInquiries(MethodView):
    @blp.response(200, s.UnreadInquiriesSchema)
    def get(self):
        """How many messages from the other side you have not read, over all inquiries."""
        return services.unread_summary(db.session, require_party())


@blp.route("/<int:inquiry_id>")
class InquiryItem(MethodView):
    @blp.response(200, s.InquirySchema)
    def get(self, inquiry_id):
        """One inquiry, with your unread count."""
        return services.get_inquiry(db.session, require_party(), inquiry_id)


@blp.route("/<int:inquiry_id>/messages")
class Messages(MethodView):
    @party_required
    @blp.arguments(PageArgs, location="query", as_kwargs=True)
    @blp.response(200, page_schema(s.MessageSchema))
    def get(self, inquiry_id, **paging):
        """The thread's messages, oldest first."""
        return services.list_messages(db.session, require_party(), inquiry_id, **paging)

    @party_required
    @blp.arguments(s.MessageCreateSchema)
    @blp.response(201, s.MessageSchema)
    def post(self, data, inquiry_id):
        """Write in the thread; the other side is notified and emailed."""
        return services.post_message(db.session, require_party(), inquiry_id, data["body"])


@blp.route("/<int:inquiry_id>/read")
class MarkRead(MethodView):
    @blp.response(200, s.InquirySchema)
    def post(self, inquiry_id):
        """Mark the thread as read up to its latest message."""
        return services.mark_read(db.session, require_party(), inquiry_id)
