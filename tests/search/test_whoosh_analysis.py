"""The one-pass index analysis gives the terms and positions of the schema's analyzer chains."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from marketplace.search.backends.whoosh.analysis import FOLD, STEM, fold_terms, stem_terms
from marketplace.search.backends.whoosh.schema import make_schema

#: letters, accents, ligatures, full-width forms, dotted capital I (lowercases to two characters),
#: digits, the tokenizer's own '*' and '.', punctuation and spaces
ALPHABET = "aAbBeEiIsStTzZ019 .,*-_'’\n\téÉüÜßøİıﬁＡａ１ñÑçÇ"
texts = st.text(alphabet=ALPHABET, max_size=80) | st.text(max_size=40)


@given(texts)
@settings(max_examples=400)
@example("The Ünïcode İstanbul café’s 3.141 big-time under_score foo*bar x é ＡＢＣ ﬁne Straße naïve running")
@example("a an the of is to")
def test_one_pass_analysis_yields_the_terms_of_the_analyzer_chains(text):
    assert stem_terms(text) == [t.text for t in STEM(text)]
    assert fold_terms(text) == [t.text for t in FOLD(text)]


def _postings(field, value):
    """``{term: (frequency, weight, positions)}`` of a field's value as the index would hold it."""
    out = {}
    for term, freq, weight, encoded in field.index(value):
        positions = field.format.decode_positions(encoded) if field.format.supports("positions") else None
        out[term] = (freq, weight, positions)
    return out


@given(texts)
@settings(max_examples=200)
@example("the batteries of the solid-state battery")
def test_pre_analyzed_text_is_indexed_with_the_same_frequencies_weights_and_relative_positions(text):
    schema = make_schema()
    for name, analyze in (("description", stem_terms), ("spell", fold_terms)):
        field = schema[name]
        chain = _postings(field, text)
        fast = _postings(field, analyze(text))
        assert fast.keys() == chain.keys()
        # leading stop words shift every position of the chain by the same amount
        shift = {chain[t][2][0] - fast[t][2][0] for t in chain if chain[t][2]}
        assert len(shift) <= 1
        delta = shift.pop() if shift else 0
        for term, (freq, weight, positions) in chain.items():
            assert fast[term][:2] == (freq, weight)
            if positions is not None:
                assert [p + delta for p in fast[term][2]] == positions


@given(texts)
@settings(max_examples=200)
def test_the_bulk_writer_computes_the_postings_field_index_computes(text):
    from marketplace.search.backends.whoosh.bulk import _index

    schema = make_schema()
    for name, analyze in (("description", stem_terms), ("spell", fold_terms)):
        terms = analyze(text)
        assert _index(schema[name], terms) == list(schema[name].index(terms))
