"""What deals add to other packages' pages: a listing's availability for licensing."""

from __future__ import annotations

from flask import render_template

from marketplace.deals.insights.services import listing_availability
from marketplace.extensions import db
from marketplace.web import page_blueprint
from marketplace.web.panels import panel

#: deals' pages and templates (``templates/deals/``)
blp = page_blueprint("deals_pages", __name__)


@panel("listing.aside")
def availability_panel(listing, viewer=None, **context) -> str | None:
    """Which fields and territories of the listing's IP are still open for an exclusive license."""
    if not listing.assets:
        return None
    availability = listing_availability(db.session, viewer, listing.id)
    return render_template("deals/_availability.html", availability=availability)
