"""Check-ins: one per rejection at most, skips remembered, and any-time check-ins."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from onward.errors import BadInput
from onward.store.db import Store
from onward.store.schema import applications, checkins, events
from onward.timeutil import aware

# A rejection older than this when first seen (a year of mail scanned on day one) is history,
# not something to check in about.
WINDOW_DAYS = 14


class Checkins:
    def __init__(self, store: Store) -> None:
        self.engine = store.engine

    def pending(self, now: datetime, window_days: int = WINDOW_DAYS) -> list[dict[str, Any]]:
        """Recent rejections nobody has checked in about or skipped, newest first."""
        answered = select(checkins.c.event_id).where(checkins.c.event_id.is_not(None))
        q = (
            select(
                events.c.id.label("event_id"),
                events.c.application_id,
                events.c.at,
                events.c.via,
                applications.c.company,
                applications.c.role,
            )
            .join(applications, applications.c.id == events.c.application_id)
            .where(
                events.c.kind == "rejection",
                events.c.at >= now - timedelta(days=window_days),
                events.c.id.not_in(answered),
            )
            .order_by(events.c.at.desc(), events.c.id.desc())
        )
        with self.engine.connect() as conn:
            return [dict(r._mapping) | {"at": aware(r.at)} for r in conn.execute(q)]

    def record(
        self,
        now: datetime,
        feeling: str,
        intensity: int | None,
        note: str = "",
        about: list[dict[str, Any]] | None = None,
    ) -> int:
        """One check-in; it answers every rejection in `about` (the first is the one asked
        about, the rest are covered by it so none prompts again)."""
        about = about or []
        first = about[0] if about else {}
        with self.engine.begin() as conn:
            try:
                res = conn.execute(
                    checkins.insert().values(
                        event_id=first.get("event_id"),
                        application_id=first.get("application_id"),
                        state="done",
                        feeling=feeling,
                        intensity=intensity,
                        note=note,
                        created_at=now,
                    )
                )
            except IntegrityError:
                raise CheckinTaken() from None
            pk = res.inserted_primary_key
            assert pk is not None
            self._cover(conn, now, about[1:], "covered")
            return int(pk[0])

    def skip(self, now: datetime, about: list[dict[str, Any]]) -> int:
        with self.engine.begin() as conn:
            return self._cover(conn, now, about, "skipped")

    def _cover(self, conn: Any, now: datetime, about: list[dict[str, Any]], state: str) -> int:
        done = 0
        for p in about:
            exists = conn.execute(
                select(checkins.c.id).where(checkins.c.event_id == p["event_id"])
            ).first()
            if exists is None:
                conn.execute(
                    checkins.insert().values(
                        event_id=p["event_id"],
                        application_id=p.get("application_id"),
                        state=state,
                        created_at=now,
                    )
                )
                done += 1
        return done

    def get(self, checkin_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(checkins).where(checkins.c.id == checkin_id, checkins.c.state == "done")
            ).first()
        return dict(row._mapping) if row else None

    def history(self, since: datetime | None = None) -> list[dict[str, Any]]:
        q = (
            select(checkins, applications.c.company, events.c.at.label("rejected_at"))
            .join(applications, applications.c.id == checkins.c.application_id, isouter=True)
            .join(events, events.c.id == checkins.c.event_id, isouter=True)
            .where(checkins.c.state == "done")
            .order_by(checkins.c.created_at, checkins.c.id)
        )
        if since is not None:
            q = q.where(checkins.c.created_at >= since)
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(q)]
            covered = self._covered(conn, since)
        for r in rows:
            r["companies"] = [c for c in [r["company"], *covered.get(r["created_at"], [])] if c]
        return rows

    def _covered(self, conn: Any, since: datetime | None) -> dict[datetime, list[str]]:
        """The other employers each check-in answered for, by the check-in's time.

        `record` writes a check-in and the rejections it covers in one transaction with one
        timestamp, and the schema keeps no other link between them; matching on it also names
        them for check-ins recorded before this was shown."""
        q = (
            select(checkins.c.created_at, applications.c.company)
            .join(applications, applications.c.id == checkins.c.application_id)
            .where(checkins.c.state == "covered")
            .order_by(checkins.c.id)
        )
        if since is not None:
            q = q.where(checkins.c.created_at >= since)
        found: dict[datetime, list[str]] = {}
        for at, company in conn.execute(q):
            found.setdefault(at, []).append(company)
        return found


class CheckinTaken(BadInput):
    def __str__(self) -> str:
        return "You have already checked in about this rejection."
