"""ETag / If-Match for offers: a change applies only to the version of the offer the caller saw."""

from __future__ import annotations

from marketplace.core.errors import PreconditionFailed, PreconditionRequired


def etag_value(offer) -> str:
    """The offer's entity tag (unquoted); it changes with every revision and decision."""
    return f"offer-{offer.id}-v{offer.version}"


def etag_header(offer) -> dict[str, str]:
    return {"ETag": f'"{etag_value(offer)}"'}


def check(offer, if_match, *, required: bool) -> None:
    """412 when ``If-Match`` names another version; 428 when it is required and missing.

    ``if_match`` is the parsed header (``werkzeug.datastructures.ETags``) or None.
    """
    if not if_match:
        if required:
            raise PreconditionRequired(
                "Send the offer's ETag in If-Match, so your change cannot overwrite one you have not seen.",
                current_etag=f'"{etag_value(offer)}"',
            )
        return
    if not if_match.contains(etag_value(offer)):
        raise PreconditionFailed(
            "The offer changed since you read it: fetch it again and retry with its new ETag.",
            current_etag=f'"{etag_value(offer)}"',
        )
