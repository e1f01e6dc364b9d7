"""Languages: which one a request is served in, and the switch between them."""

from __future__ import annotations

from blinker import Namespace
from flask import Flask, abort, current_app, has_request_context, redirect, request
from flask_babel import get_locale
from flask_login import current_user

from marketplace.extensions import babel
from marketplace.web.forms import safe_next

#: the languages of the site, in the switcher's order, each named in itself
LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}
LOCALE_COOKIE = "lang"
LOCALE_COOKIE_MAX_AGE = 365 * 24 * 3600

#: sent with ``user`` and ``locale`` when a logged-in person picks a language (accounts saves it)
language_chosen = Namespace().signal("language-chosen")


def select_locale() -> str:
    """The person's saved language, else the switcher's cookie, else ``Accept-Language``, else the default."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated:
        saved = getattr(current_user, "locale", None)
        if saved in LANGUAGES:
            return saved
    chosen = request.cookies.get(LOCALE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    """The language code of the page being rendered (``vi`` or ``en``)."""
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]).split("_")[0]


def choose_language():
    """The switcher (a form POST): remember the language in a cookie, and in the profile when logged in."""
    locale = request.form.get("lang", "")
    if locale not in LANGUAGES:
        abort(400)
    if current_user.is_authenticated:
        language_chosen.send(current_app._get_current_object(), user=current_user._get_current_object(), locale=locale)
    response = redirect(safe_next(request.form.get("next")), 303)
    response.set_cookie(
        LOCALE_COOKIE,
        locale,
        max_age=LOCALE_COOKIE_MAX_AGE,
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        httponly=True,
        samesite="Lax",
    )
    return response


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(languages=LANGUAGES, current_language=current_language)
