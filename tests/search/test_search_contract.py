"""The contract every SearchBackend keeps, through the HTTP API: run against whoosh always and
against postgres when the tests run on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from marketplace.core.db import utcnow
from marketplace.extensions import db
from marketplace.search.query import MAX_PREFIX_WORDS
from tests.helpers import assert_problem
from tests.search.conftest import change_status, ids

URL = "/api/v1/search/listings"


def search(client, **params):
    return client.get(URL, query_string=params)


def test_free_text_ranks_title_over_summary_over_description(client, search_backend, publish):
    in_description = publish("Energy storage", "Cells for grids.", "A graphene electrode improves the cells.")
    in_title = publish("Graphene electrodes", "Cells for grids.", "Electrodes for cells.")
    in_summary = publish("Energy storage", "Graphene cells for grids.", "Electrodes for cells.")
    publish("Protein folding", "Structures.", "Unrelated.")
    response = search(client, q="graphene")
    assert ids(response) == [in_title.id, in_summary.id, in_description.id]
    assert response.json["total"] == 3 and response.json["sort"] == "relevance"
    scores = [item["score"] for item in response.json["items"]]
    assert scores == sorted(scores, reverse=True) and scores[-1] > 0


def test_keywords_are_searched(client, search_backend, publish):
    listing = publish("Energy storage", "Cells.", keywords=["perovskite"])
    assert ids(search(client, q="perovskite")) == [listing.id]


def test_every_word_must_match_by_default(client, search_backend, publish):
    both = publish("Graphene battery anode", "Cells.")
    publish("Graphene coating", "Surfaces.")
    publish("Battery recycling", "Metals.")
    assert ids(search(client, q="graphene battery")) == [both.id]


def test_either_word_with_or(client, search_backend, publish):
    a = publish("Graphene coating", "Surfaces.")
    b = publish("Battery recycling", "Metals.")
    publish("Protein folding", "Structures.")
    assert sorted(ids(search(client, q="graphene OR battery"))) == sorted([a.id, b.id])


def test_quoted_phrase_matches_the_words_in_order(client, search_backend, publish):
    phrase = publish("Solid state battery", "Cells.")
    publish("Battery in a solid state of repair", "Other.")
    assert ids(search(client, q='"solid state battery"')) == [phrase.id]


def test_prefix_term_matches_word_beginnings(client, search_backend, publish):
    tube = publish("Carbon nanotube sensor", "Sensing.")
    particle = publish("Nanoparticle delivery", "Drugs.")
    publish("Carbon capture", "Air.")
    assert sorted(ids(search(client, q="nano*"))) == sorted([tube.id, particle.id])


def test_a_prefix_searches_only_its_most_frequent_words(client, search_backend, publish, refresh_statistics):
    frequent = " ".join(f"kx{i:02d}" for i in range(MAX_PREFIX_WORDS))
    alloy = publish(f"Alloy {frequent}")
    binder = publish(f"Binder {frequent}")
    hybrid = publish(f"Hybrid {frequent} kxrare1")
    rare = [publish("Coating kxrare0"), publish("Coating kxrare1")]
    refresh_statistics()
    # kx* has MAX_PREFIX_WORDS + 2 words: the two rarest are left out, everywhere
    response = search(client, q="kx*")
    assert sorted(ids(response)) == sorted([alloy.id, binder.id, hybrid.id])
    assert response.json["total"] == 3
    hybrid_hit = next(item for item in response.json["items"] if item["listing"]["id"] == hybrid.id)
    assert "<mark>kx00</mark>" in hybrid_hit["highlights"]["title"]
    assert "kxrare1" in hybrid_hit["highlights"]["title"] and "<mark>kxrare1" not in hybrid_hit["highlights"]["title"]
    assert ids(search(client, q="kx* -kx05")) == []
    assert sorted(ids(search(client, q="coating OR kx*"))) == sorted([alloy.id, binder.id, hybrid.id, *(r.id for r in rare)])
    # a prefix with no more words than the cap finds every one of them
    assert sorted(ids(search(client, q="kxrare*"))) == sorted([hybrid.id, *(r.id for r in rare)])
    assert ids(search(client, q="kxrare0*")) == [rare[0].id]


def test_the_prefixes_of_a_query_share_the_cap(client, search_backend, publish, refresh_statistics):
    common = " ".join(f"qv{i:02d}" for i in range(MAX_PREFIX_WORDS // 2))
    found = [publish(f"Alpha {common}"), publish(f"Beta {common}")]
    rarest = publish("Gamma qv07")
    other = publish("Delta zzword")
    refresh_statistics()
    assert sorted(ids(search(client, q="qv*"))) == sorted([*(f.id for f in found), rarest.id])
    # two prefixes: each stands for half the cap's words, its most frequent
    response = search(client, q="qv* OR zz*")
    assert sorted(ids(response)) == sorted([*(f.id for f in found), other.id])
    assert response.json["total"] == 3


def test_excluded_word(client, search_backend, publish):
    keep = publish("Sodium battery", "Cells.")
    publish("Lithium battery", "Cells.")
    assert ids(search(client, q="battery -lithium")) == [keep.id]


def test_accents_and_case_are_folded(client, search_backend, publish):
    listing = publish("Protéines végétales", "Café résumé.")
    assert ids(search(client, q="PROTEINES vegetales")) == [listing.id]
    assert ids(search(client, q="cafe")) == [listing.id]


def test_english_stemming(client, search_backend, publish):
    listing = publish("Vaccine coatings", "Delivering vaccines.")
    assert ids(search(client, q="vaccines coating")) == [listing.id]
    assert ids(search(client, q="delivered")) == [listing.id]


def test_hits_carry_escaped_highlights_of_title_and_summary(client, search_backend, publish):
    publish("Graphene <b>ink</b>", "Printable graphene for circuits.", "Long text.")
    publish("Ink jets", "Printing heads.", "A graphene additive for inks is described in detail here.")
    items = search(client, q="graphene").json["items"]
    first = items[0]["highlights"]
    assert first["title"] == "<mark>Graphene</mark> &lt;b&gt;ink&lt;/b&gt;"
    assert "<mark>graphene</mark>" in first["summary"]
    second = items[1]["highlights"]
    assert "title" not in second and "summary" not in second
    assert "<mark>graphene</mark>" in second["description"]


def test_filters_narrow_the_results(client, search_backend, publish, make_org):
    other_uni = make_org("university", name="Rhine Institute", country="DE")
    therapeutics = publish("Antibody platform", fields=["LS.THER"], trl=3)
    solar = publish(
        "Solar cell",
        fields=["EN.SOLR"],
        trl=6,
        opportunity_types=["sponsored_research"],
        asset_kinds=["patent"],
        express=True,
        org=other_uni,
    )
    old = publish("Old device", fields=["LS.DEVI"], trl=8, published_at=utcnow() - timedelta(days=400))
    assert ids(search(client, field="LS")) == [therapeutics.id, old.id]  # a parent field matches its children
    assert ids(search(client, field="LS.THER")) == [therapeutics.id]
    assert ids(search(client, trl_min=5, trl_max=7)) == [solar.id]
    assert ids(search(client, opportunity_type="sponsored_research")) == [solar.id]
    assert ids(search(client, ip_kind="patent")) == [solar.id]
    assert ids(search(client, university_id=other_uni.id)) == [solar.id]
    assert ids(search(client, country="DE")) == [solar.id]
    assert ids(search(client, has_express_license="true")) == [solar.id]
    assert sorted(ids(search(client, has_express_license="false"))) == sorted([therapeutics.id, old.id])
    since = (utcnow() - timedelta(days=30)).isoformat()
    assert sorted(ids(search(client, published_since=since))) == sorted([therapeutics.id, solar.id])
    assert ids(search(client, field=["LS.THER", "EN.SOLR"], trl_min=5)) == [solar.id]


def test_empty_query_browses_newest_first(client, search_backend, publish):
    older = publish("First", published_at=utcnow() - timedelta(days=2))
    newer = publish("Second", published_at=utcnow() - timedelta(days=1))
    response = search(client)
    assert ids(response) == [newer.id, older.id]
    assert response.json["sort"] == "newest" and response.json["items"][0]["score"] is None


def test_sort_by_newest_and_by_trl(client, search_backend, publish):
    low = publish("Graphene low", trl=2, published_at=utcnow() - timedelta(days=1))
    high = publish("Graphene high", trl=8, published_at=utcnow() - timedelta(days=3))
    mid = publish("Graphene mid", trl=5, published_at=utcnow() - timedelta(days=2))
    assert ids(search(client, q="graphene", sort="newest")) == [low.id, mid.id, high.id]
    assert ids(search(client, q="graphene", sort="trl")) == [high.id, mid.id, low.id]


def test_pagination(client, search_backend, publish):
    listings = [publish(f"Sensor {i}", published_at=utcnow() - timedelta(hours=i)) for i in range(5)]
    page2 = search(client, q="sensor", sort="newest", page=2, page_size=2)
    assert ids(page2) == [listings[2].id, listings[3].id]
    assert (page2.json["total"], page2.json["pages"], page2.json["page"]) == (5, 3, 2)
    assert ids(search(client, q="sensor", page=4, page_size=2)) == []


def test_facets_count_under_the_other_filters(client, search_backend, publish, make_org):
    de = make_org("university", name="Rhine Institute", country="DE")
    publish("Graphene A", fields=["LS.THER"], trl=3, asset_kinds=["patent"])
    publish("Graphene B", fields=["LS.THER"], trl=6, opportunity_types=["license", "co_development"])
    publish("Graphene C", fields=["EN.SOLR"], trl=6, org=de, asset_kinds=["software", "patent"])
    publish("Protein D", fields=["EN.SOLR"], trl=6)
    body = search(client, q="graphene", field="LS", trl_min=5).json
    assert body["total"] == 1
    facets = {name: {v["value"]: v["count"] for v in values} for name, values in body["facets"].items()}
    # the field facet ignores the field filter but keeps the text and TRL filters
    assert facets["fields"] == {"LS": 1, "LS.THER": 1, "EN": 1, "EN.SOLR": 1}
    # the TRL facet ignores the TRL filter but keeps the field filter
    assert facets["trl"] == {"3": 1, "6": 1}
    assert facets["opportunity_types"] == {"license": 1, "co_development": 1}
    assert facets["ip_kinds"] == {}
    assert facets["countries"] == {"US": 1}
    labels = {v["value"]: v["label"] for v in body["facets"]["fields"]}
    assert labels["LS.THER"] == "Therapeutics"
    universities = search(client, q="graphene").json["facets"]["universities"]
    assert {u["label"]: u["count"] for u in universities} == {"Northbridge University": 2, "Rhine Institute": 1}


def test_did_you_mean_when_a_word_matches_nothing(client, search_backend, publish):
    publish("Graphene electrodes", "Printable graphene.")
    response = search(client, q="grapheen electrodes")
    assert response.json["total"] == 0
    assert response.json["suggestion"] == "graphene electrodes"
    assert search(client, q="graphene").json["suggestion"] is None


def test_unpublished_listing_leaves_the_index_in_the_same_request_cycle(client, search_backend, publish):
    listing = publish("Graphene ink")
    assert ids(search(client, q="graphene")) == [listing.id]
    change_status(listing, "archived")
    assert ids(search(client, q="graphene")) == []
    assert search(client, q="graphene").json["total"] == 0
    assert listing.id not in search_backend.indexed_versions(db.session)
    change_status(listing, "published", topic="listing.published")
    assert ids(search(client, q="graphene")) == [listing.id]


def test_an_edit_of_a_published_listing_is_reindexed(client, search_backend, publish):
    listing = publish("Graphene ink")
    listing.title = "Perovskite ink"
    listing.version += 1
    from marketplace.core.outbox import emit
    from marketplace.core.transaction import commit

    emit(db.session, "listing.updated", "listing", listing.id)
    commit()
    assert ids(search(client, q="graphene")) == []
    assert ids(search(client, q="perovskite")) == [listing.id]


def test_a_listing_the_index_still_holds_is_never_shown_once_unpublished(client, search_backend, publish):
    listing = publish("Graphene ink")
    listing.status = "suspended"  # no event yet: the index lags behind the database
    db.session.commit()
    assert ids(search(client, q="graphene")) == []


@pytest.mark.parametrize(
    "params, field",
    [
        ({"trl_min": 0}, "trl_min"),
        ({"trl_max": 10}, "trl_max"),
        ({"field": "XX.NOPE"}, "field"),
        ({"page_size": 1000}, "page_size"),
        ({"page": 0}, "page"),
        ({"page": 600, "page_size": 20}, "page"),
        ({"q": '"unbalanced quote'}, "q"),
        ({"q": "a*"}, "q"),
        ({"sort": "price"}, "sort"),
        ({"country": "XX"}, "country"),
        ({"opportunity_type": "gift"}, "opportunity_type"),
        ({"published_since": "yesterday"}, "published_since"),
        ({"trl_min": 7, "trl_max": 3}, "trl_min"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_parameters_are_problems_not_errors(client, search_backend, params, field):
    assert_problem(search(client, **params), 422, field)


def test_odd_but_valid_queries_answer_200(client, search_backend, publish):
    publish("Graphene ink")
    for q in [
        "the",
        "-graphene",
        "OR",
        "graphene OR",
        "  ",
        "c++ & | ! ( ) : ' \\",
        "ünïcödé",
        "nul\x00byte",
        "tab\tand\nnewline",
    ]:
        response = search(client, q=q)
        assert response.status_code == 200, (q, response.get_data(as_text=True))
