"""Whoosh rebuilds with worker processes: the same index as one process, and failures that leave
the index as it was."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.listings.models import Listing
from marketplace.search.backends.whoosh import rebuild
from tests.search.conftest import ids

URL = "/api/v1/search/listings"
TITLES = ["Graphene ink", "Perovskite solar cell", "Solid state battery", "Quantum dot display", "Graphene battery"]


@pytest.fixture
def catalogue(publish):
    listings = [publish(f"{TITLES[i % len(TITLES)]} {i}", f"Summary of listing {i}.") for i in range(11)]
    publish("An unpublished draft", status="draft")
    return listings


def _searches(client) -> dict[str, list[int]]:
    return {q: sorted(ids(client.get(URL, query_string={"q": q, "page_size": 100}))) for q in ("graphene", "battery", "")}


@pytest.fixture
def writer_leaves_batches_to_workers(monkeypatch):
    """The rebuild's own process claims no batch (workers, started afresh, are not patched), so the
    workers' path runs even on a catalogue small enough for the writer to index alone."""
    monkeypatch.setattr(rebuild, "_claim", lambda claimed, total: None)


def test_a_rebuild_with_worker_processes_indexes_what_one_process_indexes(
    client, whoosh_backend, catalogue, writer_leaves_batches_to_workers
):
    steps = []
    assert whoosh_backend.rebuild(db.session, 2, steps.append, procs=1) == 11
    single = (whoosh_backend.indexed_versions(db.session), _searches(client))

    steps.clear()
    assert whoosh_backend.rebuild(db.session, 2, steps.append, procs=3) == 11
    assert sum(steps) == 11 and len(steps) == 6  # the progress bar moves batch by batch
    assert (whoosh_backend.indexed_versions(db.session), _searches(client)) == single
    assert single[1]["graphene"] == sorted(listing.id for listing in catalogue if "Graphene" in listing.title)
    assert len(whoosh_backend.searcher().reader().leaf_readers()) == 1  # one segment


def test_reindex_command_takes_processes_and_a_memory_limit(app, client, whoosh_backend, catalogue):
    result = app.test_cli_runner().invoke(args=["search", "reindex", "--batch-size", "3", "--procs", "2", "--memory-mb", "64"])
    assert result.exit_code == 0, result.output
    assert "Indexed 11 listings" in result.output
    assert len(_searches(client)[""]) == 11


def test_a_failing_worker_abandons_the_rebuild_and_leaves_the_index_as_it_was(
    client, whoosh_backend, catalogue, writer_leaves_batches_to_workers, monkeypatch
):
    before = whoosh_backend.indexed_versions(db.session)
    db.session.execute(sa.update(Listing).values(title="Renamed"))
    db.session.commit()
    # the workers read from a database that is not there
    monkeypatch.setattr(rebuild, "_database_url", lambda session: "sqlite:////nonexistent/dir/db.sqlite")
    monkeypatch.setattr(rebuild, "_POLL_SECONDS", 0.1)
    with pytest.raises(rebuild.RebuildWorkerFailed, match="unable to open database file"):
        whoosh_backend.rebuild(db.session, 1, lambda n: None, procs=2)
    assert whoosh_backend.indexed_versions(db.session) == before
    assert len(_searches(client)["graphene"]) == 5
