"""Whatever the query text, the search answers 200 or a 422 problem, never a 500."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SYNTAX = st.sampled_from(
    ['"', "*", "-", " OR ", "(", ")", ":", "&", "|", "!", "'", "\\", "%", "_", "é", "ß", " ", "\x00", "\t"]
)
WORDS = st.sampled_from(["graphene", "ink", "the", "nano", "a", "x1", "perovskite"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.lists(st.one_of(SYNTAX, WORDS, st.text(max_size=6)), max_size=12).map("".join))
def test_any_query_text_is_answered_without_a_server_error(client, search_backend, publish, q):
    if not client.get("/api/v1/search/listings").json["total"]:  # so matching and highlighting run too
        publish("Graphene ink", "Perovskite nano ink.", "The ink of a graphene pen.")
    response = client.get("/api/v1/search/listings", query_string={"q": q})
    assert response.status_code in (200, 422), (q, response.get_data(as_text=True))
    if response.status_code == 422:
        assert response.mimetype == "application/problem+json" and "q" in response.json["errors"]
