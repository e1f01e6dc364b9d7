"""Reminders: each package registers finders for the reminders its data calls for (an invoice falling
due, an offer about to expire); ``send_due_reminders`` asks every finder what is due on a day and
tells each person once per object and stage, in the app and by email, unless they muted the kind.

At most once is the database's job: a ``reminders_sent`` row is inserted (insert-or-ignore on its
unique key) in the same transaction as the notice and the email, which are written only if the row
was new. Two runs that race wait for each other on the key and the loser writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from marketplace.core.db import utcnow
from marketplace.core.errors import ValidationFailed
from marketplace.core.transaction import commit
from marketplace.notifications.models import ReminderMute, ReminderSent
from marketplace.notifications.services import tell

#: reminders written per commit
BATCH = 100


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    email: str


@dataclass(frozen=True)
class Reminder:
    """One reminder due on a day: about one object at one stage, for some people."""

    kind: str
    object_type: str
    object_id: int
    stage: str
    people: list
    title: str
    body: str
    #: path of the page it is about (``/invoices/3``), made a link with ``PUBLIC_BASE_URL``
    path: str | None = None
    data: dict = field(default_factory=dict)


Finder = Callable[[object, date], Iterable[Reminder]]


@dataclass(frozen=True)
class Kind:
    name: str
    #: for people choosing what to mute
    description: str
    find: Finder


_kinds: dict[str, Kind] = {}


def register(name: str, description: str, find: Finder) -> None:
    """Add a kind of reminder and the function that finds those due on a day (registering again replaces it)."""
    _kinds[name] = Kind(name, description, find)


def kinds() -> list[Kind]:
    return list(_kinds.values())


def working_days_between(start: date, end: date) -> int:
    """Monday-to-Friday days after ``start`` up to and including ``end`` (public holidays are not counted out)."""
    days = 0
    day = start + timedelta(days=1)
    while day <= end:
        if day.weekday() < 5:
            days += 1
        day += timedelta(days=1)
    return days


def send_due_reminders(session, today: date) -> dict[str, int]:
    """Send every reminder due on ``today`` that was not sent yet; commits per batch.
    Returns how many people were reminded, by kind."""
    return {kind.name: send_kind(session, kind.name, today) for kind in kinds()}


def send_kind(session, name: str, today: date) -> int:
    """Send the reminders of one kind due on ``today``; returns how many people were reminded."""
    kind = _kinds[name]
    due = [_with_people(reminder) for reminder in kind.find(session, today)]
    muted = set(session.execute(sa.select(ReminderMute.user_id).where(ReminderMute.kind == name)).scalars())
    session.commit()
    sent = 0
    for start in range(0, len(due), BATCH):
        for reminder in due[start:start + BATCH]:
            for person in reminder.people:
                if person.id not in muted and _record(session, reminder, person.id):
                    _tell(session, reminder, person)
                    sent += 1
        commit(session)
    return sent


def _with_people(reminder: Reminder) -> Reminder:
    """Copy the people out of the ORM objects, which later commits would expire."""
    people = [Person(p.id, p.name, p.email) for p in reminder.people]
    return Reminder(**{**reminder.__dict__, "people": people})


def _record(session, reminder: Reminder, user_id: int) -> bool:
    """Insert the reminder's row unless it exists (whoever holds it waits for us or we for them);
    True if this transaction inserted it."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(ReminderSent).values(
        kind=reminder.kind, object_type=reminder.object_type, object_id=reminder.object_id,
        stage=reminder.stage, user_id=user_id, sent_at=utcnow(),
    ).on_conflict_do_nothing().returning(ReminderSent.id)
    return session.execute(stmt).scalar_one_or_none() is not None


def _tell(session, reminder: Reminder, person: Person) -> None:
    link = None
    if reminder.path:
        link = f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}{reminder.path}"
    tell(session, [person], kind=f"reminder.{reminder.kind}", title=reminder.title, body=reminder.body, link=link,
         data={**reminder.data, "reminder": reminder.kind, "stage": reminder.stage})


# ---- preferences --------------------------------------------------------------------------------


def preferences(session, user_id: int) -> dict:
    """Every kind of reminder, and whether the person muted it."""
    muted = set(session.execute(sa.select(ReminderMute.kind).where(ReminderMute.user_id == user_id)).scalars())
    return {"kinds": [{"kind": k.name, "description": k.description, "muted": k.name in muted} for k in kinds()]}


def set_muted(session, user_id: int, muted: list[str]) -> dict:
    """Mute exactly the kinds in ``muted`` for the person (the others are heard again)."""
    unknown = sorted(set(muted) - set(_kinds))
    if unknown:
        raise ValidationFailed("Unknown kinds of reminder.", errors={"muted": [f"Unknown: {', '.join(unknown)}."]})
    session.execute(sa.delete(ReminderMute).where(ReminderMute.user_id == user_id, ReminderMute.kind.not_in(muted)))
    have = set(session.execute(sa.select(ReminderMute.kind).where(ReminderMute.user_id == user_id)).scalars())
    session.add_all(ReminderMute(user_id=user_id, kind=kind) for kind in sorted(set(muted) - have))
    session.flush()
    return preferences(session, user_id)
