"""The dashboard's figures come from SQL (`store/snapshot.py`); the pure functions over the
rows are the reference. On generated searches, on SQLite and PostgreSQL, both agree."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from onward.store import Store, snapshot
from onward.store.schema import applications, checkins, events
from onward.tracker import insights, mood
from onward.tracker.repo import Tracker
from onward.tracker.state import with_spans
from tests import pure_figures

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
STATUSES = ["saved", "applied", "assessment", "interview", "offer", "rejected", "ghosted"]


def fill(store: Store, seed: int, n: int = 120) -> None:
    rnd = random.Random(seed)
    companies = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Acme"]
    apps, evs = [], []
    for i in range(1, n + 1):
        status = rnd.choice(STATUSES)
        c = rnd.choice(companies)
        applied = None if status == "saved" else NOW - timedelta(days=rnd.uniform(0, 120))
        created = (applied or NOW) - timedelta(days=rnd.uniform(0, 5))
        later = (applied or created) + timedelta(days=rnd.uniform(-2, 40))
        apps.append(
            {
                "id": i,
                "company": c,
                "company_key": c.lower(),
                "role": f"Role {i % 7}",
                "role_key": f"role {i % 7}",
                "status": status,
                "reached": "applied",
                "closed_stage": rnd.choice(["", "interview", "assessment"])
                if status == "rejected"
                else "",
                "created_at": created,
                "applied_at": applied,
                "first_response_at": later if rnd.random() < 0.6 and applied else None,
                "closed_at": later if status == "rejected" else None,
                "last_contact_at": later if rnd.random() < 0.9 else None,
                "updated_at": NOW,
            }
        )
        if status == "rejected":
            evs.append({"application_id": i, "kind": "rejection", "at": later, "via": "email"})
        if status in ("interview", "offer") or rnd.random() < 0.2:
            kind = "offer" if status == "offer" else "interview"
            evs.append({"application_id": i, "kind": kind, "at": later, "via": "email"})
    with store.engine.begin() as conn:
        conn.execute(applications.insert(), [with_spans(a) for a in apps])
        conn.execute(events.insert(), evs)
        rej = conn.execute(events.select().where(events.c.kind == "rejection")).all()
        conn.execute(
            checkins.insert(),
            [
                {
                    "event_id": e.id,
                    "application_id": e.application_id,
                    "state": "done",
                    "feeling": rnd.choice(["angry", "sad", "fine"]),
                    "intensity": 3,
                    "note": "",
                    "created_at": e.at,
                }
                for e in rej[::2]
            ],
        )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sql_snapshot_equals_the_pure_one(db_url: str, seed: int) -> None:
    store = Store(db_url)
    fill(store, seed)
    pure = pure_figures.snapshot(Tracker(store, now=NOW).apps(), NOW)
    sql = snapshot.snapshot(store, NOW)
    assert sql.by_status == pure.by_status
    assert (sql.active_total, sql.active_sum_sq) == (pure.active_total, pure.active_sum_sq)
    assert sql.top_company == pure.top_company
    assert (sql.applied, sql.this_week, sql.responded) == (
        pure.applied,
        pure.this_week,
        pure.responded,
    )
    assert sql.last_applied == pure.last_applied
    assert sql.rejections_by_stage == pure.rejections_by_stage
    for field in ("to_response", "to_rejection", "bounce"):
        assert getattr(sql, field) == pytest.approx(getattr(pure, field), abs=1e-4), field
    assert sql.first_saved == pure.first_saved
    assert sql.quiet == pure.quiet
    f_sql, f_pure = insights.figures(sql, NOW, 5), insights.figures(pure, NOW, 5)
    assert f_sql["nudges"] == f_pure["nudges"] and f_sql["concentration"] == f_pure["concentration"]
    store.close()


def test_an_employer_that_said_no_since_is_not_nudged_as_silent(db_url: str) -> None:
    store = Store(db_url)
    rows = [  # Acme said no to one role 3 days ago; its other application went quiet long ago
        ("Acme", "Data Analyst", "ghosted", 27),
        ("Acme", "Data Engineer", "rejected", 3),
        ("Globex", "Analyst", "ghosted", 30),
    ]
    with store.engine.begin() as conn:
        conn.execute(
            applications.insert(),
            [
                with_spans(
                    {
                        "company": c,
                        "company_key": c.lower(),
                        "role": r,
                        "role_key": r.lower(),
                        "status": st,
                        "reached": "applied",
                        "closed_stage": "applied" if st == "rejected" else "",
                        "created_at": NOW - timedelta(days=60),
                        "applied_at": NOW - timedelta(days=50),
                        "first_response_at": None,
                        "closed_at": NOW - timedelta(days=d) if st == "rejected" else None,
                        "last_contact_at": NOW - timedelta(days=d),
                        "updated_at": NOW,
                    }
                )
                for c, r, st, d in rows
            ],
        )
    pure = pure_figures.snapshot(Tracker(store, now=NOW).apps(), NOW)
    sql = snapshot.snapshot(store, NOW)
    assert [q["company"] for q in pure.quiet] == [q["company"] for q in sql.quiet] == ["Globex"]
    nudges = insights.figures(sql, NOW, 5)["nudges"]
    assert not [n for n in nudges if "Acme" in n]
    assert [n for n in nudges if n.startswith("Globex has not written for 30 days")]
    store.close()


def test_sql_history_equals_the_pure_one(db_url: str) -> None:
    store = Store(db_url)
    fill(store, 9)
    apps = Tracker(store, now=NOW).apps()
    with store.engine.connect() as conn:
        rows = conn.execute(
            events.select()
            .with_only_columns(events.c.kind, events.c.at, applications.c.company)
            .join_from(events, applications, applications.c.id == events.c.application_id)
        ).all()
    milestones = [{"kind": r.kind, "at": r.at, "company": r.company} for r in rows]
    pure = mood.after_rejections(milestones, apps)
    sql = snapshot.after_rejections(store, limit=1000)
    assert len(sql) == len(pure) > 10
    for a, b in zip(
        sorted(sql, key=lambda r: r["at"]), sorted(pure, key=lambda r: r["at"]), strict=True
    ):
        assert a["company"] == b["company"]
        for k in ("next_application", "next_interview", "next_offer"):
            assert (a[k] is None) == (b[k] is None), k
            if a[k]:
                assert a[k]["days"] == pytest.approx(b[k]["days"], abs=0.11)
    start = NOW - timedelta(weeks=20)
    applied, rejected = snapshot.per_week(store, start)
    assert applied == mood.count_by_week(
        a["applied_at"] for a in apps if a["applied_at"] and a["applied_at"] >= start
    )
    assert rejected == mood.count_by_week(
        a["closed_at"]
        for a in apps
        if a["status"] == "rejected" and a["closed_at"] and a["closed_at"] >= start
    )
    assert sum(applied.values()) > 20
    pairs, waiting = snapshot.bounce_by_feeling(store)
    assert waiting == sum(1 for r in pure if r["next_application"] is None)
    assert len(pairs) > 0
    store.close()
