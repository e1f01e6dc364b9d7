"""What a search asks for: the parsed free-text query and the filters, independent of backends.

Query syntax (both backends): words are ANDed; ``"quoted phrases"``; ``prefix*`` (at least two
letters); ``-word`` excludes; ``a OR b`` between two clauses. Case and accents never matter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from marketplace.core.errors import ValidationFailed
from marketplace.core.taxonomy import with_ancestors

MAX_QUERY_CLAUSES = 12
MIN_PREFIX = 2
#: the prefixes of a query stand for at most this many indexed words together, shared equally
#: (each at least one): those found in the most listings
MAX_PREFIX_WORDS = 10
#: deepest result a client may page to (page * page_size)
MAX_RESULT_WINDOW = 10_000
SORTS = ("relevance", "newest", "trl")
FACETS = ("fields", "trl", "opportunity_types", "ip_kinds", "universities", "countries")

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')
_WORD_CHARS = re.compile(r"\w", re.UNICODE)


@dataclass(frozen=True)
class Clause:
    """One free-text clause: a ``term`` (one or more words typed together), ``phrase`` or ``prefix``."""

    kind: str
    text: str
    negated: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    """AND of groups; each group is an OR of clauses."""

    groups: tuple[tuple[Clause, ...], ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.groups

    def may_need_suggestion(self, total: int) -> bool:
        """Whether a word may match nothing: always when nothing was found; otherwise only if some
        word is optional or excluded (when every word is required, a hit proves they all exist)."""
        return total == 0 or any(len(group) > 1 or group[0].negated for group in self.groups)

    @property
    def prefix_words(self) -> int:
        """How many words each prefix of this query stands for (its most frequent ones): the work a
        prefix causes grows with its words' postings, so a query's prefixes share a fixed budget."""
        prefixes = sum(1 for clause in self.clauses() if clause.kind == "prefix")
        return max(1, MAX_PREFIX_WORDS // max(1, prefixes))

    def clauses(self, *, positive_only: bool = False):
        for group in self.groups:
            for clause in group:
                if not (positive_only and clause.negated):
                    yield clause


def clean_text(q: str | None) -> str:
    """The query text with control characters (NUL, tabs, newlines) read as spaces."""
    return _CONTROL.sub(" ", q or "").strip()


def parse_query(q: str | None) -> ParsedQuery:
    """Parse the user's query text; raise ValidationFailed (422) on unbalanced quotes and the like."""
    q = clean_text(q)
    if not q:
        return ParsedQuery()
    if q.count('"') % 2:
        raise ValidationFailed("The query has an unbalanced quote.", errors={"q": ["Unbalanced quotes."]})
    clauses: list[Clause | str] = []
    for match in _TOKEN.finditer(q):
        negated_phrase, phrase, word = match.groups()
        if phrase is not None:
            if _WORD_CHARS.search(phrase):
                clauses.append(Clause("phrase", phrase.strip(), negated=bool(negated_phrase)))
            continue
        if word == "OR":
            clauses.append("OR")
            continue
        negated = word.startswith("-") and len(word) > 1
        if negated:
            word = word[1:]
        if word.endswith("*"):
            stem = word.rstrip("*")
            if len(_WORD_CHARS.findall(stem)) < MIN_PREFIX or not re.fullmatch(r"\w+", stem):
                raise ValidationFailed(
                    "A prefix search needs at least two letters before the *.",
                    errors={"q": [f"Prefix {word!r} is too short or not a single word."]},
                )
            clauses.append(Clause("prefix", stem, negated))
        elif _WORD_CHARS.search(word):
            clauses.append(Clause("term", word, negated))
    groups: list[list[Clause]] = []
    join_next = False
    for item in clauses:
        if item == "OR":
            join_next = bool(groups)
            continue
        if join_next and not item.negated and not any(c.negated for c in groups[-1]):
            groups[-1].append(item)
        else:
            groups.append([item])
        join_next = False
    if len(groups) > MAX_QUERY_CLAUSES or sum(len(g) for g in groups) > 2 * MAX_QUERY_CLAUSES:
        raise ValidationFailed("The query is too long.", errors={"q": [f"At most {MAX_QUERY_CLAUSES} terms."]})
    return ParsedQuery(tuple(tuple(g) for g in groups))


