"""Public reads: a short-lived cache in each process, and HTTP caching headers.

An anonymous GET (no ``Authorization`` header, no cookie) of a view marked ``public_read`` is
answered from this process's cache when the same URL was answered with a 200 within
``PUBLIC_CACHE_SECONDS`` (0 turns the cache off): a WSGI middleware in front of the app replays the
stored status, headers and body without entering Flask. These answers say
``Cache-Control: public, max-age=PUBLIC_CACHE_SECONDS`` and ``Vary: Authorization, Cookie`` and
carry an ETag of their body, so browsers and shared caches revalidate with ``If-None-Match`` and
get a 304. A public read can therefore be up to ``PUBLIC_CACHE_SECONDS`` old (in each worker
process); logged-in users and bearer clients always get a fresh answer. Bookkeeping that the view
does for each reader (counting a listing's view) registers with ``on_hit`` and is repeated, with the
reader's WSGI environ, on every hit.
"""

from __future__ import annotations

import hashlib
import time
from functools import wraps
from typing import Callable

from flask import Flask, current_app, request

_EXTENSION = "public_read_cache"
#: the environ key through which a view marked ``public_read`` asks the middleware to keep its answer
_MARK = "marketplace.public_read_hooks"
_REPLAYED_ON_304 = frozenset({"cache-control", "vary", "etag", "date", "expires"})


def public_read(view: Callable) -> Callable:
    """Mark a GET view whose anonymous answers are the same for every anonymous reader."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        seconds = current_app.config["PUBLIC_CACHE_SECONDS"]
        if not _cacheable(request.environ, seconds):
            return view(*args, **kwargs)
        request.environ[_MARK] = []
        response = current_app.make_response(view(*args, **kwargs))
        if response.status_code == 200:
            response.headers["Cache-Control"] = f"public, max-age={int(seconds)}"
            response.headers["Vary"] = "Authorization, Cookie"
            response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32], weak=True)
            response = response.make_conditional(request)
        return response

    return wrapper


def on_hit(hook: Callable[[dict], None]) -> None:
    """While a public read is being answered for the cache, repeat ``hook(environ)`` on every later hit."""
    hooks = request.environ.get(_MARK)
    if hooks is not None:
        hooks.append(hook)


def _cacheable(environ: dict, seconds: float) -> bool:
    return (
        seconds > 0
        and environ.get("REQUEST_METHOD") == "GET"
        and "HTTP_AUTHORIZATION" not in environ
        and "HTTP_COOKIE" not in environ
    )


class PublicReadCache:
    """The WSGI middleware that keeps marked 200 answers and replays them until they expire."""

    def __init__(self, app: Flask, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self.entries: dict[str, tuple] = {}

    def __call__(self, environ, start_response):
        seconds = self.app.config["PUBLIC_CACHE_SECONDS"]
        if not _cacheable(environ, seconds):
            return self.wsgi_app(environ, start_response)
        key = f"{environ.get('PATH_INFO', '')}?{environ.get('QUERY_STRING', '')}"
        now = time.monotonic()
        entry = self.entries.get(key)
        if entry is not None and entry[0] > now:
            return self._replay(entry, environ, start_response)
        answer: list = []

        def capture(status, headers, exc_info=None):
            answer[:] = [status, headers]
            return start_response(status, headers, exc_info)

        chunks = self.wsgi_app(environ, capture)
        hooks = environ.get(_MARK)
        if hooks is None or not answer or not answer[0].startswith("200"):
            return chunks
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        etag = next((value for name, value in answer[1] if name.lower() == "etag"), None)
        if len(self.entries) >= self.app.config["PUBLIC_CACHE_MAX_ENTRIES"]:
            self.entries.clear()
        self.entries[key] = (now + seconds, answer[1], body, etag, tuple(hooks))
        return [body]

    @staticmethod
    def _replay(entry: tuple, environ, start_response):
        _expires, headers, body, etag, hooks = entry
        for hook in hooks:
            hook(environ)
        if etag is not None and etag.removeprefix("W/") in environ.get("HTTP_IF_NONE_MATCH", ""):
            start_response("304 Not Modified", [(n, v) for n, v in headers if n.lower() in _REPLAYED_ON_304])
            return []
        start_response("200 OK", list(headers))
        return [body]


def init_app(app: Flask) -> None:
    """Put the public read cache in front of the app."""
    cache = PublicReadCache(app, app.wsgi_app)
    app.extensions[_EXTENSION] = cache
    app.wsgi_app = cache


def clear(app: Flask) -> None:
    """Forget every cached answer of this process."""
    app.extensions[_EXTENSION].entries.clear()
