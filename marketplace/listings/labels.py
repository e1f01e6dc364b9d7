"""What pages call a listing's opportunity types and development stages, in the reader's language."""

from flask_babel import lazy_gettext as _l

OPPORTUNITY_TYPE_LABELS = {
    "license": _l("License"),
    "sponsored_research": _l("Sponsored research"),
    "co_development": _l("Co-development"),
    "startup_formation": _l("Startup formation"),
}

DEVELOPMENT_STAGE_LABELS = {
    "concept": _l("Concept"),
    "proof_of_concept": _l("Proof of concept"),
    "prototype": _l("Prototype"),
    "validated": _l("Validated"),
    "pilot": _l("Pilot"),
    "market_ready": _l("Market ready"),
}
