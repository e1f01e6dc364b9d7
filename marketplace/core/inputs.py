"""What a request may carry before a view runs: ids in paths, text in paths, JSON bodies.

- ``<int:...>`` path segments are row ids: a value outside 1..2^31-1 matches no route (404),
  and the spec states the range.
- ``<string:...>`` path segments hold no control characters (404 otherwise).
- An operation that takes a JSON body answers 415 to a body of another media type, and 400 to
  JSON that does not parse or nests deeper than :data:`MAX_JSON_DEPTH`, before any work is done.
  Which operations take one is read from the spec as it is built (:class:`JsonBodyPlugin`), so
  what is enforced is what is documented.
"""

from __future__ import annotations

import json

from apispec import BasePlugin
from flask import Flask, current_app, request
from webargs.core import is_json
from werkzeug.routing import IntegerConverter, UnicodeConverter

from marketplace.core.errors import MalformedBody, UnsupportedMediaType
from marketplace.core.schemas import ID_RANGE

#: deepest nesting of arrays and objects accepted in a JSON body
MAX_JSON_DEPTH = 32
_JSON_BODY_OPERATIONS = "json_body_operations"


class IdConverter(IntegerConverter):
    """``<int:...>``: a row id, 1..2^31-1; other numbers match no route."""

    def __init__(self, map, fixed_digits=0, min=ID_RANGE[0], max=ID_RANGE[1], signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class TextConverter(UnicodeConverter):
    """``<string:...>``: one path segment without control characters."""

    def __init__(self, map, minlength=1, maxlength=None, length=None):
        super().__init__(map, minlength=minlength, maxlength=maxlength, length=length)
        self.regex = self.regex.replace("[^/]", r"[^/\x00-\x1f\x7f-\x9f]", 1)


class JsonBodyPlugin(BasePlugin):
    """apispec plugin: records the operations that take a JSON body and documents their 400 and 415."""

    def __init__(self) -> None:
        super().__init__()
        #: ``(endpoint, METHOD)`` of every operation whose request body is JSON
        self.operations: set[tuple[str, str]] = set()

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        rule = kwargs.get("rule")
        for method, operation in (operations or {}).items():
            content = (operation.get("requestBody") or {}).get("content") or {}
            if not any(is_json(media_type) for media_type in content):
                continue
            if rule is not None:
                self.operations.add((rule.endpoint, method.upper()))
            responses = operation.setdefault("responses", {})
            responses.setdefault(400, "BAD_REQUEST")
            responses.setdefault(415, "UNSUPPORTED_MEDIA_TYPE")


def init_app(app: Flask, plugin: JsonBodyPlugin) -> None:
    """Install the path converters (before any route is added) and the JSON body check."""
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["string"] = app.url_map.converters["default"] = TextConverter
    app.extensions[_JSON_BODY_OPERATIONS] = plugin.operations
    app.before_request(check_json_body)


def check_json_body() -> None:
    """415 for a non-JSON body sent to an operation that takes JSON; 400 for JSON it cannot use."""
    if (request.endpoint, request.method) not in current_app.extensions[_JSON_BODY_OPERATIONS]:
        return
    if not is_json(request.mimetype):
        if request.content_length or request.headers.get("Transfer-Encoding", "").lower() == "chunked":
            raise UnsupportedMediaType(
                f"The request body must be JSON, sent with Content-Type: application/json "
                f"(it was {request.mimetype or 'not declared'})."
            )
        return
    raw = request.get_data(cache=True)
    if not raw:
        return
    try:
        document = json.loads(raw)
    except RecursionError:
        raise MalformedBody(f"The JSON body nests arrays and objects more than {MAX_JSON_DEPTH} deep.") from None
    except ValueError:
        raise MalformedBody("The request body is not valid JSON.") from None
    if json_depth(document) > MAX_JSON_DEPTH:
        raise MalformedBody(f"The JSON body nests arrays and objects more than {MAX_JSON_DEPTH} deep.")


def json_depth(document) -> int:
    """How deep arrays and objects nest in a parsed JSON document (a scalar is 0)."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, depth)
        if depth <= MAX_JSON_DEPTH:
            stack.extend((child, depth + 1) for child in children)
    return deepest
