"""The web application's foundation: layout, shared components, languages, static files, error pages.

Packages' ``pages.py`` import from here; this package imports no domain package.
"""

from __future__ import annotations

from flask import Blueprint, Flask

from marketplace.web import errors, formatting, i18n, security
from marketplace.web.panels import render_panels


def page_blueprint(name: str, import_name: str, **kwargs) -> Blueprint:
    """A blueprint of HTML pages with its templates beside it (``templates/<package>/``)."""
    kwargs.setdefault("template_folder", "templates")
    return Blueprint(name, import_name, **kwargs)


#: the layout, the language switch and the static files (``/static/...``, served from the package)
blp = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/static")
blp.add_url_rule("/language", "language", i18n.choose_language, methods=["POST"])


def init_app(app: Flask) -> None:
    """Languages, template helpers, page headers and HTML error pages for every non-API route."""
    i18n.init_app(app)
    formatting.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    app.jinja_env.globals["panels"] = render_panels
    app.register_blueprint(blp)
