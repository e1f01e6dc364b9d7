"""Every string a page shows has its Vietnamese translation (parsed from the catalog in the repo)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = ROOT / "marketplace" / "translations"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}


def extracted_messages() -> dict[str, str]:
    """msgid -> where it was found, for every translatable string of the code and the templates."""
    with open(ROOT / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def catalog(language: str):
    with open(CATALOGS / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=language)


def test_every_page_string_has_a_vietnamese_translation():
    vi = catalog("vi")
    untranslated = []
    for msgid, where in extracted_messages().items():
        message = vi.get(msgid)
        strings = (message.string if isinstance(message.string, tuple) else (message.string,)) if message else ("",)
        if message is None or message.fuzzy or not all(s.strip() for s in strings):
            untranslated.append(f"{where}: {msgid!r}")
    assert untranslated == [], "run `make messages-update` and translate in the vi catalog:\n" + "\n".join(untranslated)


def test_the_translations_keep_their_placeholders():
    for language in ("vi", "en"):
        problems = [(message.id, errors) for message, errors in catalog(language).check()]
        assert problems == [], (language, problems)
