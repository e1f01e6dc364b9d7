"""``flask search sync | reindex | check | send-digests``."""

from __future__ import annotations

import time

import click

from marketplace.core.outbox import OutboxEvent, drain_pending, pending_count
from marketplace.core.transaction import commit
from marketplace.extensions import db
from marketplace.search import alerts
from marketplace.search.backends import get_backend
from marketplace.search.documents import count_published, published_versions


@click.group("search")
def search() -> None:
    """The listing search index."""


@search.command("sync")
def sync() -> None:
    """Drain outbox events left pending (e.g. after a failed index write)."""
    processed, failed = drain_pending(db.session)
    click.echo(f"{processed} events processed, {failed} failed, {pending_count(db.session)} pending")
    if failed:
        for event in db.session.query(OutboxEvent).filter(OutboxEvent.processed_at.is_(None)).limit(5):
            click.echo(f"  event {event.id} ({event.topic} {event.aggregate_id}): {event.last_error}")
        raise SystemExit(1)


@search.command("reindex")
@click.option("--batch-size", default=1000, show_default=True, type=click.IntRange(1, 100_000))
@click.option(
    "--memory-mb",
    default=2048,
    show_default=True,
    type=click.IntRange(64, 1_000_000),
    help="Whoosh: postings kept in memory before the rebuild spills them to temporary files.",
)
@click.option(
    "--procs",
    type=click.IntRange(1, 64),
    help="Whoosh: processes that analyze listings (default: one per core from 5,000 listings).",
)
def reindex(batch_size: int, memory_mb: int, procs: int | None) -> None:
    """Rebuild the whole index from the database, then drain pending events."""
    backend = get_backend()
    options = {"memory_mb": memory_mb, "procs": procs} if backend.name == "whoosh" else {}
    total = count_published(db.session)
    started = time.perf_counter()
    with click.progressbar(length=total, label=f"Indexing listings ({backend.name})", show_pos=True) as bar:
        count = backend.rebuild(db.session, batch_size, bar.update, **options)
    commit()
    elapsed = time.perf_counter() - started
    click.echo(f"Indexed {count} listings in {elapsed:.1f} s ({count / elapsed if elapsed else 0:.0f} docs/s).")
    processed, failed = drain_pending(db.session)
    if processed or failed:
        click.echo(f"Then {processed} pending events processed, {failed} failed.")


@search.command("check")
@click.option("--fix", is_flag=True, help="Re-sync the listings that drifted.")
def check(fix: bool) -> None:
    """Report listings missing from or stale in the index (exit status 1 when any)."""
    backend = get_backend()
    truth = published_versions(db.session)
    indexed = backend.indexed_versions(db.session)
    missing = sorted(set(truth) - set(indexed))
    stale = sorted(i for i in truth if i in indexed and indexed[i] != truth[i])
    unpublished = sorted(set(indexed) - set(truth))
    click.echo(f"{len(truth)} published listings, {len(indexed)} indexed.")
    for label, ids in (("missing", missing), ("stale", stale), ("not published but indexed", unpublished)):
        if ids:
            shown = ", ".join(map(str, ids[:20])) + (" ..." if len(ids) > 20 else "")
            click.echo(f"{len(ids)} {label}: {shown}")
    drift = missing + stale + unpublished
    if not drift:
        click.echo("The index is in step with the database.")
        return
    if fix:
        backend.sync(db.session, drift)
        commit()
        click.echo(f"Re-synced {len(drift)} listings.")
        return
    raise SystemExit(1)


@search.command("send-digests")
def send_digests() -> None:
    """Email the saved-search digests that are due (run it daily or hourly from cron)."""
    sent = alerts.send_due_digests(db.session)
    commit()
    click.echo(f"{sent} digests queued")


def seed_search_index(session) -> None:
    """Demo seeder (runs last): index the published listings the index misses or holds stale."""
    backend = get_backend()
    truth = published_versions(session)
    indexed = backend.indexed_versions(session)
    drift = [i for i in truth if indexed.get(i) != truth[i]] + [i for i in indexed if i not in truth]
    if drift:
        backend.sync(session, drift)
