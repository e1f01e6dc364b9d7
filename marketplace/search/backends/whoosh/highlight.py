"""Marking the words a query matched in a listing's title, summary or description excerpt."""

from __future__ import annotations

import html
import re
from typing import Callable

from marketplace.search.backends.whoosh.analysis import stem_terms
from marketplace.search.backends.whoosh.queries import fold_text
from marketplace.search.backends.whoosh.schema import STEM
from marketplace.search.query import SearchQuery


def highlight_terms(query: SearchQuery, expand: Callable[[str], list[str]]) -> frozenset[str]:
    """Stems to mark: those of the positive clauses, a prefix's being the words it stands for
    (``expand`` gives them for the folded prefix)."""
    stems: set[str] = set()
    for clause in query.parsed.clauses(positive_only=True):
        if clause.kind == "prefix":
            stems.update(expand(fold_text(clause.text)))
        else:
            stems.update(stem_terms(clause.text))
    return frozenset(stems)


def _candidates(stems: frozenset[str]) -> re.Pattern:
    """A cheap pre-filter over folded text: where a matching word may start.

    A stem is not always a prefix of its words (battery -> batteri), its first letters are.
    """
    starts = {stem[:-1] if len(stem) > 3 else stem for stem in stems}
    return re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, starts), key=len, reverse=True)) + ")")


def _marked_spans(text: str, stems: frozenset[str], offset: int = 0) -> list[tuple[int, int]]:
    return [(t.startchar + offset, t.endchar + offset) for t in STEM(text, chars=True) if t.text in stems]


def mark(text: str, stems: frozenset[str], window: int | None = None) -> str | None:
    """``text`` HTML-escaped with matching words in ``<mark>``; None when nothing matches.

    With ``window``, only an excerpt of about that many characters around the first match (only
    that excerpt is analysed, so long descriptions cost little).
    """
    if not text:
        return None
    candidates = _candidates(stems)
    folded = fold_text(text)
    if len(folded) != len(text):  # a folding that changes lengths: analyse everything
        folded = None
    start, end = 0, len(text)
    spans: list[tuple[int, int]] = []
    if window and len(text) > window and folded is not None:
        for found in candidates.finditer(folded):
            start = max(0, found.start() - window // 3)
            if start:
                space = text.find(" ", start, found.start())
                start = space + 1 if space >= 0 else start
            end = min(len(text), start + window)
            if end < len(text):
                space = text.rfind(" ", found.end(), end)
                end = space if space > found.end() else end
            spans = _marked_spans(text[start:end], stems, offset=start)
            if spans:
                break
    elif folded is None or candidates.search(folded):
        spans = _marked_spans(text, stems)
    if not spans:
        return None
    out = ["…" if start else ""]
    pos = start
    for s, e in spans:
        if s < pos or e > end:
            continue
        out.append(html.escape(text[pos:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        pos = e
    out.append(html.escape(text[pos:end]))
    out.append("…" if end < len(text) else "")
    return "".join(out)


def highlight_listing(stems: frozenset[str], title: str, summary: str, description: str) -> dict[str, str]:
    """Title and summary with the words of ``stems`` marked; a description excerpt when the summary has none."""
    if not stems:
        return {}
    out = {}
    if marked := mark(title, stems):
        out["title"] = marked
    if marked := mark(summary, stems):
        out["summary"] = marked
    elif marked := mark(description, stems, window=240):
        out["description"] = marked
    return out
