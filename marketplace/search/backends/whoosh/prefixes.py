"""Prefix clauses: a prefix stands for its most frequent indexed words, read in one pass.

``co*`` can stand for hundreds of words, several of them in most descriptions. Whoosh's own
``Prefix`` ORs a matcher per word and field through a tree of union matchers and scores every
posting with the field length: about 6 µs a posting, 4 s for ``co*`` over 100,000 listings. Here
a prefix keeps only its most frequent words (``ParsedQuery.prefix_words``, at most
``query.MAX_PREFIX_WORDS``), and their postings in every text field are read once into a score
per listing, served by one ``ListMatcher``.
"""

from __future__ import annotations

from whoosh.matching import ListMatcher, NullMatcher
from whoosh.query.qcore import Query

from marketplace.search.backends.whoosh.schema import BOOSTS, TEXT_FIELDS

#: BM25's term-frequency saturation (Whoosh's ``BM25F`` default)
K1 = 1.2


def prefix_words(reader, prefix: str, limit: int) -> list[str]:
    """The ``limit`` indexed words starting with ``prefix`` found in the most listings (counted per
    text field), most frequent first, ties in alphabetical order."""
    counts: dict[bytes, int] = {}
    for field in TEXT_FIELDS:
        for word in reader.expand_prefix(field, prefix):
            counts[word] = counts.get(word, 0) + reader.doc_frequency(field, word)
    return [word.decode("utf-8") for word in sorted(counts, key=lambda w: (-counts[w], w))[:limit]]


class PrefixWords(Query):
    """Listings with any of the ``limit`` most frequent words of each of ``prefixes`` (several: an OR
    of prefixes, read in the same pass), in any text field.

    Scored per field and word like BM25 without the length normalisation (reading each listing's
    field length would cost more than its postings): boost x idf x tf (K1 + 1) / (tf + K1).
    """

    def __init__(self, prefixes: tuple[str, ...], limit: int):
        self.prefixes = prefixes
        self.limit = limit

    def __eq__(self, other):
        return type(other) is type(self) and (other.prefixes, other.limit) == (self.prefixes, self.limit)

    def __hash__(self):
        return hash((type(self).__name__, self.prefixes, self.limit))

    def __repr__(self):
        return f"{type(self).__name__}({self.prefixes!r}, {self.limit})"

    def words(self, reader) -> list[str]:
        """The words searched, chosen on ``reader``'s index."""
        words = (word for prefix in self.prefixes for word in prefix_words(reader, prefix, self.limit))
        return list(dict.fromkeys(words))

    __str__ = __unicode__ = __repr__

    def estimate_size(self, ixreader):
        words = self.words(ixreader)
        return min(ixreader.doc_count_all(), sum(ixreader.doc_frequency(f, w) for f in TEXT_FIELDS for w in words))

    def matcher(self, searcher, context=None):
        # Words chosen on the whole index (a segment's searcher has it as parent), so that every
        # segment searches the same ones.
        top = searcher.get_parent()
        words = self.words(top.reader())
        reader = searcher.reader()
        scored = context is None or context.weighting is not None
        scores: dict[int, float] = {}
        get = scores.get
        for field, boost in BOOSTS.items():
            for word in words:
                if (field, word) not in reader:
                    continue
                postings = reader.postings(field, word)
                is_active, docnum, tf, advance = postings.is_active, postings.id, postings.weight, postings.next
                if not scored:
                    while is_active():
                        scores[docnum()] = 1.0
                        advance()
                    continue
                weight = boost * top.idf(field, word)
                while is_active():
                    d, f = docnum(), tf()
                    scores[d] = get(d, 0.0) + weight * f * (K1 + 1) / (f + K1)
                    advance()
        if not scores:
            return NullMatcher()
        docnums = sorted(scores)
        return ListMatcher(docnums, [scores[d] for d in docnums])
