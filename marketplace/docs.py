"""The API docs page (Swagger UI) at /api/docs, its assets served by the app itself: no internet."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, send_from_directory
from swagger_ui_bundle import swagger_ui_path

blp = Blueprint("docs", __name__, url_prefix="/api/docs")
ASSETS = Path(swagger_ui_path)

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Tech-Transfer Marketplace API</title>
  <link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/api/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/api/docs/init.js"></script>
</body>
</html>
"""

INIT = """window.ui = SwaggerUIBundle({
  url: "/api/v1/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  withCredentials: true,
  requestInterceptor: function (req) {
    var m = document.cookie.match(/(?:^|; )csrf_token=([^;]*)/);
    if (m && !req.headers["X-CSRF-Token"]) { req.headers["X-CSRF-Token"] = decodeURIComponent(m[1]); }
    return req;
  }
});
"""


@blp.after_request
def _docs_csp(response):
    # Swagger UI sets inline styles; the page loads no script but its own.
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
    )
    return response


@blp.get("")
@blp.get("/")
def page():
    """The interactive API documentation."""
    return Response(PAGE, mimetype="text/html")


@blp.get("/init.js")
def init_js():
    return Response(INIT, mimetype="application/javascript")


@blp.get("/assets/<path:filename>")
def assets(filename: str):
    return send_from_directory(ASSETS, filename, max_age=86400)
