"""Whoosh queries for a SearchQuery: the text with its boosts, and each filter."""

from __future__ import annotations

from whoosh.query import And, Every, Not, NumericRange, Or, Phrase, Term
from whoosh.support.charset import accent_map

from marketplace.search.backends.whoosh.analysis import stem_terms
from marketplace.search.backends.whoosh.prefixes import PrefixWords
from marketplace.search.backends.whoosh.schema import BOOSTS, epoch
from marketplace.search.query import Clause, SearchQuery


def fold_text(text: str) -> str:
    return text.lower().translate(accent_map)


def clause_query(clause: Clause, prefix_words: int):
    """The Whoosh query for one clause over every text field, with the boosts; None if only stop words.

    A prefix stands for its ``prefix_words`` most frequent words."""
    if clause.kind == "prefix":
        return PrefixWords((fold_text(clause.text),), prefix_words)
    words = stem_terms(clause.text)
    if not words:
        return None
    if len(words) == 1 and clause.kind == "term":
        return Or([Term(f, words[0], boost=b) for f, b in BOOSTS.items()])
    return Or([Phrase(f, words, boost=b) for f, b in BOOSTS.items()])


def text_query(query: SearchQuery):
    """The free-text part of ``query`` as a Whoosh query (None when there is no text)."""
    if query.parsed.is_empty:
        return None
    musts, nots = [], []
    for group in query.parsed.groups:
        if len(group) > 1 and all(c.kind == "prefix" for c in group):  # one pass over all their words
            musts.append(PrefixWords(tuple(fold_text(c.text) for c in group), query.parsed.prefix_words))
            continue
        parts = [(c, clause_query(c, query.parsed.prefix_words)) for c in group]
        parts = [(c, q) for c, q in parts if q is not None]
        if not parts:
            continue
        if len(parts) == 1 and parts[0][0].negated:
            nots.append(parts[0][1])
        else:
            musts.append(parts[0][1] if len(parts) == 1 else Or([q for _, q in parts]))
    if not musts and not nots:
        return Term("id", "")  # only stop words: nothing matches
    positive = musts[0] if len(musts) == 1 else (And(musts) if musts else Every())
    return And([positive] + [Not(q) for q in nots]) if nots else positive


def filter_queries(query: SearchQuery) -> dict[str, object]:
    """Each active filter as a Whoosh query, by facet name."""

    def any_of(field, values):
        return Or([Term(field, str(v)) for v in values])

    out: dict[str, object] = {}
    if query.fields:
        out["fields"] = any_of("fields", query.fields)
    if query.trl_values:
        out["trl"] = NumericRange("trl", query.trl_values[0], query.trl_values[-1])
    if query.opportunity_types:
        out["opportunity_types"] = any_of("opportunity_types", query.opportunity_types)
    if query.ip_kinds:
        out["ip_kinds"] = any_of("ip_kinds", query.ip_kinds)
    if query.university_ids:
        out["universities"] = any_of("university", query.university_ids)
    if query.countries:
        out["countries"] = any_of("country", query.countries)
    if query.has_express_license is not None:
        out["express"] = Term("express", "1" if query.has_express_license else "0")
    if query.published_since is not None:
        out["published"] = NumericRange("published", epoch(query.published_since), None)
    return out
