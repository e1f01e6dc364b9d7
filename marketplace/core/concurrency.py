"""Optimistic concurrency: an ETag derived from a row's ``version``, checked against ``If-Match``."""

from __future__ import annotations

from werkzeug.http import parse_etags

from marketplace.core.errors import PreconditionFailed, PreconditionRequired

#: documents the header for flask-smorest (``@blp.doc(parameters=[IF_MATCH_PARAMETER])``)
IF_MATCH_PARAMETER = {
    "name": "If-Match",
    "in": "header",
    "required": True,
    "description": "The ETag of the version you edited (from the GET response). Missing: 428; stale: 412.",
    "schema": {"type": "string"},
}
ETAG_HEADER = {"ETag": {"description": "The current version of the resource", "schema": {"type": "string"}}}


def etag(version: int) -> str:
    """The (strong) ETag header value for ``version``."""
    return f'"v{version}"'


def check_if_match(if_match: str | None, version: int) -> None:
    """Raise 428 when no ``If-Match`` was sent, 412 when it does not name the current version."""
    if not if_match or not if_match.strip():
        raise PreconditionRequired(
            "Send the ETag you last read in the If-Match header, so concurrent edits are not lost."
        )
    tags = parse_etags(if_match)
    if not tags.contains(etag(version)[1:-1]) and not tags.star_tag:
        raise PreconditionFailed(
            "Someone changed this since you read it: fetch it again and re-apply your edit.",
            current_etag=etag(version),
        )
