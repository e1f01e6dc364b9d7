"""The license page the emails link to: its terms for the licensor and the licensee (read-only for now)."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext

from marketplace.core.auth import require_user
from marketplace.extensions import db
from marketplace.ip.labels import ASSET_KIND_LABELS, EXCLUSIVITY_LABELS
from marketplace.ip.licenses.access import visible_license
from marketplace.web import page_blueprint

blp = page_blueprint("licenses_pages", __name__)


def license_status_labels() -> dict[str, str]:
    return {
        "draft": gettext("Draft"),
        "pending_payment": gettext("Waiting for payment"),
        "active": gettext("Active"),
        "terminated": gettext("Terminated"),
        "expired": gettext("Expired"),
    }


def reporting_period_labels() -> dict[str, str]:
    return {"quarterly": gettext("Quarterly"), "semiannual": gettext("Every six months"), "annual": gettext("Yearly")}


@blp.get("/licenses/<int:license_id>")
def license(license_id: int):
    """A license's parties, assets and terms, for its licensor and licensee (404 for everyone else)."""
    item, side = visible_license(db.session, require_user(), license_id)
    return render_template(
        "licenses/license.html", license=item, side=side, status_labels=license_status_labels(),
        exclusivity_labels=EXCLUSIVITY_LABELS, period_labels=reporting_period_labels(), kind_labels=ASSET_KIND_LABELS,
    )
