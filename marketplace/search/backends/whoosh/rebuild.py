"""Adding every listing to a rebuild's writer, on several cores when there are.

Analysis (reading listings, tokenizing, stemming, encoding postings) is most of a rebuild and
needs nothing but the listing, so worker processes do it for batches of listings they claim
from a shared counter, and send the prepared documents back. The rebuild's own process owns the
one writer: it adds what the workers prepared, and when none is waiting it claims a batch and
prepares it itself, so every process stays busy whatever the machine. Workers are spawned (not
forked: no inherited connections, locks or threads) with a database connection of their own.
"""

from __future__ import annotations

import multiprocessing
import queue
import traceback
from typing import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from marketplace.search.backends.whoosh.bulk import add_batch, prepare_batch
from marketplace.search.backends.whoosh.schema import to_fields
from marketplace.search.documents import documents_between

#: how long the writer waits for a prepared batch before it checks on the workers
_POLL_SECONDS = 1.0


class RebuildWorkerFailed(RuntimeError):
    """A worker process failed; the rebuild is abandoned (the index stays as it was)."""


def add_listings(
    writer, session, ranges: list[tuple[int, int]], workers: int, progress: Callable[[int], None]
) -> int:
    """Add the published listings of ``ranges`` (id ranges) to ``writer``, with ``workers`` helper
    processes (none: all in this process); returns how many were added."""
    if workers < 1:
        count = 0
        for first, last in ranges:
            count += _add_batch(writer, documents_between(session, first, last), progress)
        return count
    ctx = multiprocessing.get_context("spawn")
    claimed = ctx.Value("i", 0)
    results = ctx.Queue(maxsize=2 * workers)
    url = _database_url(session)
    processes = [
        ctx.Process(target=_prepare_ranges, args=(url, writer.schema, ranges, claimed, results), daemon=True)
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    count = done = 0
    try:
        while done < len(ranges):
            try:
                status, batch = results.get(block=False)
            except queue.Empty:
                index = _claim(claimed, len(ranges))
                if index is not None:
                    count += _add_batch(writer, documents_between(session, *ranges[index]), progress)
                    done += 1
                    continue
                status, batch = _wait_for_result(results, processes)  # every batch is claimed
            if status == "failed":
                raise RebuildWorkerFailed(f"A search rebuild worker failed:\n{batch}")
            count += _add_prepared(writer, batch, progress)
            done += 1
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()
    return count


def _add_batch(writer, docs, progress) -> int:
    return _add_prepared(writer, _prepare(writer.schema, docs), progress)


def _prepare(schema, docs):
    return prepare_batch(schema, [to_fields(doc) for doc in docs])


def _add_prepared(writer, prepared, progress) -> int:
    add_batch(writer, prepared)
    size = len(prepared[1])
    progress(size)
    return size


def _database_url(session) -> str:
    return session.get_bind().url.render_as_string(hide_password=False)


def _claim(claimed, total: int) -> int | None:
    with claimed.get_lock():
        index = claimed.value
        if index >= total:
            return None
        claimed.value = index + 1
        return index


def _wait_for_result(results, processes):
    while True:
        try:
            return results.get(timeout=_POLL_SECONDS)
        except queue.Empty:
            dead = [p for p in processes if p.exitcode not in (None, 0)]
            if dead:
                raise RebuildWorkerFailed(f"A search rebuild worker died (exit code {dead[0].exitcode}).") from None


def _prepare_ranges(url: str, schema, ranges, claimed, results) -> None:
    """Worker: prepare the documents of each batch it claims, until none is left."""
    try:
        engine = sa.create_engine(url)
        with Session(engine) as session:
            while (index := _claim(claimed, len(ranges))) is not None:
                docs = documents_between(session, *ranges[index])
                session.rollback()  # hold no read snapshot between batches
                results.put(("prepared", _prepare(schema, docs)))
        engine.dispose()
    except BaseException:
        results.put(("failed", traceback.format_exc()))
        raise