@dataclass(frozen=True)
class SearchQuery:
    """A validated search: text, filters, sort and page."""

    text: str = ""
    parsed: ParsedQuery = field(default_factory=ParsedQuery)
    #: taxonomy codes as asked; a parent stands for its children
    fields: tuple[str, ...] = ()
    trl_min: int | None = None
    trl_max: int | None = None
    opportunity_types: tuple[str, ...] = ()
    ip_kinds: tuple[str, ...] = ()
    university_ids: tuple[int, ...] = ()
    countries: tuple[str, ...] = ()
    has_express_license: bool | None = None
    published_since: datetime | None = None
    sort: str = "newest"
    page: int = 1
    page_size: int = 20
    with_facets: bool = True

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    @property
    def trl_values(self) -> tuple[int, ...]:
        if self.trl_min is None and self.trl_max is None:
            return ()
        return tuple(range(self.trl_min or 1, (self.trl_max or 9) + 1))

    def active_filters(self) -> dict[str, object]:
        """The filters in use, by the facet they narrow (``published``/``express`` have no facet)."""
        active: dict[str, object] = {}
        if self.fields:
            active["fields"] = self.fields
        if self.trl_values:
            active["trl"] = self.trl_values
        if self.opportunity_types:
            active["opportunity_types"] = self.opportunity_types
        if self.ip_kinds:
            active["ip_kinds"] = self.ip_kinds
        if self.university_ids:
            active["universities"] = self.university_ids
        if self.countries:
            active["countries"] = self.countries
        if self.has_express_license is not None:
            active["express"] = self.has_express_license
        if self.published_since is not None:
            active["published"] = self.published_since
        return active


def build_query(params: dict) -> SearchQuery:
    """A SearchQuery from loaded request parameters (or a saved search's criteria)."""
    text = clean_text(params.get("q"))
    parsed = parse_query(text)
    trl_min, trl_max = params.get("trl_min"), params.get("trl_max")
    if trl_min is not None and trl_max is not None and trl_min > trl_max:
        raise ValidationFailed("trl_min is above trl_max.", errors={"trl_min": ["Must not exceed trl_max."]})
    page, page_size = params.get("page", 1), params.get("page_size", 20)
    if page * page_size > MAX_RESULT_WINDOW:
        raise ValidationFailed(
            f"Results can be paged up to the {MAX_RESULT_WINDOW}th; narrow the search.",
            errors={"page": [f"page * page_size must not exceed {MAX_RESULT_WINDOW}."]},
        )
    sort = params.get("sort") or ("relevance" if not parsed.is_empty else "newest")
    if sort == "relevance" and parsed.is_empty:
        sort = "newest"
    return SearchQuery(
        text=text,
        parsed=parsed,
        fields=tuple(sorted(set(params.get("field") or ()))),
        trl_min=trl_min,
        trl_max=trl_max,
        opportunity_types=tuple(sorted(set(params.get("opportunity_type") or ()))),
        ip_kinds=tuple(sorted(set(params.get("ip_kind") or ()))),
        university_ids=tuple(sorted(set(params.get("university_id") or ()))),
        countries=tuple(sorted(set(params.get("country") or ()))),
        has_express_license=params.get("has_express_license"),
        published_since=params.get("published_since"),
        sort=sort,
        page=page,
        page_size=page_size,
        with_facets=params.get("facets", True),
    )


def indexed_fields(codes) -> list[str]:
    """The field codes a listing is found under: its own and their parents."""
    return sorted(with_ancestors(codes))
