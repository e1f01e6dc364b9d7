"""The query syntax both backends share."""

import pytest

from marketplace.core.errors import ValidationFailed
from marketplace.search.query import (
    MAX_PREFIX_WORDS,
    MAX_QUERY_CLAUSES,
    Clause,
    build_query,
    parse_query,
)


def test_words_phrases_prefixes_exclusions_and_or():
    parsed = parse_query('graphene "solid state" nano* -lithium cells OR batteries')
    assert parsed.groups == (
        (Clause("term", "graphene"),),
        (Clause("phrase", "solid state"),),
        (Clause("prefix", "nano"),),
        (Clause("term", "lithium", negated=True),),
        (Clause("term", "cells"), Clause("term", "batteries")),
    )


def test_empty_and_punctuation_only_queries_browse():
    assert parse_query("").is_empty and parse_query("  ").is_empty and parse_query('"" - ()').is_empty


@pytest.mark.parametrize("q", ['"open', 'a "b" "c', "x*", "*", "ab-c*", " ".join(["w"] * 13)])
def test_invalid_queries_raise_422(q):
    with pytest.raises(ValidationFailed) as info:
        parse_query(q)
    assert "q" in info.value.errors


def test_sort_defaults_to_relevance_with_text_and_newest_without():
    assert build_query({"q": "graphene"}).sort == "relevance"
    assert build_query({}).sort == "newest"
    assert build_query({"sort": "relevance"}).sort == "newest"
    assert build_query({"q": "x", "sort": "trl"}).sort == "trl"


def test_trl_range_and_result_window():
    assert build_query({"trl_min": 3}).trl_values == (3, 4, 5, 6, 7, 8, 9)
    assert build_query({"trl_max": 2}).trl_values == (1, 2)
    with pytest.raises(ValidationFailed):
        build_query({"page": 501, "page_size": 20})


def test_prefixes_share_a_bounded_number_of_words():
    assert parse_query("graphene co*").prefix_words == MAX_PREFIX_WORDS
    assert parse_query("graphene co* OR pr*").prefix_words == MAX_PREFIX_WORDS // 2
    assert parse_query("co* pr* -re*").prefix_words == MAX_PREFIX_WORDS // 3
    many = parse_query(" OR ".join(f"w{i}*" for i in range(2 * MAX_QUERY_CLAUSES)))
    assert many.prefix_words == 1  # at least one word each
