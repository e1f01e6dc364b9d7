"""Web benchmark: the catalogue page against the search API, for the same queries.

    .venv/bin/python bench/web_bench.py --listings 10000

1. Generates N synthetic published listings (``search_bench.generate``) in a fresh SQLite file and
   builds their Whoosh index.
2. Serves the app on 127.0.0.1 and asks the same fixed mix of 200 queries (``search_bench.query_mix``:
   1-3 terms, half with filters, page size 20) of both ``/search`` (the HTML page, in Vietnamese)
   and ``/api/v1/search/listings``, alternating which goes first.
3. Measures **server time**: from the WSGI call to the last byte of the body, by a middleware
   around the app (the network and the client are left out).
4. Prints p50/p95 of both and ends with ``web p95 page/api = R`` (goal: R <= 1.3).
"""

from __future__ import annotations

import argparse
import http.client
import logging
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search_bench import generate, percentile, query_mix  # noqa: E402  (the same data and queries)


class ServerTimer:
    """WSGI middleware: the time from the call to the end of the response body, per request."""

    def __init__(self, app):
        self.app = app
        self.last_ms = 0.0

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        result = self.app(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        self.last_ms = (time.perf_counter() - started) * 1000
        return [body]


def get(port: int, path: str, params: dict, headers: dict) -> bytes:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path + "?" + urllib.parse.urlencode(params, doseq=True), headers=headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"{path} answered {response.status}: {body[:300]!r}")
    return body


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--listings", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", action="store_true", help="keep the generated database and index")
    args = parser.parse_args(argv)

    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from marketplace import create_app
    from marketplace.core.transaction import commit
    from marketplace.extensions import db
    from marketplace.search.backends import get_backend

    workdir = tempfile.mkdtemp(prefix="web-bench-")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir}/bench.db",
            "SEARCH_BACKEND": "whoosh",
            "SEARCH_INDEX_DIR": f"{workdir}/index",
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
        }
    )
    logging.getLogger().setLevel(logging.WARNING)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    try:
        with app.app_context():
            upgrade()
            print(f"Web benchmark: {args.listings} listings, {args.queries} queries, page vs API (server time)")
            generate(db.session, args.listings, args.seed)
            get_backend(app).rebuild(db.session, 1000, lambda n: None)
            commit()
            db.session.remove()

        timer = ServerTimer(app.wsgi_app)
        app.wsgi_app = timer
        server = make_server("127.0.0.1", 0, app, threaded=False)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.server_port
        headers = {"Accept-Language": "vi"}
        mix = query_mix(args.queries, args.seed)
        for params in mix[:5]:  # warm up: file cache, searcher, templates
            get(port, "/search", params, headers)
            get(port, "/api/v1/search/listings", params, headers)
        page_ms, api_ms = [], []
        for i, params in enumerate(mix):
            order = [("/search", page_ms), ("/api/v1/search/listings", api_ms)]
            for path, times in order if i % 2 == 0 else reversed(order):
                get(port, path, params, headers)
                times.append(timer.last_ms)
        server.shutdown()
        print(f"page (/search, HTML):   p50 {statistics.median(page_ms):7.1f} ms   p95 {percentile(page_ms, 95):7.1f} ms")
        print(f"api  (JSON):            p50 {statistics.median(api_ms):7.1f} ms   p95 {percentile(api_ms, 95):7.1f} ms")
        page_p95, api_p95 = percentile(page_ms, 95), percentile(api_ms, 95)
        print(
            f"web p95 page/api = {page_p95 / api_p95:.2f} (page {page_p95:.1f} ms, api {api_p95:.1f} ms, "
            f"{args.listings} listings)"
        )
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if args.keep:
            print(f"kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
