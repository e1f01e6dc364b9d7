"""What pages call the kinds and states of IP, in the reader's language."""

from flask_babel import lazy_gettext as _l

ASSET_KIND_LABELS = {
    "patent": _l("Patent"),
    "patent_application": _l("Patent application"),
    "provisional": _l("Provisional application"),
    "software": _l("Software"),
    "copyright": _l("Copyright"),
    "know_how": _l("Know-how"),
    "trade_secret": _l("Trade secret"),
    "design": _l("Industrial design"),
    "plant_variety": _l("Plant variety"),
}

ASSET_STATUS_LABELS = {
    "pending": _l("Pending"),
    "granted": _l("Granted"),
    "abandoned": _l("Abandoned"),
    "expired": _l("Expired"),
}

#: a license's exclusivity
EXCLUSIVITY_LABELS = {
    "exclusive": _l("Exclusive"),
    "sole": _l("Sole"),
    "non_exclusive": _l("Non-exclusive"),
}
