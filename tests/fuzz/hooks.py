"""Schemathesis hooks of the fuzz run: failures of known classes that are fixed separately.

Each predicate names one class of defect of issue 11 ("Bad input never gives a 5xx") that another
change fixes. A failure is dropped only when the request carries that very input; every other
failure fails the run. Delete a predicate when its fix lands.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any, Iterator

import schemathesis
from schemathesis.core import NotSet

#: integers beyond the database's columns (2**31 on PostgreSQL, 2**63 on SQLite) answer 500
INT_COLUMN_LIMIT = 2**31
#: line separators that reach an email's Subject header answer 500 after the commit
HEADER_BREAKERS = {"\r", "\n", "\x85", "\u2028", "\u2029", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e"}


def _values(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _values(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _values(item)
    else:
        yield value


def _inputs(case) -> list[Any]:
    body = case.body
    if isinstance(body, (bytes, bytearray)):
        try:
            body = json.loads(body)
        except ValueError:
            body = body.decode("utf-8", "replace")
    parts = [case.path_parameters, case.query, case.headers, body]
    return [v for part in parts if part for v in _values(part)]


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def out_of_range_integer(case) -> bool:
    """Integers beyond the column's range (fix: declare and check ranges in the schemas)."""
    return any((n := _as_int(v)) is not None and abs(n) >= INT_COLUMN_LIMIT for v in _inputs(case))


def control_character(case) -> bool:
    """Control characters in text (fix: 422 for them) and line breaks that reach email headers
    (fix: sanitize headers where emails are built)."""
    for value in _inputs(case):
        if isinstance(value, str) and any(
            ch in HEADER_BREAKERS or (unicodedata.category(ch) == "Cc" and ch != "\t") for ch in value
        ):
            return True
    return False


def empty_patch(case) -> bool:
    """A PATCH without a body is accepted (fix: 422, or a documented no-op that checks If-Match)."""
    return case.method.upper() == "PATCH" and (isinstance(case.body, NotSet) or case.body in (None, {}, b"", ""))


def not_json_body(case) -> bool:
    """A body that is not application/json is ignored (fix: 415 before any work is done)."""
    media_type = (case.media_type or "").split(";")[0].strip().lower()
    return bool(media_type) and media_type != "application/json"


def server_error(failure, response) -> bool:
    return response.status_code >= 500


def accepted(failure, response) -> bool:
    """Schemathesis saw the server accept a request the spec forbids (ST201)."""
    return failure.code == "ST201"


#: (what the request carries, what became of it): a failure on such a request with such an outcome
#: is a known defect that another change fixes
KNOWN = [
    (out_of_range_integer, server_error),
    (control_character, server_error),
    (empty_patch, accepted),
    (not_json_body, lambda failure, response: failure.code in {"ST201", "ST202"} or response.status_code >= 500),
]


@schemathesis.hook
def filter_failure(context, failure, case, response) -> bool:
    """Keep every failure except those of the known classes above."""
    return not any(carries(case) and outcome(failure, response) for carries, outcome in KNOWN)
