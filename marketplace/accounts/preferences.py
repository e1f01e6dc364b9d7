"""A person's preferences: the language of their pages and emails."""

from __future__ import annotations

from marketplace.accounts.models import User
from marketplace.core.errors import ValidationFailed
from marketplace.extensions import db
from marketplace.web.i18n import LANGUAGES, language_chosen


def set_locale(session, user: User, locale: str | None) -> User:
    """Save the language the user reads the site in (None: follow their browser)."""
    if locale is not None and locale not in LANGUAGES:
        raise ValidationFailed("Unknown language.", errors={"locale": [f"One of {', '.join(LANGUAGES)}."]})
    if user.locale != locale:
        user.locale = locale
        session.flush()
    return user


@language_chosen.connect
def _save_chosen_language(sender, user, locale, **kwargs) -> None:
    """The language switcher was used by a logged-in person: remember it in their profile."""
    set_locale(db.session, user, locale)
