"""Public listing pages: one listing, and a university with its published listings (thin views)."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from marketplace.accounts.services import organization_by_slug
from marketplace.core.pagination import PageArgs
from marketplace.extensions import db
from marketplace.ip.labels import ASSET_KIND_LABELS, ASSET_STATUS_LABELS
from marketplace.listings import services
from marketplace.listings.labels import DEVELOPMENT_STAGE_LABELS, OPPORTUNITY_TYPE_LABELS
from marketplace.listings.models import Listing
from marketplace.listings.schemas import PublicListingSchema
from marketplace.listings.workflow import PUBLISHED
from marketplace.web import page_blueprint
from marketplace.web.forms import QueryArgs, form_data

blp = page_blueprint("listings_pages", __name__)


def _viewer():
    return current_user._get_current_object() if current_user.is_authenticated else None


@blp.get("/listings/<slug>")
def listing(slug: str):
    """A listing's public facts, its IP, its express license and the ways to take it further."""
    viewer = _viewer()
    item: Listing = services.read_listing(db.session, viewer, slug=slug)
    return render_template(
        "listings/listing.html",
        listing=item,
        facts=PublicListingSchema().dump(item),
        is_published=item.status == PUBLISHED,
        opportunity_labels=OPPORTUNITY_TYPE_LABELS,
        stage_labels=DEVELOPMENT_STAGE_LABELS,
        asset_kind_labels=ASSET_KIND_LABELS,
        asset_status_labels=ASSET_STATUS_LABELS,
    )


@blp.get("/universities/<slug>")
def university(slug: str):
    """A university and its published listings, newest first."""
    org = organization_by_slug(db.session, slug, kind="university")
    schema = PageArgs()
    paging = schema.load(form_data(schema, request.args))
    page = services.list_listings(db.session, _viewer(), university_id=org.id, page=paging["page"],
                                  page_size=paging["page_size"])
    links = QueryArgs(request.path, request.args, {"page", "page_size"})
    status = 404 if page.page > max(page.pages, 1) else 200
    return render_template("listings/university.html", university=org, page=page, links=links), status
