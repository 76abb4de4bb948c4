"""The tracker's reads and writes: applications, events, links from emails, settings."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, or_, select, update

from onward.classify import INTERVIEW_IN_DOUBT, JOB_KINDS
from onward.classify.extract import norm_company
from onward.errors import BadInput, NotFound
from onward.store import Store
from onward.store import deletion as deleted
from onward.store.emails import SUMMARY
from onward.store.schema import applications, corrections, emails, events, settings
from onward.timeutil import aware
from onward.tracker.match import candidate_why, link_email, norm_role
from onward.tracker.state import STATUSES, TRACKED_KINDS, replay
from onward.tracker.transfer import Row

GHOST_DAYS = 21
WEEKLY_GOAL = 5
# The event that moves an application to a status (`state.replay` reads it back).
STATUS_EVENT = {
    "applied": "application_received",
    "assessment": "assessment",
    "interview": "interview",
    "offer": "offer",
    "rejected": "rejection",
    "withdrawn": "withdrawn",
}
# Link reviews sort newest first, on every screen: the mail that just came is the one the
# person remembers, and the one the tracker is missing now.
LINK_REVIEW_ORDER = (emails.c.sent_at.desc(), emails.c.id.desc())
# What the applications table sorts by.
SORTS = {
    "company": applications.c.company_key,
    "role": applications.c.role_key,
    "status": applications.c.status,
    "applied": applications.c.applied_at,
    "last": applications.c.last_contact_at,
    "id": applications.c.id,
}


class TrackerError(BadInput):
    """A tracker command that cannot be done as asked."""


class Tracker:
    def __init__(self, store: Store, now: datetime | None = None) -> None:
        self.store = store
        self.engine = store.engine
        self.now = now or datetime.now(UTC)

    # settings ----------------------------------------------------------------------------
    def setting(self, key: str, default: str) -> str:
        with self.engine.connect() as conn:
            v = conn.execute(select(settings.c.value).where(settings.c.key == key)).scalar()
        return v if v is not None else default

    def set_setting(self, key: str, value: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(settings).where(settings.c.key == key))
            conn.execute(settings.insert().values(key=key, value=value))

    @property
    def weekly_goal(self) -> int:
        return int(self.setting("weekly_goal", str(WEEKLY_GOAL)))

    @property
    def ghost_days(self) -> int:
        return int(self.setting("ghost_days", str(GHOST_DAYS)))

    # reading -----------------------------------------------------------------------------
    def apps(self, status: str | None = None) -> list[dict[str, Any]]:
        q = select(applications).order_by(applications.c.id)
        if status:
            q = q.where(applications.c.status == status)
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(q)]
        for r in rows:
            for k in (
                "created_at",
                "applied_at",
                "first_response_at",
                "closed_at",
                "last_contact_at",
                "updated_at",
            ):
                r[k] = aware(r[k])
        return rows

    def app(self, app_id: int) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(select(applications).where(applications.c.id == app_id)).first()
        if row is None:
            raise NotFound(f"No application with id {app_id}.")
        return dict(row._mapping)

    def email(self, email_id: int) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(select(emails).where(emails.c.id == email_id)).first()
        if row is None:
            raise NotFound(f"No email with id {email_id}.")
        return dict(row._mapping)

    def page(
        self,
        sort: str = "id",
        desc: bool = False,
        status: str = "",
        search: str = "",
        limit: int | None = None,
        offset: int = 0,
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of applications sorted in SQL (by a `SORTS` key; unknown: by id), only
        those with `status` and whose employer or role contains `search`; and how many match."""
        col = SORTS.get(sort, applications.c.id)
        where = []
        if status:
            where.append(applications.c.status == status)
        if search:
            like = f"%{search.lower()}%"
            where.append(
                or_(
                    func.lower(applications.c.company).like(like),
                    func.lower(applications.c.role).like(like),
                )
            )
        order = col.desc() if desc else col.asc()
        q = (
            select(applications)
            .where(*where)
            .order_by(order.nulls_last(), applications.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        total = select(func.count()).select_from(applications).where(*where)
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(q)]
            return rows, int(conn.execute(total).scalar() or 0)

    def same_company(self, app_id: int, limit: int | None = None) -> list[dict[str, Any]]:
        """The other applications at this application's employer."""
        app = self.app(app_id)
        q = (
            select(
                applications.c.id,
                applications.c.company,
                applications.c.role,
                applications.c.status,
            )
            .where(applications.c.company_key == app["company_key"], applications.c.id != app_id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def last_rejection(self) -> dict[str, Any] | None:
        """The latest rejection event (`id`, `application_id`, `at`) with its `company`."""
        q = (
            select(events.c.id, events.c.application_id, events.c.at, applications.c.company)
            .join(applications, applications.c.id == events.c.application_id)
            .where(events.c.kind == "rejection")
            .order_by(events.c.at.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            row = conn.execute(q).first()
        return dict(row._mapping) if row is not None else None

    def events_of(self, app_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(events)
                .where(events.c.application_id == app_id)
                .order_by(events.c.at, events.c.id)
            )
            return [dict(r._mapping) | {"at": aware(r.at)} for r in rows]

    # writing -----------------------------------------------------------------------------
    def _refresh(self, conn: Any, app_id: int, ghost_days: int | None = None) -> None:
        days = self.ghost_days if ghost_days is None else ghost_days
        self._refresh_many(conn, {app_id}, days)

    def _refresh_many(self, conn: Any, app_ids: set[int], ghost_days: int) -> None:
        """Each application's state replayed from its events: many at once, with one read of
        their events and one executemany (a first scan opens hundreds, and two statements for
        each were half of its linking time)."""
        ids = sorted(app_ids)
        history: dict[int, list[tuple[str, datetime | None, str]]] = {i: [] for i in ids}
        for a in range(0, len(ids), 500):
            rows = conn.execute(
                select(events.c.application_id, events.c.kind, events.c.at, events.c.via)
                .where(events.c.application_id.in_(ids[a : a + 500]))
                .order_by(events.c.application_id, events.c.at, events.c.id)
            )
            for app_id, kind, at, via in rows:
                history[app_id].append((kind, aware(at), via))
        states = [
            {f"s_{k}": v for k, v in replay(history[i], self.now, ghost_days).items()}
            | {"s_id": i, "s_updated_at": self.now}
            for i in ids
        ]
        if states:
            columns = [k.removeprefix("s_") for k in states[0] if k != "s_id"]
            conn.execute(
                update(applications)
                .where(applications.c.id == bindparam("s_id"))
                .values({c: bindparam(f"s_{c}") for c in columns}),
                states,
            )

    def create(
        self, conn: Any, company: str, role: str, source: str = "", url: str = "", note: str = ""
    ) -> int:
        result = conn.execute(
            applications.insert().values(
                company=company.strip(),
                company_key=norm_company(company),
                role=role.strip(),
                role_key=norm_role(role),
                status="saved",
                reached="saved",
                source=source,
                url=url,
                note=note,
                created_at=self.now,
                updated_at=self.now,
            )
        )
        return int(result.inserted_primary_key[0])

    def add_event(
        self,
        conn: Any,
        app_id: int,
        kind: str,
        at: datetime | None,
        via: str = "email",
        note: str = "",
        email_id: int | None = None,
    ) -> None:
        conn.execute(
            events.insert().values(
                application_id=app_id,
                kind=kind,
                at=at or self.now,
                via=via,
                note=note,
                email_id=email_id,
            )
        )
        self._refresh(conn, app_id)

    def find(self, company: str, role: str = "") -> list[dict[str, Any]]:
        key, rkey = norm_company(company), norm_role(role)
        return [
            a
            for a in self.apps()
            if a["company_key"] == key and (not rkey or a["role_key"] == rkey)
        ]

    def save(self, company: str, role: str, url: str = "", note: str = "") -> int:
        with self.engine.begin() as conn:
            app_id = self.create(conn, company, role, "saved by hand", url, note)
            self.add_event(conn, app_id, "saved", self.now, "manual", note)
        return app_id

    def apply(
        self,
        company: str,
        role: str,
        at: datetime | None = None,
        source: str = "",
        url: str = "",
        note: str = "",
    ) -> int:
        saved = [a for a in self.find(company, role) if a["status"] == "saved"]
        with self.engine.begin() as conn:
            app_id = saved[0]["id"] if saved else self.create(conn, company, role, source, url)
            if url or source:
                conn.execute(
                    update(applications)
                    .where(applications.c.id == app_id)
                    .values(
                        **({"url": url} if url else {}), **({"source": source} if source else {})
                    )
                )
            self.add_event(conn, app_id, "application_received", at, "manual", note)
        return app_id

    def reject(
        self,
        company: str,
        role: str = "",
        via: str = "phone",
        at: datetime | None = None,
        note: str = "",
    ) -> int:
        found = [a for a in self.find(company, role) if a["status"] not in ("rejected",)]
        if len(found) > 1:
            roles = "; ".join(f"{a['id']}: {a['role'] or 'no role'}" for a in found)
            raise TrackerError(f"{len(found)} applications at {company} ({roles}): name the role.")
        with self.engine.begin() as conn:
            app_id = found[0]["id"] if found else self.create(conn, company, role, via)
            self.add_event(conn, app_id, "rejection", at, via, note)
        return app_id

    def import_rows(self, rows: list[Row], source: str) -> int:
        """Add the rows of a tracker export (`transfer.read_csv`), all or none, each with the
        events that bring it to its status on its date; how many were added."""
        new = [r for r in rows if not r.duplicate]
        with self.engine.begin() as conn:
            for r in new:
                app_id = self.create(conn, r.company, r.role, source, r.url, r.note)
                when = r.date or self.now
                self.add_event(conn, app_id, "saved", when, "import")
                for kind in _import_events(r.status):
                    self.add_event(conn, app_id, kind, when, "import")
        return len(new)

    def link_feedback(self, email_id: int, app_id: int, at: datetime | None) -> None:
        """An employer's answer to a follow-up: the email joins the application (unless the
        person linked it elsewhere) and the application gets its feedback event."""
        with self.engine.begin() as conn:
            conn.execute(
                update(emails)
                .where(emails.c.id == email_id, emails.c.application_id.is_(None))
                .values(application_id=app_id, link_state="linked")
            )
            self.add_event(conn, app_id, "feedback", at, email_id=email_id)

    def record(
        self, app_id: int, kind: str, at: datetime | None, via: str = "manual", note: str = ""
    ) -> None:
        """Something that happened outside the mailbox (a call, an interview in person)."""
        self.app(app_id)
        with self.engine.begin() as conn:
            self.add_event(conn, app_id, kind, at, via, note)

    def edit(self, app_id: int, **fields: Any) -> None:
        self.app(app_id)
        values = {k: v for k, v in fields.items() if v is not None}
        if "company" in values:
            values["company_key"] = norm_company(values["company"])
        if "role" in values:
            values["role_key"] = norm_role(values["role"])
        status = values.pop("status", None)
        if status and status not in STATUSES:
            raise TrackerError(f"{status!r} is not a status; use one of: {', '.join(STATUSES)}.")
        with self.engine.begin() as conn:
            if values:
                conn.execute(
                    update(applications)
                    .where(applications.c.id == app_id)
                    .values(**values, updated_at=self.now)
                )
            if status:
                kind = STATUS_EVENT.get(status, status)
                self.add_event(conn, app_id, kind, self.now, "manual", "edited by hand")

    def merge(self, keep: int, other: int) -> None:
        """Everything of `other` moves to `keep`; `other` is removed."""
        self.app(keep), self.app(other)
        if keep == other:
            raise TrackerError("An application cannot be merged into itself.")
        with self.engine.begin() as conn:
            conn.execute(
                update(events).where(events.c.application_id == other).values(application_id=keep)
            )
            conn.execute(
                update(emails).where(emails.c.application_id == other).values(application_id=keep)
            )
            conn.execute(delete(applications).where(applications.c.id == other))
            self._refresh(conn, keep)

    def split(
        self, app_id: int, email_id: int, company: str | None = None, role: str | None = None
    ) -> int:
        """Move one email (and its event) out into an application of its own."""
        app = self.app(app_id)
        self.email(email_id)
        with self.engine.begin() as conn:
            new = self.create(conn, company or app["company"], role or "", "split by hand")
            moved = conn.execute(
                update(events)
                .where(and_(events.c.application_id == app_id, events.c.email_id == email_id))
                .values(application_id=new)
            ).rowcount
            if not moved:
                raise TrackerError(f"Email {email_id} is not linked to application {app_id}.")
            conn.execute(update(emails).where(emails.c.id == email_id).values(application_id=new))
            self._refresh(conn, app_id)
            self._refresh(conn, new)
        return new

    def refresh_all(self) -> None:
        """Time passing only ever ghosts an application (mail revives it through an event),
        so one UPDATE keeps every status current."""
        from datetime import timedelta

        from onward.tracker.state import ACTIVE

        cutoff = self.now - timedelta(days=self.ghost_days)
        with self.engine.begin() as conn:
            conn.execute(
                update(applications)
                .where(
                    applications.c.status.in_(ACTIVE),
                    applications.c.last_contact_at.is_not(None),
                    applications.c.last_contact_at <= cutoff,
                )
                .values(status="ghosted")
            )

    # deleting by mistake -----------------------------------------------------------------
    # The rows a delete keeps and puts back are `store.deletion`'s; what may be deleted or
    # undone, and the status replayed after, are the tracker's.
    def deletion_plan(self, app_id: int) -> deleted.Plan:
        app = self.app(app_id)
        with self.engine.connect() as conn:
            n_events, n_emails = deleted.counts(conn, app_id)
        return deleted.Plan(app, n_events, n_emails)

    def delete_application(self, app_id: int) -> int:
        """Delete the application, keeping what an undo needs in a new batch; the batch's id."""
        self.app(app_id)
        with self.engine.begin() as conn:
            return deleted.delete(conn, app_id, self.now)

    def last_undoable_delete(self) -> int | None:
        with self.engine.connect() as conn:
            return deleted.last_undoable(conn)

    def undo_delete(self, batch_id: int) -> deleted.Restored:
        """Put back what the delete batch `batch_id` took away."""
        with self.engine.begin() as conn:
            kept = deleted.kept(conn, batch_id)
            if kept is None:
                raise NotFound(f"No delete batch {batch_id}.")
            if kept.undone:
                raise TrackerError(f"Batch {batch_id} was already undone.")
            if kept.id_taken:
                raise TrackerError(
                    f"Application #{kept.application['id']} exists again; nothing was restored."
                )
            restored = deleted.restore(conn, batch_id, kept, self.now)
            self._refresh(conn, restored.application_id)
        return restored

    # linking mail ------------------------------------------------------------------------
    def hold_job_threads(self) -> int:
        """Hold for review every confident `not_job` message that answers stored job mail, shown
        as an interview when the interview has weight (see `classify.thread`); how many were
        held. The person's own corrections stand.

        Every scan looks again, so a reply stored before the mail it answers is held once
        that mail arrives. Only what a message answers counts, not what answers it: job mail
        that names a newsletter or the person's own note in its References does not make
        that note job mail."""
        held = 0
        with self.engine.begin() as conn:
            candidates = _not_job_replies(conn)
            if not candidates:
                return 0
            # Imported here: the classifier's numpy is not for commands that never scan.
            from onward.classify.extract import extract
            from onward.classify.model import Verdict
            from onward.classify.service import correction_email
            from onward.classify.thread import with_thread

            pointed = _kinds_of(conn, sorted({m for c in candidates for m in _refs(c)}))
            for c in candidates:
                kinds = {pointed[m] for m in _refs(c) if m in pointed}
                p = c["interview_p"]
                old = Verdict(
                    c["kind"],
                    c["confidence"] or 0.0,
                    bool(c["needs_review"]),
                    reasons=_reasons(c),
                    probabilities={} if p is None else {"interview": p},
                )
                new = with_thread(old, kinds)
                if new is old:
                    continue
                values = {
                    "needs_review": new.needs_review,
                    "reasons": json.dumps(list(new.reasons)),
                }
                if new.kind != old.kind:
                    x = extract(correction_email(_message_of(conn, c["id"])))
                    values |= {"kind": new.kind, "confidence": new.confidence}
                    values |= {"company": x.company, "role": x.role, "ats": x.ats}
                conn.execute(update(emails).where(emails.c.id == c["id"]).values(**values))
                held += 1
        return held

    def waiting_for_a_link(self) -> bool:
        """Whether some confident job email is not linked yet (a scan stopped before linking)."""
        with self.engine.connect() as conn:
            q = select(emails.c.id).where(*_WAITING_FOR_A_LINK).limit(1)
            return conn.execute(q).first() is not None

    def link_pending(self) -> dict[str, int]:
        """Attach every confident, not-yet-linked job email to an application."""
        self.hold_job_threads()
        q = (
            select(
                emails.c.id,
                emails.c.kind,
                emails.c.company,
                emails.c.role,
                emails.c.message_id,
                emails.c.in_reply_to,
                emails.c.refs,
                emails.c.sent_at,
                emails.c.scanned_at,
            )
            .where(*_WAITING_FOR_A_LINK)
            .order_by(emails.c.sent_at, emails.c.id)
        )
        counts = {"linked": 0, "opened": 0, "review": 0}
        days = self.ghost_days  # read on its own connection, before the write transaction
        with self.engine.begin() as conn:
            pending = [dict(r._mapping) for r in conn.execute(q)]
            if not pending:
                return counts
            apps = [dict(r._mapping) for r in conn.execute(select(applications))]
            thread = {
                r.message_id: r.application_id
                for r in conn.execute(
                    select(emails.c.message_id, emails.c.application_id).where(
                        emails.c.application_id.is_not(None), emails.c.message_id != ""
                    )
                )
            }
            linked: list[dict[str, Any]] = []
            for e in pending:
                link = link_email(e, apps, thread)
                if link.review:
                    note = {
                        "reason": link.reason,
                        "candidates": [
                            {"application_id": c.application_id, "why": c.why}
                            for c in link.candidates
                        ],
                    }
                    conn.execute(
                        update(emails)
                        .where(emails.c.id == e["id"])
                        .values(link_state="review", link_note=json.dumps(note))
                    )
                    counts["review"] += 1
                    continue
                app_id = link.application_id
                if app_id is None:
                    app_id = self.create(conn, e["company"], e["role"], "email")
                    apps.append(
                        dict(
                            conn.execute(select(applications).where(applications.c.id == app_id))
                            .one()
                            ._mapping
                        )
                    )
                    counts["opened"] += 1
                elif e["role"]:
                    conn.execute(
                        update(applications)
                        .where(and_(applications.c.id == app_id, applications.c.role == ""))
                        .values(role=e["role"], role_key=norm_role(e["role"]))
                    )
                linked.append(
                    {
                        "application_id": app_id,
                        "kind": e["kind"],
                        "at": aware(e["sent_at"]) or aware(e["scanned_at"]) or self.now,
                        "via": "email",
                        "note": "",
                        "email_id": e["id"],
                        "link_note": json.dumps({"reason": link.reason}),
                    }
                )
                if e["message_id"]:
                    thread[e["message_id"]] = app_id
                counts["linked"] += 1
            self._record_links(conn, linked, days)
        return counts

    def _record_links(self, conn: Any, linked: list[dict[str, Any]], ghost_days: int) -> None:
        """The events and the emails' links of `link_pending`, written in two statements, and
        each application's state replayed once from all its events (the links read none of
        these: a first scan links hundreds of emails, once a statement each)."""
        if not linked:
            return
        conn.execute(
            events.insert(),
            [
                {k: r[k] for k in ("application_id", "kind", "at", "via", "note", "email_id")}
                for r in linked
            ],
        )
        conn.execute(
            update(emails)
            .where(emails.c.id == bindparam("b_id"))
            .values(
                application_id=bindparam("b_app"),
                link_state="linked",
                link_note=bindparam("b_note"),
            ),
            [
                {"b_id": r["email_id"], "b_app": r["application_id"], "b_note": r["link_note"]}
                for r in linked
            ],
        )
        self._refresh_many(conn, {r["application_id"] for r in linked}, ghost_days)

    def reconsider(self, email: dict[str, Any], kind: str) -> None:
        """After the person corrected an email (and its copies) to `kind`: one already linked
        tells its application the new kind; one waiting in the link review goes back in line
        for `link_pending`, as the correction may have named its employer."""
        same = emails.c.id == email["id"]
        if email.get("message_id"):
            same = or_(same, emails.c.message_id == email["message_id"])
        with self.engine.begin() as conn:
            ids = select(emails.c.id).where(same).scalar_subquery()
            apps = (
                conn.execute(
                    select(events.c.application_id).distinct().where(events.c.email_id.in_(ids))
                )
                .scalars()
                .all()
            )
            conn.execute(update(events).where(events.c.email_id.in_(ids)).values(kind=kind))
            for app_id in apps:
                self._refresh(conn, app_id)
            conn.execute(
                update(emails)
                .where(same, emails.c.link_state == "review")
                .values(link_state="", link_note="")
            )

    def review_links(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Emails waiting for the person to pick their application (`LINK_REVIEW_ORDER`),
        each with its `note` (the reason and the candidates, described as they are now)."""
        q = (
            select(*SUMMARY, emails.c.link_note)
            .where(emails.c.link_state == "review")
            .order_by(*LINK_REVIEW_ORDER)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            rows = [
                dict(r._mapping) | {"note": json.loads(r.link_note or "{}")}
                for r in conn.execute(q)
            ]
            for r in rows:
                del r["link_note"]
            return current_candidates(conn, rows)

    def count_review_links(self) -> int:
        with self.engine.connect() as conn:
            q = select(func.count()).where(emails.c.link_state == "review")
            return int(conn.execute(q).scalar() or 0)

    def attach(self, email_id: int, app_id: int | None, company: str = "", role: str = "") -> int:
        """The person's answer to a link in review: this application, or a new one (named
        by `company` and `role`, or else by the email)."""
        e = self.email(email_id)
        if app_id is not None:
            self.app(app_id)
        elif not (company or e["company"]).strip():
            raise TrackerError(
                f"A new application needs its employer's name, and email {email_id} names none."
            )
        with self.engine.begin() as conn:
            if app_id is None:
                app_id = self.create(conn, company or e["company"], role or e["role"], "email")
            conn.execute(
                update(emails)
                .where(emails.c.id == email_id)
                .values(
                    application_id=app_id,
                    link_state="linked",
                    link_note=json.dumps({"reason": "linked by you"}),
                )
            )
            self.add_event(
                conn, app_id, e["kind"], aware(e["sent_at"]) or self.now, "email", "", email_id
            )
        return app_id


def _import_events(status: str) -> list[str]:
    """An imported application is applied to, then at its status (a saved one only saved)."""
    if status not in STATUS_EVENT:
        return []
    reached = STATUS_EVENT[status]
    return ["application_received"] + ([reached] if reached != "application_received" else [])


_JOB = emails.c.kind.in_(sorted(JOB_KINDS))
# What `link_pending` links: confident job mail of a tracked kind, not linked or reviewed yet.
_WAITING_FOR_A_LINK = (
    emails.c.kind.in_(sorted(TRACKED_KINDS)),
    emails.c.link_state == "",
    emails.c.needs_review.is_not(True),
)
_REPLY = (emails.c.in_reply_to != "") | (emails.c.refs != "")


def _refs(row: Any) -> list[str]:
    return [m for m in [row["in_reply_to"], *row["refs"].split()] if m]


def _chunks(values: list[str], size: int = 500) -> list[list[str]]:
    """Bounded IN lists: SQLite caps the number of bound parameters."""
    return [values[at : at + size] for at in range(0, len(values), size)]


def _not_job_replies(conn: Any) -> list[Any]:
    """`not_job` messages that answer a message (not the person's corrections): the confident
    ones, and those in review that may be shown as an interview."""
    corrected = select(corrections.c.email_id).where(corrections.c.email_id.is_not(None))
    # A correction applies to every copy of its message (see `Store.add_correction`).
    corrected_ids = select(corrections.c.message_id).where(corrections.c.message_id != "")
    q = select(
        emails.c.id,
        emails.c.in_reply_to,
        emails.c.refs,
        emails.c.kind,
        emails.c.confidence,
        emails.c.needs_review,
        emails.c.interview_p,
        emails.c.reasons,
    ).where(
        emails.c.kind == "not_job",
        or_(emails.c.needs_review.is_not(True), emails.c.interview_p >= INTERVIEW_IN_DOUBT),
        emails.c.id.not_in(corrected),
        emails.c.message_id.not_in(corrected_ids),
    )
    return [row._mapping for row in conn.execute(q.where(_REPLY))]


def _message_of(conn: Any, email_id: int) -> dict[str, Any]:
    """What an employer is read from, for one email: read only for the few a thread renames,
    as every scan looks at every `not_job` reply and their bodies add up."""
    q = select(
        emails.c.message_id, emails.c.subject, emails.c.from_name, emails.c.from_addr, emails.c.body
    ).where(emails.c.id == email_id)
    return dict(conn.execute(q).one()._mapping)


def _kinds_of(conn: Any, message_ids: list[str]) -> dict[str, str]:
    """The kind of each stored job message among these Message-IDs."""
    found: dict[str, str] = {}
    for part in _chunks(message_ids):
        q = select(emails.c.message_id, emails.c.kind).where(_JOB, emails.c.message_id.in_(part))
        found |= {m: k for m, k in conn.execute(q)}
    return found


def _reasons(row: Any) -> tuple[str, ...]:
    try:
        stored = json.loads(row["reasons"] or "[]")
    except ValueError:
        return ()
    return tuple(str(x) for x in stored) if isinstance(stored, list) else ()


def current_candidates(conn: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of the link review with each candidate described as its application is now: the
    note was written while linking, before that batch's own mail moved the applications on."""
    ids = {c["application_id"] for r in rows for c in r["note"].get("candidates", [])}
    if not ids:
        return rows
    q = select(applications.c.id, applications.c.role, applications.c.status).where(
        applications.c.id.in_(sorted(ids))
    )
    now = {a.id: candidate_why(dict(a._mapping)) for a in conn.execute(q)}
    for r in rows:
        for c in r["note"].get("candidates", []):
            c["why"] = now.get(c["application_id"], c["why"])
    return rows
