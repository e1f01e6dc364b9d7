"""The analyzers, and index-time analysis in one pass that gives the same terms.

``STEM`` (searchable text) and ``FOLD`` (the "did you mean" vocabulary) are the analyzer chains
of the index schema: queries and highlighting run through them. Whoosh runs each token through
a generator per filter, which made analysis most of the cost of indexing a listing; at index
time the same steps run here as one regex scan and a cached stemmer, and the terms go to Whoosh
as a list (``Field.index`` accepts pre-analyzed sequences). The schema stays the stock one, and
``tests/search/test_whoosh_analysis.py`` holds both paths to the same terms and positions.
"""

from __future__ import annotations

import re

from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.support.charset import accent_map

_TOKENIZER = RegexTokenizer()
_STOP = StopFilter()
_STEM = StemFilter()

STEM = _TOKENIZER | LowercaseFilter() | CharsetFilter(accent_map) | _STOP | _STEM
FOLD = _TOKENIZER | LowercaseFilter() | CharsetFilter(accent_map)

#: the tokenizer's pattern without its capturing group, so ``findall`` returns whole tokens
_TOKEN = re.compile(_TOKENIZER.expression.pattern.replace("(\\.?", "(?:\\.?"), re.UNICODE)
_STOP_WORDS = _STOP.stops
_MIN_SIZE = _STOP.min
#: stems of the words seen, bounded like the stem filter's own cache
_stems: dict[str, str] = {}


def fold_terms(text: str) -> list[str]:
    """The words of ``text``, lowercased and accent-folded: what ``FOLD`` yields."""
    if text.isascii():
        # lowercase ASCII has no accent to fold, and lowercasing moves no word boundary
        return _TOKEN.findall(text.lower())
    return [word.lower().translate(accent_map) for word in _TOKEN.findall(text)]


def stem_terms(text: str) -> list[str]:
    """The indexed terms of ``text`` in order: what ``STEM`` yields."""
    stems = _stems
    out = []
    for word in fold_terms(text):
        if len(word) < _MIN_SIZE or word in _STOP_WORDS:
            continue
        term = stems.get(word)
        if term is None:
            if len(stems) >= _STEM.cachesize:
                stems.clear()
            term = stems[word] = _STEM.stemfn(word)
        out.append(term)
    return out
