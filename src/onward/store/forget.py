"""Forgetting an account: what only it brought goes, what the person entered stays."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, exists, func, select, update

from onward.store.db import Store
from onward.store.schema import (
    applications,
    checkins,
    emails,
    events,
    folder_state,
    followups,
    locations,
)


@dataclass(frozen=True)
class Forgotten:
    emails: int = 0
    events: int = 0
    applications: int = 0

    def sentence(self, name: str) -> str:
        def n(count: int, what: str) -> str:
            return f"{count} {what}{'' if count == 1 else 's'}"

        return (
            f"Removed {name} and what only it brought: {n(self.emails, 'email')}, "
            f"{n(self.events, 'tracker event')} and {n(self.applications, 'application')} "
            "opened from them; what you entered by hand stays."
        )


def forget_source(store: Store, name: str) -> Forgotten:
    """Remove the account's places, the emails no other source has, the events those emails
    made, and applications opened from them alone that the person never touched."""
    with store.engine.begin() as conn:
        conn.execute(delete(locations).where(locations.c.source == name))
        conn.execute(delete(folder_state).where(folder_state.c.source == name))
        elsewhere = exists().where(locations.c.email_id == emails.c.id)
        other = select(func.min(locations.c.source)).where(locations.c.email_id == emails.c.id)
        # Emails this account stored first but another source also has now belong to that one.
        conn.execute(
            update(emails)
            .where(emails.c.source == name, elsewhere)
            .values(source=other.scalar_subquery())
        )
        gone = [
            r[0]
            for r in conn.execute(select(emails.c.id).where(emails.c.source == name, ~elsewhere))
        ]
        touched: set[int] = set()
        removed_events = 0
        for chunk in _chunks(gone):
            touched |= {
                r[0]
                for r in conn.execute(
                    select(events.c.application_id).where(events.c.email_id.in_(chunk))
                )
            }
            removed_events += conn.execute(
                delete(events).where(events.c.email_id.in_(chunk), events.c.via == "email")
            ).rowcount
            conn.execute(delete(emails).where(emails.c.id.in_(chunk)))
        removed_apps = _drop_orphans(conn, touched)
    from onward.tracker.repo import Tracker

    tracker = Tracker(store)
    with store.engine.begin() as conn:
        for app_id in sorted(touched - removed_apps):
            tracker._refresh(conn, app_id)
    return Forgotten(len(gone), removed_events, len(removed_apps))


def _drop_orphans(conn: Any, app_ids: set[int]) -> set[int]:
    """Applications a scan opened that now have nothing: no event, no note or link of the
    person's, no follow-up or check-in."""
    if not app_ids:
        return set()
    q = select(applications.c.id).where(
        applications.c.id.in_(sorted(app_ids)),
        applications.c.source == "email",
        applications.c.note == "",
        applications.c.url == "",
        ~exists().where(events.c.application_id == applications.c.id),
        ~exists().where(followups.c.application_id == applications.c.id),
        ~exists().where(checkins.c.application_id == applications.c.id),
        ~exists().where(emails.c.application_id == applications.c.id),
    )
    orphans = {r[0] for r in conn.execute(q)}
    if orphans:
        conn.execute(delete(applications).where(applications.c.id.in_(sorted(orphans))))
    return orphans


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]
