"""Slots in a page where other packages add their part, without the page's package knowing them.

A listing page (``listings``) shows availability for licensing, which ``deals`` computes; ``deals``
registers a panel for the slot ``listing.aside`` and the listing page renders whatever is registered.
"""

from __future__ import annotations

from typing import Callable

from markupsafe import Markup

Panel = Callable[..., "str | None"]
_PANELS: dict[str, list[Panel]] = {}


def panel(slot: str) -> Callable[[Panel], Panel]:
    """Decorator: ``render(**context)`` adds HTML to ``slot`` (None or "" adds nothing)."""

    def register(render: Panel) -> Panel:
        if render not in _PANELS.setdefault(slot, []):
            _PANELS[slot].append(render)
        return render

    return register


def render_panels(slot: str, **context) -> Markup:
    """The HTML every panel of ``slot`` renders for this context, in registration order."""
    return Markup("").join(Markup(html) for render in _PANELS.get(slot, ()) if (html := render(**context)))
