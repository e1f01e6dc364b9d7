"""The rebuild writer writes the segment Whoosh's own writer writes, byte for byte."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.compound import CompoundStorage
from whoosh.qparser import QueryParser
from whoosh.writing import CLEAR

from marketplace.search.backends.whoosh.bulk import GroupedPool, add_batch, prepare_batch, rebuild_writer
from marketplace.search.backends.whoosh.schema import make_schema, to_fields
from marketplace.search.documents import ListingDocument

WORDS = "battery anode cathode graphene perovskite solar café naïve İstanbul ＡＢＣ the of and 3.14 x".split()


def _documents(n: int) -> list[dict]:
    rng = random.Random(7)
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    docs = []
    for i in range(1, n + 1):
        docs.append(
            to_fields(
                ListingDocument(
                    id=i,
                    version=rng.randint(1, 3),
                    slug=f"listing-{i}",
                    title=" ".join(rng.choices(WORDS, k=rng.randint(1, 8))).capitalize(),
                    summary=" ".join(rng.choices(WORDS, k=rng.randint(0, 30))),
                    # some documents without a description, some with a long one
                    description=" ".join(rng.choices(WORDS, k=rng.choice([0, 5, 300]))),
                    keywords=tuple(rng.sample(WORDS, k=rng.randint(0, 3))),
                    fields=tuple(rng.sample(["EN", "EN.STOR", "LS", "LS.THER"], k=rng.randint(1, 2))),
                    own_fields=(),
                    trl=rng.randint(1, 9),
                    development_stage="prototype",
                    opportunity_types=tuple(rng.sample(["license", "sponsored_research"], k=rng.randint(1, 2))),
                    ip_kinds=tuple(rng.sample(["patent", "software"], k=rng.randint(0, 2))),
                    university_id=rng.randint(1, 4),
                    university_name="U",
                    country=rng.choice(["US", "DE", "JP"]),
                    has_express_license=rng.random() < 0.2,
                    published_at=start + timedelta(minutes=rng.randint(0, 10**6)),
                )
            )
        )
    return docs


def _segment_files(ix) -> dict[str, bytes]:
    """The bytes of each file of the index's only segment, by extension (segment ids are random)."""
    (segment,) = ix._segments()
    compound = segment.open_compound_file(ix.storage)
    assert isinstance(compound, CompoundStorage)
    prefix = segment.segment_id()
    files = {name.removeprefix(prefix): compound.open_file(name).read() for name in compound.list()}
    compound.close()
    return files


def _add_in_batches(writer, docs):
    """How the rebuild adds the batches that it or a worker process prepared."""
    for start in range(0, len(docs), 7):
        add_batch(writer, prepare_batch(writer.schema, docs[start : start + 7]))


# 300 documents give terms with fewer than one block (128) of postings, and with several blocks;
# with a quarter of a megabyte the pool spills them to several runs
@pytest.mark.parametrize(
    ("count", "limitmb", "add"),
    [
        (1, 2048, None),
        (128, 2048, None),
        (300, 2048, None),
        (300, 0.25, None),
        (300, 2048, _add_in_batches),
        (300, 0.25, _add_in_batches),
    ],
)
def test_rebuild_writer_writes_the_files_the_stock_writer_writes(tmp_path, count, limitmb, add):
    docs = _documents(count)
    (tmp_path / "stock").mkdir()
    (tmp_path / "bulk").mkdir()
    stock = whoosh_index.create_in(tmp_path / "stock", make_schema())
    with stock.writer() as writer:
        for doc in docs:
            writer.add_document(**doc)
    bulk = whoosh_index.create_in(tmp_path / "bulk", make_schema())
    with bulk.writer() as writer:  # an older index that the rebuild replaces
        writer.add_document(**_documents(1)[0])
    writer = rebuild_writer(bulk, limitmb=limitmb)
    if add:
        add(writer, docs)
    else:
        for doc in docs:
            writer.add_document(**doc)
    spilled = len(writer.pool.runs)
    writer.commit(mergetype=CLEAR)

    assert (spilled > 1) == (limitmb < 1)
    stock_files, bulk_files = _segment_files(stock), _segment_files(bulk)
    assert sorted(bulk_files) == sorted(stock_files)
    for ext, content in stock_files.items():
        assert bulk_files[ext] == content, ext


def test_a_rebuilt_index_is_a_stock_whoosh_index(tmp_path):
    docs = _documents(300)
    ix = whoosh_index.create_in(tmp_path, make_schema())
    writer = rebuild_writer(ix)
    for doc in docs:
        writer.add_document(**doc)
    writer.commit(mergetype=CLEAR)

    reopened = whoosh_index.open_dir(tmp_path)
    (segment,) = reopened._segments()
    assert type(segment.codec()) is W3Codec
    expected = sorted(d["id"] for d in docs if "graphen" in d["description"])
    with reopened.searcher() as searcher:
        query = QueryParser("description", reopened.schema).parse('"graphene" OR Graphene')
        assert sorted(hit["id"] for hit in searcher.search(query, limit=None)) == expected
        assert searcher.doc_count() == 300


def test_a_cancelled_rebuild_leaves_the_index_as_it_was_and_no_spilled_runs(tmp_path):
    ix = whoosh_index.create_in(tmp_path, make_schema())
    with ix.writer() as writer:
        writer.add_document(**_documents(1)[0])
    writer = rebuild_writer(ix, limitmb=0.25)
    for doc in _documents(300):
        writer.add_document(**doc)
    assert writer.pool.runs
    writer.cancel()
    assert not [p for p in tmp_path.rglob("*") if p.suffix in (".tmp", ".grouped")]
    with whoosh_index.open_dir(tmp_path).searcher() as searcher:
        assert searcher.doc_count() == 1


def test_grouped_pool_refuses_postings_out_of_docnum_order():
    pool = GroupedPool()
    pool.add(("title", b"graphen", 3, 1.0, b""))
    with pytest.raises(ValueError, match="docnum order"):
        pool.add(("title", b"anod", 2, 1.0, b""))
